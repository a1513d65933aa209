from django.urls import path

from command import map_views, views

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
]
