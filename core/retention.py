"""What the system keeps only for a while, deleted on a schedule (core/jobs.py and the apps' jobs.py). The audit log
is kept for good unless AUDIT_KEEP_DAYS says otherwise: it is the record of who did what, and only
audit_events_purge deletes from it (through core.audit.audit_partitions_drop and audit_rows_delete)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.audit import audit_partitions_drop, audit_record, audit_rows_delete
from core.models import AuditEvent, IdempotencyKey


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def rows_purge(queryset, *, days=None, hours=None):
    """Deletes the rows and, if there were any, writes one audit row with the count (detail: the model, how many,
    the age limit in days, or in hours). Returns how many rows of the queryset's model were deleted."""
    label = queryset.model._meta.label
    deleted = queryset.delete()[1].get(label, 0)
    if deleted:
        limit = f" older than {days} days" if days is not None else f" older than {hours} hours" if hours else ""
        detail = {"model": label, "deleted": deleted, "older_than_days": days}
        if hours is not None:
            detail["older_than_hours"] = hours
        audit_record(AuditEvent.Action.DELETE, summary=f"retention: {deleted} {label}{limit}", detail=detail)
    return deleted


def idempotency_keys_prune():
    """A client retries a keyed write within minutes or, offline, days; after IDEMPOTENCY_KEY_DAYS its stored answer
    is of no use."""
    days = settings.IDEMPOTENCY_KEY_DAYS
    return rows_purge(IdempotencyKey.objects.filter(created_at__lt=days_ago(days)), days=days)


def sessions_purge():
    """`clearsessions`, counted: sessions live in the database (Django's default engine)."""
    return rows_purge(Session.objects.filter(expire_date__lt=timezone.now()))


def task_results_purge():
    """Finished background tasks (the task worker's table) after RETENTION_DAYS; waiting and running ones stay."""
    days = settings.RETENTION_DAYS
    finished = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=days_ago(days)
    )
    return rows_purge(finished, days=days)


def audit_events_purge():
    """Audit rows older than AUDIT_KEEP_DAYS (0, the default: kept for good — the law may ask for six months and
    more), deleted through the one sanctioned deletion, with one audit row of its own."""
    days = settings.AUDIT_KEEP_DAYS
    if days <= 0:
        return 0
    cutoff = days_ago(days)
    dropped, _partitions = audit_partitions_drop(cutoff)  # whole months, on PostgreSQL (core/partitions.py)
    deleted = dropped + audit_rows_delete(AuditEvent.objects.filter(at__lt=cutoff))
    if deleted:
        detail = {"model": AuditEvent._meta.label, "deleted": deleted, "dropped": dropped, "older_than_days": days}
        summary = f"retention: {deleted} {AuditEvent._meta.label} older than {days} days"
        audit_record(AuditEvent.Action.DELETE, summary=summary, detail=detail)
    return deleted
