from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.services import login_locked


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed logins for this user. Try again in a few minutes."),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and login_locked(username):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()
