"""Reads of accounts: the second factor a login still owes (STAFF_TOTP, django-otp's TOTP device)."""

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import STAFF_ROLES

VERIFY = "verify"  # the user has a confirmed device: the session must give its code
ENROL = "enrol"  # STAFF_TOTP=required and a staff user without a device: enrol first


def totp_enabled():
    return settings.STAFF_TOTP != "off"


def totp_required_for(user):
    """Whether STAFF_TOTP=required asks this user to enrol: every staff role (accounts.roles.STAFF_ROLES) and every
    superuser, whatever its role."""
    return settings.STAFF_TOTP == "required" and (user.is_superuser or user.role in STAFF_ROLES)


def totp_device_get(user, *, confirmed=True):
    """The user's TOTP device (confirmed, or the one being enrolled), or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def totp_step_owed(request):
    """VERIFY or ENROL while a logged-in session has not passed the second factor it owes, else None. A request
    made with an API token owes nothing here (its token was its login). Asked by the gate and the menu: answered
    once per request (a step passed in this request is followed by a redirect, never by a page)."""
    if not hasattr(request, "_totp_step_owed"):
        request._totp_step_owed = _step_owed(request)
    return request._totp_step_owed


def _step_owed(request):
    if not totp_enabled() or getattr(request, "auth_by_token", False):
        return None
    user = request.user
    # A user that did not pass through django-otp's OTPMiddleware has no is_verified: it counts as not verified.
    if not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
        return None
    if totp_device_get(user) is not None:
        return VERIFY
    return ENROL if totp_required_for(user) else None
