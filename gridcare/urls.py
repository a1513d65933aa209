from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.i18n import set_language

from core import views as core_views
from gridcare import views
from gridcare.api import api

# Error pages in the user's language with a way home and back (gridcare/errors.py); 500 is Django's, on 500.html.
handler400 = "gridcare.errors.bad_request"
handler403 = "gridcare.errors.permission_denied"
handler404 = "gridcare.errors.page_not_found"

urlpatterns = [
    path("", views.home, name="home"),
    # Liveness and readiness probes (core.health): public, uncached, never rate-limited.
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    # A path the API has no route for (/api/v1/persons/abc) answers in the API's own JSON, not Django's HTML page.
    re_path(r"^api/v1/", lambda request: JsonResponse({"detail": "not found"}, status=404), name="api_not_found"),
    path("admin/", admin.site.urls),
]

# Each app's pages; a module that does not exist yet is skipped.
for prefix, module in (
    ("registry/import/", "registry.import_urls"),
    ("registry/", "registry.urls"),
    ("care/", "care.urls"),
    ("screening/", "screening.urls"),
    ("tracing/", "tracing.urls"),
    ("logistics/", "logistics.urls"),
    ("volunteers/", "volunteers.urls"),
    ("notices/", "notices.urls"),
    ("n/", "notices.public_urls"),
    ("command/", "command.urls"),
    ("jobs/", "core.urls"),
    ("exports/", "core.export_urls"),
):
    try:
        urlpatterns.append(path(prefix, include(module)))
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
