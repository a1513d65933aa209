from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.selectors import VERIFY, totp_step_owed
from accounts.services import actor_for, token_actor, token_find
from core.context import acting_as
from core.replica import replica_mark_write

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def client_ip(request):
    """The peer's address, for the audit log, limits and lock-out. X-Forwarded-For is not trusted: anyone can
    write it."""
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Sets who is acting, from where and over which areas for the whole request (core.context).
    A bearer token (`Authorization: Bearer gc_…`) stands in for the session, so the API is scoped the same way;
    a narrowed token (read-only, desk-only, a sub-area) narrows the actor's permissions and scope.
    A successful change (POST/PUT/PATCH/DELETE answered below 400) keeps the user's reads on the primary for a
    while (core.replica: read-your-writes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        token = token_find(header[7:].strip()) if header.startswith("Bearer ") else None
        if token is not None:
            request.user = token.user
            request.auth_by_token = True
            request.api_token = token
            actor = token_actor(token, client_ip(request))
        else:
            actor = actor_for(request.user, client_ip(request))
        with acting_as(actor):
            response = self.get_response(request)
        if request.method in UNSAFE_METHODS and response.status_code < 400:
            replica_mark_write(request.user)
        return response


class SecondFactorGate:
    """With STAFF_TOTP on, a session that logged in with its password but owes the second factor (accounts.selectors
    .totp_step_owed) reaches only the code step (or, owing an enrolment, the enrolment page), the language switch and
    logout: every other page, the admin and the API's session calls are sent there (the API answers 401). Django's
    login and its session stay as they are, so this one gate covers every login path (ours, the admin's); a bearer
    token passes (RequestContextMiddleware above it has recognised it)."""

    OPEN_URL_NAMES = ("logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = totp_step_owed(request)
        if step is None:
            return self.get_response(request)
        step_url = reverse("totp_verify" if step == VERIFY else "totp_enrol")
        if request.path == step_url or request.path in {reverse(name) for name in self.OPEN_URL_NAMES}:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("log in with your one-time code first")}, status=401)
        if request.method == "GET":
            step_url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(step_url)
