from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("care ledger")
    nav = [
        ("care:today", _("Today's calls"), "care.view_followuptask"),
        ("care:ledger", _("Ledger"), "care.view_ledgerentry"),
        ("care:supervision", _("Supervision"), "care.view_followup"),
        ("care:requests", _("Requests"), "care.view_helprequest"),
        ("care:relief", _("Relief"), "care.view_relief"),
        ("care:medicine", _("Medicine deliveries"), "care.view_medicineschedule"),
    ]

    def ready(self):
        from care.services import care_rows_follow_move
        from registry.services import on_person_moved

        on_person_moved(care_rows_follow_move)
