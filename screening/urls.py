from django.urls import path

from screening import views

app_name = "screening"

urlpatterns = [
    path("", views.index, name="index"),
    path("desk/", views.desk, name="desk"),
    path("desk/sw.js", views.desk_worker, name="desk_worker"),
    path("desk/lookup/", views.desk_lookup, name="desk_lookup"),
    path("persons/<int:person_id>/code/", views.person_card, name="person_card"),
    path("rounds/<int:round_id>/home/", views.home_list, name="home_list"),
    path("rounds/<int:round_id>/home/plan/", views.home_plan, name="home_plan"),
    path("home/<int:request_id>/finish/", views.home_finish, name="home_finish"),
    path("rounds/<int:round_id>/holds/", views.holds, name="holds"),
    path("rounds/<int:round_id>/sites/", views.sites, name="sites"),
    path("sites/<int:site_id>/poster/", views.site_poster, name="site_poster"),
    path("sites/<int:site_id>/", views.site_public, name="site_public"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/ack/", views.alert_ack, name="alert_ack"),
]
