"""Reads of the ground floor's own rows."""

from core.models import ScheduledJob
from core.scheduler import registered_jobs


def scheduled_job_list():
    """Every declared job with its state row (None until a scheduler first saw it), in declaration order."""
    jobs = registered_jobs()
    states = ScheduledJob.objects.in_bulk([job.name for job in jobs], field_name="name")
    return [(job, states.get(job.name)) for job in jobs]


def audit_events_between(start, end):
    """The audit log from `start` to `end` (local dates, both included; None: open), oldest first, as tuples: the
    inspector's export (core.exports "core.audit")."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from core.models import AuditEvent

    rows = AuditEvent.objects.order_by("at", "id")
    zone = timezone.get_current_timezone()
    if start:
        rows = rows.filter(at__gte=datetime.combine(start, time.min, zone))
    if end:
        rows = rows.filter(at__lt=datetime.combine(end + timedelta(days=1), time.min, zone))
    return rows.values_list("at", "actor_name", "action", "target_type", "target_id", "summary", "ip", "detail")
