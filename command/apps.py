from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def has_map(user):
    """The map needs the areas and at least one tile to colour them by."""
    from core.tiles import tiles_for

    return user.has_perm("registry.view_area") and bool(tiles_for(user)) and user.area_id is not None


class CommandConfig(AppConfig):
    """The command centre (指挥部): the dashboard, the map, the daily report. It shows the apps' numbers through
    core.tiles and imports no app's models."""

    name = "command"
    verbose_name = _("command centre")
    nav = [
        ("command:dashboard", _("Command centre"), "registry.view_person"),
        ("command:map", _("Map"), has_map),
        ("command:reports", _("Daily reports"), "command.view_dailyreport"),
    ]
