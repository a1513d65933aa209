from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken
from accounts.roles import OWN_ROWS_ROLES, role_perms
from accounts.selectors import totp_device_get
from core.access import NotInScope, writes
from core.audit import audit_record
from core.context import Actor, Scope, current_actor
from core.models import AuditEvent


def scope_for_user(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope.nothing()
    if user.area_id is None:
        return Scope.everything() if user.is_superuser else Scope.nothing()
    area = user.area
    owner_id = user.pk if user.role in OWN_ROWS_ROLES else None
    return Scope(code=area.code, area_id=area.pk, is_grid=area.level == area.Level.GRID, owner_id=owner_id)


def actor_for(user, ip=None):
    return Actor(user=user, ip=ip, scope=scope_for_user(user))


# What a sampling desk needs of a user's permissions (a desk-only token): its rounds, sites and campaigns, who a
# scan is, and registering tubes.
DESK_PERMISSIONS = frozenset(
    {
        "screening.view_campaign",
        "screening.view_round",
        "screening.view_site",
        "screening.view_tube",
        "screening.add_tube",
        "registry.view_person",
    }
)


def token_permissions(token):
    """The permissions a token narrows its user to (None: all the role's)."""
    if token.mode == ApiToken.Mode.READ_ONLY:
        return frozenset(p for p in role_perms(token.user.role) if p.partition(".")[2].startswith("view_"))
    if token.mode == ApiToken.Mode.DESK:
        return DESK_PERMISSIONS
    return None


def token_issue(user, name, *, mode=ApiToken.Mode.FULL, area=None):
    """Returns (token row, raw token). The raw token is shown once and never stored. `area`, if given, must be
    inside the user's area (ValidationError otherwise)."""
    if mode not in ApiToken.Mode.values:
        raise ValidationError({"mode": _("Unknown token mode.")})
    if area is not None and not scope_for_user(user).covers(area.code):
        raise ValidationError({"area": _("The area must be inside the user's area.")})
    raw = ApiToken.new_raw()
    expires_at = timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            key_hash=ApiToken.hash(raw),
            hint=raw[-6:],
            expires_at=expires_at,
            password_fingerprint=ApiToken.fingerprint(user),
            mode=mode,
            area=area,
        )
        summary = f"{user.get_username()}: {name} ({mode}{', ' + area.code if area else ''})"
        audit_record(AuditEvent.Action.TOKEN_ISSUED, target=token, summary=summary)
    return token, raw


def token_revoke(token):
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(AuditEvent.Action.TOKEN_REVOKED, target=token, summary=str(token))


def tokens_purge():
    """Tokens expired or revoked more than RETENTION_DAYS ago: they open nothing any more, and their issue and
    revocation stay in the audit log."""
    from core.retention import days_ago, rows_purge

    days = settings.RETENTION_DAYS
    cutoff = days_ago(days)
    return rows_purge(ApiToken.objects.filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)), days=days)


def token_find(raw):
    """The live token for a raw bearer token, or None: not revoked, not expired, its user active and with the
    password the token was issued under."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user__area", "area")
        .filter(key_hash=ApiToken.hash(raw), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None or not constant_time_compare(token.password_fingerprint, ApiToken.fingerprint(token.user)):
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_actor(token, ip=None):
    """The Actor for a request made with `token`: its user's, narrowed to the token's permissions and area."""
    actor = actor_for(token.user, ip)
    if token.area_id is not None:
        scope = Scope.of_area(token.area) if actor.scope.covers(token.area.code) else Scope.nothing()
        actor = actor.replace(scope=scope)
    return actor.replace(allowed=token_permissions(token))


# --- the second factor (STAFF_TOTP) ----------------------------------------------------------------------------


class CodeRefused(Exception):
    """The one-time code was not accepted: `throttled` when django-otp's wait after wrong codes has not passed (the
    code was then not checked at all)."""

    def __init__(self, throttled=False):
        super().__init__("throttled" if throttled else "wrong code")
        self.throttled = throttled


def totp_verify(request, code):
    """The second step of a login: checks `code` against the session user's confirmed device and marks the session
    verified (django-otp's session key; a fresh session id, as a login gives). Raises CodeRefused. Each wrong code
    doubles django-otp's wait before the next one is checked, a code is accepted once (its time step is kept), and
    every refusal is a failed login in the audit log."""
    user = request.user
    verified = totp_code_check(user, totp_device_get(user), code)
    request.session.cycle_key()
    otp_login(request, verified)
    audit_record(AuditEvent.Action.LOGIN, actor=user, target=user, summary="otp: code accepted", detail={"otp": True})
    return verified


def totp_code_check(user, device, code):
    """The confirmed `device` of `user` if `code` is good for it now, else CodeRefused (audited as a failed login):
    the check of the login's code step and of the API's token exchange."""
    allowed, _why = device.verify_is_allowed()
    verified = otp_verify_token(user, device.persistent_id, code) if allowed else None
    if verified is None:
        audit_record(
            AuditEvent.Action.LOGIN_FAILED,
            actor=user,
            target=user,
            summary="otp: waiting after wrong codes" if not allowed else "otp: wrong or used code",
            detail={"otp": True, "throttled": not allowed},
        )
        raise CodeRefused(throttled=not allowed)
    return verified


def totp_enrol_device(user):
    """The device being enrolled: the unconfirmed one an earlier visit made (the QR code already scanned stays
    good), else a new one with a fresh random key. It counts for nothing until a first code confirms it."""
    return totp_device_get(user, confirmed=False) or TOTPDevice.objects.create(
        user=user, name="gridcare", confirmed=False
    )


def totp_enrol_confirm(request, code):
    """Confirms the session user's device being enrolled with its first code (raises CodeRefused), replaces any
    older device of theirs, audits, and marks the session verified."""
    user = request.user
    with transaction.atomic():  # a refusal leaves it, so the throttle's count of wrong codes is kept
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        allowed = device is not None and device.verify_is_allowed()[0]
        accepted = allowed and device.verify_token(code)
        if accepted:
            _enrolment_confirm(user, device)
    if not accepted:
        raise CodeRefused(throttled=device is not None and not allowed)
    request.session.cycle_key()
    otp_login(request, device)
    return device


def _enrolment_confirm(user, device):
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        AuditEvent.Action.CREATE,
        actor=user,
        target=device,
        summary=f"{user.get_username()}: TOTP second factor enrolled",
        detail={"otp": True},
    )


@writes("otp_totp.delete_totpdevice")
def totp_device_reset(user):
    """Removes every TOTP device of `user` (a lost phone): they log in with their password alone, or enrol again
    where STAFF_TOTP requires it. Users are not area-bound rows, so the area is checked here: the user's area must
    be inside the actor's (NotInScope otherwise). Returns how many devices were removed."""
    scope = current_actor().scope
    inside = scope.covers(user.area.code) if user.area_id else (scope.code is None and not scope.empty)
    if not inside:
        raise NotInScope(f"user {user.pk} is not in your area")
    with transaction.atomic():
        removed, _detail = TOTPDevice.objects.filter(user=user).delete()
        audit_record(
            AuditEvent.Action.DELETE,
            target=user,
            summary=f"{user.get_username()}: TOTP second factor reset",
            detail={"otp": True, "devices": removed},
        )
    return removed
