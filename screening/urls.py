from django.urls import path

from screening import views

app_name = "screening"

urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("desk/sw.js", views.desk_worker, name="desk_worker"),
    path("desk/lookup/", views.desk_lookup, name="desk_lookup"),
    path("persons/<int:person_id>/code/", views.person_card, name="person_card"),
]
