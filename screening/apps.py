from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def is_grid_worker_knocking(user):
    """Knock lists are per grid: the menu offers one to a user bound to a grid who records knocks."""
    return user.has_perm("screening.add_knockoutcome") and user.area is not None and user.area.level == 4


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("screening")
    nav = [
        ("screening:desk", _("Sampling desk"), "screening.add_tube"),
        ("screening:index", _("Screening"), "screening.view_round"),
        ("screening:knock_list_current", _("Knock list"), is_grid_worker_knocking),
        ("screening:home_list_current", _("Home sampling"), "screening.view_homesamplingrequest"),
        ("screening:alerts", _("Alerts"), "screening.view_alert"),
    ]

    def ready(self):
        from registry.services import on_person_moved
        from screening.moves import screening_rows_follow_move

        on_person_moved(screening_rows_follow_move)
