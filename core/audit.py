"""The audit log: one function writes it, taking who and from where from the acting context; one deletes from it
(retention), the table refusing any other change (core.models.AuditEvent, the PostgreSQL trigger of migration 0007)."""

from django.db import connections, models, transaction

from core.context import current_actor
from core.models import AuditEvent


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


def audit_rows_delete(queryset):
    """The one deletion of audit rows (AuditEvent refuses update and delete): retention, and the bench's clean-up of
    its own rows. On PostgreSQL the table's trigger lets a DELETE through only when `gridcare.audit_purge` is on in
    the deleting transaction, set here with SET LOCAL (so it ends with the transaction). Returns how many."""
    with transaction.atomic(using=queryset.db):
        connection = connections[queryset.db]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL gridcare.audit_purge = 'on'")
        return models.QuerySet.delete(queryset)[1].get(AuditEvent._meta.label, 0)
