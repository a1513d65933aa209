from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.lockout import Refused, authenticate_guarded


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form, authenticating through the lock-out guard (accounts.lockout): a locked username+address
    gets "locked", and its password is not checked."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed logins for this user. Try again in a few minutes."),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = authenticate_guarded(self.request, username, password)
            except Refused:
                raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class _ByAreaIterator(forms.models.ModelChoiceIterator):
    """Choices grouped by the user's area (<optgroup> per area), each user shown by name and role."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups = {}
        for user in self.queryset.select_related("area"):
            area = user.area.name if user.area_id else _("no area")
            groups.setdefault(area, []).append(self.choice(user))
        yield from groups.items()


class StaffChoiceField(forms.ModelChoiceField):
    """Picks a staff user from a <select> grouped by area, with a search box that filters it (see staff_select.js;
    without JavaScript the grouped select alone works). Order the queryset by area so each group appears once."""

    iterator = _ByAreaIterator

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("widget", StaffSelect)
        super().__init__(queryset, **kwargs)


class StaffSelect(forms.Select):
    template_name = "accounts/widgets/staff_select.html"


class TotpCodeForm(forms.Form):
    """The 6 digits an authenticator app shows (as some apps show them, "123 456" too)."""

    code = forms.RegexField(
        label=_("6-digit code"),
        regex=r"^\d{3} ?\d{3}$",
        error_messages={"invalid": _("Enter the 6 digits your authenticator app shows.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "")
