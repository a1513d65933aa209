from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    """The command centre (指挥部): the dashboard, the map, the daily report. It shows the apps' numbers through
    core.tiles and imports no app's models."""

    name = "command"
    verbose_name = _("command centre")
    nav = [
        ("command:dashboard", _("Command centre"), "registry.view_person"),
        ("command:reports", _("Daily reports"), "command.view_dailyreport"),
    ]
