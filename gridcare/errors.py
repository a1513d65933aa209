"""Error pages (400, 403, 404, CSRF failure, 429; 500 is Django's own view on 500.html) in the user's language, at
phone width, with a link home and one back to the page the user came from. Under /api/ the answer stays JSON."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.limits import LimitReached

API_PREFIX = "/api/"
# The API's error bodies name the error in one stable word, as gridcare.api's handlers do.
API_DETAIL = {400: "bad request", 403: "forbidden", 404: "not found", 429: "too many requests"}


def _answer(request, status, template, context=None):
    if request.path.startswith(API_PREFIX):
        body = {"detail": API_DETAIL[status]}
        if context and context.get("message"):
            body["message"] = str(context["message"])
        return JsonResponse(body, status=status)
    return render(request, template, {"back": _back(request), **(context or {})}, status=status)


def _back(request):
    """The page the user came from, if it is one of ours (never a link to another site)."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:  # noqa: BLE001 (a 400 for a host we do not serve: then there is no way back to offer)
        return ""
    ours = url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure())
    return referer if ours and referer != request.build_absolute_uri() else ""


def bad_request(request, exception):
    return _answer(request, 400, "400.html")


def permission_denied(request, exception):
    return _answer(request, 403, "403.html")


def page_not_found(request, exception):
    return _answer(request, 404, "404.html")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: usually a form left open past the session, or cookies blocked."""
    return _answer(request, 403, "403_csrf.html")


def too_many_requests(request, exception):
    return _answer(request, 429, "429.html", {"message": str(exception) or _("Too many requests.")})


class LimitPages:
    """Renders a `core.limits.LimitReached` raised by any page as the 429 page (JSON under /api/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, LimitReached):
            return too_many_requests(request, exception)
        return None
