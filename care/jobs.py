"""Care's scheduled jobs (core.scheduler)."""

from django.utils.translation import gettext_lazy as _

from care.services import followup_plan_day, help_request_escalate_overdue
from core.scheduler import Job, daily, every

JOBS = [
    Job("care.followup_plan_day", _("Plan the day's follow-up calls"), daily("05:00"), followup_plan_day),
    Job(
        "care.help_request_escalate",
        _("Escalate overdue help requests"),
        every(minutes=5),
        help_request_escalate_overdue,
    ),
]
