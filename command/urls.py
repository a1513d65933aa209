from django.urls import path

from command import views

app_name = "command"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("areas/<str:code>/", views.dashboard, name="area"),
    path("wall/", views.wall, name="wall"),
    path("wall/<str:code>/", views.wall, name="wall_area"),
]

from command import report_views  # noqa: E402 (the daily reports' routes, appended)

urlpatterns += [
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<int:report_id>/", report_views.report_detail, name="report"),
    path("reports/<int:report_id>/xlsx/", report_views.report_download, {"kind": "xlsx"}, name="report_xlsx"),
    path("reports/<int:report_id>/pdf/", report_views.report_download, {"kind": "pdf"}, name="report_pdf"),
]
