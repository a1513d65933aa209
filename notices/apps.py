from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("notices")
    nav = [
        ("notices:inbox", _("Notices"), "notices.view_notice"),
        ("notices:calls", _("Notice phone list"), "notices.view_calltask"),
    ]
