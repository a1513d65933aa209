"""The project's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as translated  # (not "_": registry's msgid, not a new one here)

from core.limits import LimitReached
from gridcare.urls import handler400, handler403, handler404, urlpatterns  # noqa: F401 (the handlers are read here)


def fail_with(exception):
    def view(request):
        raise exception

    return view


urlpatterns = [
    path("test-errors/400/", fail_with(SuspiciousOperation("bad"))),
    path("test-errors/403/", fail_with(PermissionDenied())),
    path("test-errors/404/", fail_with(Http404())),
    path("test-errors/429/", fail_with(LimitReached(translated("Too many calls this hour.")))),
    path("test-errors/500/", fail_with(RuntimeError("boom"))),
    path("api/test-errors/429/", fail_with(LimitReached(translated("Too many calls this hour.")))),
    path("api/test-errors/403/", fail_with(PermissionDenied())),
    *urlpatterns,
]
