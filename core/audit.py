"""The audit log: one function writes it, taking who and from where from the acting context."""

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
