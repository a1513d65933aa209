"""The command centre's scheduled jobs (core.scheduler): keep the district's and the streets' dashboards warm; make
and send the daily reports."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from command.reports import reports_daily
from command.selectors import warm
from core.scheduler import Job, daily, every
from registry.selectors import STREET, areas_down_to


def dashboards_warm():
    warm(areas_down_to(STREET))


JOBS = [
    Job(
        "command.dashboards_warm",
        _("Recount the district's and the streets' dashboards"),
        every(minutes=1),
        dashboards_warm,
    ),
    Job(
        "command.daily_reports",
        _("Make and send the daily reports of the district, the streets and the communities"),
        daily(settings.DAILY_REPORT_AT),
        reports_daily,
    ),
]
