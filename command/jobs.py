"""The command centre's scheduled job (core.scheduler): keep the district's and the streets' dashboards warm."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from command.selectors import warm
from core.scheduler import Job, daily, every
from registry.selectors import STREET, areas_down_to


def dashboards_warm():
    warm(areas_down_to(STREET), [code for code, _name in settings.LANGUAGES])


JOBS = [Job("command.dashboards_warm", _("Recount the district's and the streets' dashboards"), every(minutes=1),
            dashboards_warm)]


def daily_reports():
    from command.reports import reports_daily

    reports_daily()


JOBS.append(
    Job("command.daily_reports", _("Make and send the daily reports of the district, the streets and the communities"),
        daily(settings.DAILY_REPORT_AT), daily_reports)
)
