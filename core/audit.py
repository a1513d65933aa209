"""The audit log: one function writes it, taking who and from where from the acting context; one deletes rows
from it and one drops its old partitions (retention), the table refusing any other change (core.models.AuditEvent, the PostgreSQL trigger of migration 0007)."""

from contextlib import contextmanager

from django.db import connections, models, transaction

from core.context import current_actor
from core.models import AuditEvent
from core.partitions import partitions_drop


def audit_record(action, *, target=None, summary="", detail=None, actor=None, actor_name=None):
    """Write one audit row. `actor` defaults to the user acting in this request or task. `action` must be one of
    AuditEvent.Action (ValueError otherwise): SQLite would store any string, PostgreSQL refuses a long one."""
    current = current_actor()
    user = actor if actor is not None else current.user
    if user is not None and not user.is_authenticated:
        user = None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=actor_name or (user.get_username() if user else ""),
        action=AuditEvent.Action(action),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:200],
        detail=detail or {},
        ip=current.ip,
    )


@contextmanager
def _audit_purge(using):
    """A transaction in which the audit log may lose rows: on PostgreSQL `gridcare.audit_purge` is on, set with
    SET LOCAL (so it ends with the transaction), which the table's trigger and core.partitions.partitions_drop ask
    for."""
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL gridcare.audit_purge = 'on'")
        yield


def audit_rows_delete(queryset):
    """The one deletion of audit rows (AuditEvent refuses update and delete): retention, and the bench's clean-up of
    its own rows. On PostgreSQL the table's trigger lets a DELETE through only under the audit purge. Returns how
    many."""
    with _audit_purge(queryset.db):
        return models.QuerySet.delete(queryset)[1].get(AuditEvent._meta.label, 0)


def audit_partitions_drop(before, using="default"):
    """The one drop of the audit log's partitions (PostgreSQL, core/partitions.py): those wholly older than
    `before`, under the same sanction as audit_rows_delete (the caller audits the count). Returns (rows,
    partitions) dropped; (0, 0) on SQLite."""
    with _audit_purge(using):
        return partitions_drop(AuditEvent, before, using=using)
