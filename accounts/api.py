from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from accounts.lockout import Refused, authenticate_guarded
from accounts.models import ApiToken
from accounts.selectors import totp_device_get, totp_enabled, totp_required_for
from accounts.services import CodeRefused, token_issue, token_revoke, totp_code_check
from core.schemas import model_str, text
from registry.models import Area

router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: text(150)
    password: text(1024)
    name: model_str(ApiToken, "name") = "device"
    mode: ApiToken.Mode = ApiToken.Mode.FULL
    area: model_str(Area, "code") | None = None  # an area code inside the user's area, to narrow the token to
    otp: text(16) | None = None  # the authenticator app's code, when the user has two-step verification (STAFF_TOTP)


class TokenOut(Schema):
    token: str
    username: str
    role: str
    area_code: str | None
    mode: str
    expires_at: str


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: dict, 403: dict, 429: dict},
    summary="Exchange a username and password for a bearer token",
)
def token_create(request, body: TokenRequest):
    """`mode`: full, read_only (the role's view permissions) or desk (what a sampling desk needs); `area`
    narrows the token to a sub-area of the user's. Tokens expire after API_TOKEN_DAYS days and die with a
    password change or the user's deactivation."""
    try:
        user = authenticate_guarded(request, body.username, body.password)
    except Refused:
        raise HttpError(429, _("too many failed logins; try again later")) from None
    if user is None:
        raise HttpError(401, _("wrong username or password"))
    _second_factor_check(user, body.otp)
    area = get_object_or_404(Area.all_objects, code=body.area) if body.area else None
    token, raw = token_issue(user, body.name, mode=body.mode, area=area)
    return {
        "token": raw,
        "username": user.username,
        "role": user.role,
        "area_code": (area or user.area).code if (area or user.area) else None,
        "mode": token.mode,
        "expires_at": token.expires_at.isoformat(),
    }


def _second_factor_check(user, code):
    """With STAFF_TOTP on, a token is a login like any other: a user with a confirmed device gives its code too, and
    one who must enrol does that on the website first (else the password alone would open the API)."""
    if not totp_enabled():
        return
    device = totp_device_get(user)
    if device is None:
        if totp_required_for(user):
            raise HttpError(403, _("set up two-step verification on the website first"))
        return
    if not code:
        raise HttpError(401, _("give the code from your authenticator app (otp)"))
    try:
        totp_code_check(user, device, code)
    except CodeRefused as refused:
        if refused.throttled:
            raise HttpError(429, _("too many wrong codes; wait a little and try again")) from None
        raise HttpError(401, _("wrong or already used code")) from None


@router.delete("/token", auth=None, response={204: None}, summary="Revoke the bearer token used for this call")
def token_delete(request):
    token = getattr(request, "api_token", None)  # set by the middleware for a live token only
    if token is None:
        raise HttpError(401, _("call this with the bearer token to revoke"))
    token_revoke(token)
    return Status(204, None)
