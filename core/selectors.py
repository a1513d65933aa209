"""Reads of the ground floor's own rows."""

from core.models import ScheduledJob
from core.scheduler import registered_jobs


def scheduled_job_list():
    """Every declared job with its state row (None until a scheduler first saw it), in declaration order."""
    jobs = registered_jobs()
    states = ScheduledJob.objects.in_bulk([job.name for job in jobs], field_name="name")
    return [(job, states.get(job.name)) for job in jobs]
