from core.audit import audit_record
from core.models import AuditEvent


def on_login(sender, request, user, **kwargs):
    audit_record(AuditEvent.Action.LOGIN, actor=user, target=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    """A failed login; one refused by the lock-out (no password checked) says so in its summary and detail."""
    refused = bool(getattr(request, "login_refused", False))
    audit_record(
        AuditEvent.Action.LOGIN_FAILED,
        actor_name=credentials.get("username", "")[:150],
        summary="refused: locked out" if refused else "wrong password",
        detail={"refused": refused},
    )


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(AuditEvent.Action.LOGOUT, actor=user, target=user)
