from django.urls import path

from screening import views

app_name = "screening"

urlpatterns = [
    path("", views.index, name="index"),
    path("desk/", views.desk, name="desk"),
    path("desk/sw.js", views.desk_worker, name="desk_worker"),
    path("desk/lookup/", views.desk_lookup, name="desk_lookup"),
    path("persons/<int:person_id>/code/", views.person_card, name="person_card"),
    path("households/<int:household_id>/codes/", views.household_codes, name="household_codes"),
    path("rounds/<int:round_id>/coverage/", views.coverage, name="coverage"),
    path("rounds/<int:round_id>/coverage/<str:code>/", views.coverage, name="coverage_area"),
    path("rounds/<int:round_id>/buildings/<int:building_id>/", views.coverage_building, name="coverage_building"),
    path("rounds/<int:round_id>/households/<int:household_id>/", views.coverage_household, name="coverage_household"),
    path("rounds/<int:round_id>/grids/<str:grid>/knock/", views.knock_list, name="knock_list"),
    path("rounds/<int:round_id>/grids/<str:grid>/knock.pdf", views.knock_sheet, name="knock_sheet"),
    path("rounds/<int:round_id>/households/<int:household_id>/knock/", views.knock_record, name="knock_record"),
    path("rounds/<int:round_id>/persons/<int:person_id>/ack/", views.notice_ack, name="notice_ack"),
    path("rounds/<int:round_id>/missed/", views.missed, name="missed"),
    path("rounds/<int:round_id>/numbers/", views.numbers, name="numbers"),
    path("rounds/<int:round_id>/home/", views.home_list, name="home_list"),
    path("rounds/<int:round_id>/home/plan/", views.home_plan, name="home_plan"),
    path("rounds/<int:round_id>/home/teams/", views.home_team_add, name="home_team_add"),
    path("home/<int:request_id>/finish/", views.home_finish, name="home_finish"),
    path("rounds/<int:round_id>/holds/", views.holds, name="holds"),
    path("rounds/<int:round_id>/sites/", views.sites, name="sites"),
    path("rounds/<int:round_id>/plan/", views.round_plan, name="round_plan"),
    path("sites/<int:site_id>/poster/", views.site_poster, name="site_poster"),
    path("sites/<int:site_id>/", views.site_public, name="site_public"),
    path("knock/", views.knock_list_current, name="knock_list_current"),
    path("home/", views.home_list_current, name="home_list_current"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/ack/", views.alert_ack, name="alert_ack"),
]
