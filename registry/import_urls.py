from django.urls import path

from registry import import_views

app_name = "imports"
urlpatterns = [
    path("", import_views.import_upload, name="upload"),
    path("<int:pk>/", import_views.import_job, name="job"),
    path("<int:pk>/progress/", import_views.import_progress, name="progress"),
    path("<int:pk>/errors.xlsx", import_views.import_errors, name="errors"),
]
