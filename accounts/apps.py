from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("accounts and audit")

    def ready(self):
        # Django reports logins only through these signals; the handlers just write the audit row.
        from django.contrib.auth import signals

        from accounts import receivers

        signals.user_logged_in.connect(receivers.on_login, dispatch_uid="gridcare_login")
        signals.user_login_failed.connect(receivers.on_login_failed, dispatch_uid="gridcare_login_failed")
        signals.user_logged_out.connect(receivers.on_logout, dispatch_uid="gridcare_logout")
