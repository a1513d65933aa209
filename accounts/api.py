from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from accounts.lockout import Refused, authenticate_guarded
from accounts.models import ApiToken
from accounts.services import token_issue, token_revoke
from core.schemas import model_str, text
from registry.models import Area

router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: text(150)
    password: text(1024)
    name: model_str(ApiToken, "name") = "device"
    mode: ApiToken.Mode = ApiToken.Mode.FULL
    area: model_str(Area, "code") | None = None  # an area code inside the user's area, to narrow the token to


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
    response={200: TokenOut, 429: dict},
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


@router.delete("/token", auth=None, response={204: None}, summary="Revoke the bearer token used for this call")
def token_delete(request):
    token = getattr(request, "api_token", None)  # set by the middleware for a live token only
    if token is None:
        raise HttpError(401, _("call this with the bearer token to revoke"))
    token_revoke(token)
    return Status(204, None)
