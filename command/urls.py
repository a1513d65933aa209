from django.urls import path

from command import map_views, report_views, views

app_name = "command"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("areas/<str:code>/", views.dashboard, name="area"),
    path("wall/", views.wall, name="wall"),
    path("wall/<str:code>/", views.wall, name="wall_area"),
    # The map (command/map_views.py).
    path("map/", map_views.map_page, name="map"),
    path("map/boundaries/", map_views.boundaries_upload, name="map_boundaries"),
    path("map/<str:code>/", map_views.map_page, name="map_area"),
    path("map/<str:code>/areas.geojson", map_views.map_geojson, name="map_geojson"),
    # The daily reports (command/report_views.py).
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<int:report_id>/", report_views.report_detail, name="report"),
    path("reports/<int:report_id>/xlsx/", report_views.report_download, {"kind": "xlsx"}, name="report_xlsx"),
    path("reports/<int:report_id>/pdf/", report_views.report_download, {"kind": "pdf"}, name="report_pdf"),
]
