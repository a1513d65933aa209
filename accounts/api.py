from django.contrib.auth import authenticate
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from accounts.models import ApiToken
from accounts.services import login_locked, token_issue, token_revoke
from core.schemas import model_str, text

router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: text(150)
    password: text(1024)
    name: model_str(ApiToken, "name") = "device"


class TokenOut(Schema):
    token: str
    username: str
    role: str
    area_code: str | None


@router.post("/token", auth=None, response=TokenOut, summary="Exchange a username and password for a bearer token")
def token_create(request, body: TokenRequest):
    if login_locked(body.username):
        raise HttpError(429, "too many failed logins; try again later")
    user = authenticate(request, username=body.username, password=body.password)
    if user is None:
        raise HttpError(401, "wrong username or password")
    token, raw = token_issue(user, body.name)
    return {
        "token": raw,
        "username": user.username,
        "role": user.role,
        "area_code": user.area.code if user.area else None,
    }


@router.delete("/token", response={204: None}, summary="Revoke the bearer token used for this call")
def token_delete(request):
    from accounts.models import ApiToken

    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer "):
        raise HttpError(400, "call this with the bearer token to revoke")
    token = ApiToken.objects.get(key_hash=ApiToken.hash(header[7:].strip()), revoked_at__isnull=True)
    token_revoke(token)
    return Status(204, None)
