from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from gridcare import views
from gridcare.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

for app in ("registry", "care", "screening"):
    try:
        urlpatterns.append(path(f"{app}/", include(f"{app}.urls")))
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.urls":
            raise
