from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("mine/", views.my_area, name="my_area"),
    path("areas/<str:code>/", views.area_detail, name="area"),
    path("grids/<str:code>/", views.grid_detail, name="grid"),
    path("buildings/<int:building_id>/", views.building_detail, name="building"),
    path("persons/<int:person_id>/", views.person_detail, name="person"),
    path("persons/<int:person_id>/reveal/", views.person_reveal, name="person_reveal"),
    path("persons/<int:person_id>/call/", views.person_call, name="person_call"),
    path("persons/<int:person_id>/data/", views.person_data_export, name="person_data_export"),
    path("persons/<int:person_id>/erase/", views.person_erase, name="person_erase"),
    path("search/", views.search, name="search"),
]
