from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("screening")
    nav = [
        ("screening:desk", _("Sampling desk"), "screening.add_tube"),
        ("screening:index", _("Screening"), "screening.view_round"),
        ("screening:alerts", _("Alerts"), "screening.view_alert"),
    ]

    def ready(self):
        from registry.services import on_person_moved
        from screening.moves import screening_rows_follow_move

        on_person_moved(screening_rows_follow_move)
