from django.urls import path

from command import views

app_name = "command"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("areas/<str:code>/", views.dashboard, name="area"),
    path("wall/", views.wall, name="wall"),
    path("wall/<str:code>/", views.wall, name="wall_area"),
]
