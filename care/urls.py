from django.urls import path

from care import views

app_name = "care"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("to-survey/", views.to_survey, name="to_survey"),
    path("import/", views.ledger_import_view, name="ledger_import"),
    path("person/<int:person_id>/", views.person_ledger, name="person_ledger"),
    path("person/<int:person_id>/survey/", views.survey, name="survey"),
    path("person/<int:person_id>/pair/", views.pair_person, name="pair_person"),
    path("person/<int:person_id>/followup/", views.followup_record, name="followup_record"),
    path("unpaired/", views.unpaired, name="unpaired"),
    path("grid/<int:grid_id>/pair/", views.pair_grid, name="pair_grid"),
    path("today/", views.today, name="today"),
    path("supervision/", views.supervision, name="supervision"),
    path("followup/<int:followup_id>/check/", views.spot_check, name="spot_check"),
    path("requests/", views.requests, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:request_id>/", views.request_detail, name="request_detail"),
    path("requests/<int:request_id>/step/", views.request_step, name="request_step"),
    path("relief/", views.relief, name="relief"),
    path("relief/new/", views.relief_new, name="relief_new"),
    path("relief/<int:relief_id>/deliver/", views.relief_deliver, name="relief_deliver"),
    path("medicine/", views.medicine, name="medicine"),
    path("medicine/<int:schedule_id>/deliver/", views.medicine_deliver, name="medicine_deliver"),
    path("help/", views.public_request, name="public_request"),
    path("help/status/", views.public_status, name="public_status"),
]
