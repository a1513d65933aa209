"""What the system keeps only for a while, deleted on a schedule (core/jobs.py and the apps' jobs.py).

The people's data is kept per **data kind**: each app declares its kinds in its own `retention.py`
(`DATA_KINDS = [DataKind(...)]`, found with `core.discovery.app_modules("retention")`, so core imports no app's
models), each with its keeping time (settings.RETENTION_DAYS_BY_KIND, or the kind's own `days`), what happens at
the end (deleted, or anonymised: the rows the reports count stay, without the person) and the rows that are due.
One daily job (`core.retention_purge`) runs every kind; `gridcare retention` and /jobs/retention/ show what it
would do. The audit log is one of the kinds, kept for good unless its days are set: it is the record of who did
what, and only audit_events_purge deletes from it (through core.audit.audit_partitions_drop and
audit_rows_delete)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.audit import audit_partitions_drop, audit_record, audit_rows_delete
from core.discovery import app_modules
from core.models import AuditEvent, IdempotencyKey

DELETE = "delete"
ANONYMISE = "anonymise"
ACTIONS = {DELETE: _("delete"), ANONYMISE: _("anonymise")}
PURGE_BATCH = 10_000  # rows deleted at a time by a kind's purge


@dataclass(frozen=True)
class DataKind:
    key: str  # "<app label>.<name>", the key of settings.RETENTION_DAYS_BY_KIND
    label: str  # a lazy translation
    action: str  # DELETE or ANONYMISE
    # due(cutoff) -> the rows past their keeping time, across all areas (the purge is the system's)
    due: Callable[[datetime], QuerySet]
    # purge(cutoff) -> rows deleted or anonymised, one audit row if any. None: rows_purge(due(cutoff)).
    purge: Callable[[datetime], int] | None = None
    # days() -> the keeping time, when it is not settings.RETENTION_DAYS_BY_KIND[key] (a district's setting)
    days: Callable[[], int] | None = None
    order: int = 100

    def keeping_days(self):
        return self.days() if self.days else settings.RETENTION_DAYS_BY_KIND[self.key]

    def run(self, cutoff):
        if self.purge:
            return self.purge(cutoff)
        return rows_purge(self.due(cutoff), days=self.keeping_days(), batch=PURGE_BATCH)


@dataclass(frozen=True)
class KindDue:
    """One line of the dry-run report. `cutoff` None: the kind is kept for good (0 days), nothing is due."""

    kind: DataKind
    days: int
    cutoff: datetime | None
    due: int

    @property
    def action_label(self):
        return ACTIONS[self.kind.action]


def data_kinds():
    kinds = [kind for module in app_modules("retention") for kind in getattr(module, "DATA_KINDS", ())]
    return sorted(kinds, key=lambda kind: (kind.order, kind.key))


def retention_report(now=None):
    """Per kind: its keeping time, the cutoff (rows from before it are due) and how many rows are due. Reads only."""
    now = now or timezone.now()
    report = []
    for kind in data_kinds():
        days = kind.keeping_days()
        cutoff = now - timedelta(days=days) if days > 0 else None
        report.append(KindDue(kind, days, cutoff, kind.due(cutoff).count() if cutoff else 0))
    return report


def retention_purge(now=None):
    """The scheduled purge: every kind past its keeping time is deleted or anonymised (each kind's purge writes one
    audit row with its count). Returns {kind key: rows}."""
    now = now or timezone.now()
    done = {}
    for kind in data_kinds():
        days = kind.keeping_days()
        if days > 0:
            done[kind.key] = kind.run(now - timedelta(days=days))
    return done


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def rows_purge(queryset, *, days=None, hours=None, batch=None, dropped=0):
    """Deletes the rows and, if there were any, writes one audit row with the count (detail: the model, how many,
    the age limit in days, or in hours). Returns how many rows of the queryset's model were deleted. With `batch`,
    `batch` rows at a time: Django's delete reads the rows it cascades from, and a purge of a round's samples is
    millions of them. `dropped`: rows of the same purge that went before with dropped partitions, counted in."""
    label = queryset.model._meta.label
    deleted = dropped
    if batch is None:
        deleted += queryset.delete()[1].get(label, 0)
    else:
        while pks := list(queryset.values_list("pk", flat=True)[:batch]):
            deleted += queryset.model._base_manager.filter(pk__in=pks).delete()[1].get(label, 0)
    if deleted:
        limit = f" older than {days} days" if days is not None else f" older than {hours} hours" if hours else ""
        detail = {"model": label, "deleted": deleted, "older_than_days": days}
        if dropped:
            detail["dropped"] = dropped
        if hours is not None:
            detail["older_than_hours"] = hours
        audit_record(AuditEvent.Action.DELETE, summary=f"retention: {deleted} {label}{limit}", detail=detail)
    return deleted


def rows_anonymise(queryset, *, cutoff, **fields):
    """Sets `fields` (the person link and personal fields, emptied) on the rows and, if there were any, writes one
    audit row with the count and the cutoff. Returns how many rows were anonymised."""
    label = queryset.model._meta.label
    anonymised = queryset.update(**fields)
    if anonymised:
        audit_record(
            AuditEvent.Action.UPDATE,
            summary=f"retention: {anonymised} {label} anonymised, from before {cutoff:%Y-%m-%d}",
            detail={"model": label, "anonymised": anonymised, "fields": sorted(fields), "cutoff": cutoff.isoformat()},
        )
    return anonymised


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


def audit_events_due(cutoff):
    return AuditEvent.objects.filter(at__lt=cutoff)


def audit_events_purge(cutoff=None):
    """Audit rows from before `cutoff` (default: the "core.audit" days ago; 0 days, the default, keeps them for
    good — the law may ask for six months and more), deleted through the one sanctioned deletion, with one audit
    row of its own."""
    days = settings.RETENTION_DAYS_BY_KIND["core.audit"]
    if days <= 0:
        return 0
    cutoff = cutoff or days_ago(days)
    dropped, _partitions = audit_partitions_drop(cutoff)  # whole months, on PostgreSQL (core/partitions.py)
    deleted = dropped + audit_rows_delete(audit_events_due(cutoff))
    if deleted:
        detail = {"model": AuditEvent._meta.label, "deleted": deleted, "dropped": dropped, "older_than_days": days}
        summary = f"retention: {deleted} {AuditEvent._meta.label} older than {days} days"
        audit_record(AuditEvent.Action.DELETE, summary=summary, detail=detail)
    return deleted


DATA_KINDS = [
    DataKind("core.audit", _("audit log"), DELETE, audit_events_due, purge=audit_events_purge, order=900),
]
