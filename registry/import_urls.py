from django.urls import path

from registry import import_views

app_name = "imports"
urlpatterns = [
    path("", import_views.import_upload, name="upload"),
    path("template.xlsx", import_views.import_template, name="template"),
    path("<int:import_job_id>/start/", import_views.import_start, name="start"),
    path("<int:import_job_id>/cancel/", import_views.import_cancel, name="cancel"),
    path("<int:import_job_id>/", import_views.import_job, name="job"),
    path("<int:import_job_id>/progress/", import_views.import_progress, name="progress"),
    path("<int:import_job_id>/errors.xlsx", import_views.import_errors, name="errors"),
]
