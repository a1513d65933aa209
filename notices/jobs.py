"""The notices' scheduled jobs (core.scheduler)."""

from django.utils.translation import gettext_lazy as _

from core.scheduler import Job, every
from notices.services import deliveries_retry, notices_escalate

JOBS = [
    Job(
        "notices.deliveries_retry", _("Send and retry notice messages that are due"), every(minutes=1), deliveries_retry
    ),
    Job(
        "notices.escalate",
        _("Put the silent on the phone list, then the knock list"),
        every(minutes=5),
        notices_escalate,
    ),
]
