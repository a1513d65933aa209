from core.audit import audit_record
from core.models import AuditEvent


def on_login(sender, request, user, **kwargs):
    audit_record(AuditEvent.Action.LOGIN, actor=user, target=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(AuditEvent.Action.LOGIN_FAILED, actor_name=credentials.get("username", "")[:150])


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(AuditEvent.Action.LOGOUT, actor=user, target=user)
