from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken
from core.audit import audit_record
from core.context import Actor, Scope
from core.models import AuditEvent


def scope_for_user(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope.nothing()
    if user.area_id is None:
        return Scope.everything() if user.is_superuser else Scope.nothing()
    area = user.area
    return Scope(code=area.code, area_id=area.pk, is_grid=area.level == area.Level.GRID)


def actor_for(user, ip=None):
    return Actor(user=user, ip=ip, scope=scope_for_user(user))


def token_issue(user, name):
    """Returns (token row, raw token). The raw token is shown once and never stored."""
    raw = ApiToken.new_raw()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash(raw), hint=raw[-6:])
        audit_record(AuditEvent.Action.TOKEN_ISSUED, target=token, summary=f"{user.get_username()}: {name}")
    return token, raw


def token_revoke(token):
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(AuditEvent.Action.TOKEN_REVOKED, target=token, summary=str(token))


def token_user(raw):
    """The active user behind a bearer token, or None."""
    token = (
        ApiToken.objects.select_related("user__area")
        .filter(key_hash=ApiToken.hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
