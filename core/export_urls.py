from django.urls import path

from core import export_views

app_name = "exports"
urlpatterns = [
    path("", export_views.export_list, name="list"),
    path("start/", export_views.export_start, name="start"),
    path("<int:export_id>/", export_views.export_progress, name="progress"),
    path("<int:export_id>/download/", export_views.export_download, name="download"),
]
