from django.urls import path

from tracing import views

app_name = "tracing"

urlpatterns = [
    path("venues/", views.venue_list, name="venue_list"),
    path("venues/new/", views.venue_new, name="venue_new"),
    path("venues/<int:venue_id>/edit/", views.venue_edit, name="venue_edit"),
    path("venues/<int:venue_id>/poster/", views.venue_poster, name="venue_poster"),
    path("venues/area/<int:area_id>/posters/", views.venue_posters, name="venue_posters"),
    path("v/<str:venue_code>/", views.venue_scan, name="venue_scan"),
    path("gate/", views.gate, name="gate"),
    path("gate/sw.js", views.gate_worker, name="gate_worker"),
    path("gate/log/", views.gate_log, name="gate_log"),
    path("gate/alerts/", views.entry_alerts, name="entry_alerts"),
    path("gate/alerts/<int:alert_id>/ack/", views.entry_alert_ack, name="entry_alert_ack"),
    # --- arrivals ---
    path("arrive/", views.arrival_public, name="arrival_public"),
    path("arrive/<str:receipt>/", views.arrival_receipt, name="arrival_receipt"),
    path("divisions/", views.division_options, name="division_options"),
    path("arrivals/", views.arrivals, name="arrivals"),
    path("arrivals/new/", views.arrival_new, name="arrival_new"),
    path("arrivals/<int:report_id>/", views.arrival_detail, name="arrival_detail"),
    path("arrivals/<int:report_id>/resolve/", views.arrival_resolve, name="arrival_resolve"),
    path("tests-due/", views.tests_due, name="tests_due"),
    path("person/<int:person_id>/antigen/", views.antigen_record, name="antigen_record"),
    path("key-groups/", views.key_groups, name="key_groups"),
    path("key-groups/<int:group_id>/", views.key_group, name="key_group"),
    path("key-groups/<int:group_id>/members/", views.key_group_member_add, name="key_group_member_add"),
    path("special-venues/", views.special_venues, name="special_venues"),
    path("special-venues/<int:venue_id>/inspect/", views.inspection_new, name="inspection_new"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/add/", views.case_add, name="case_add"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/propose/", views.case_propose, name="case_propose"),
    path("cases/<int:case_id>/contacts/", views.contact_add, name="contact_add"),
    path("trace/<int:trace_id>/open/", views.case_open, name="case_open"),
    path("contacts/", views.contacts_waiting, name="contacts_waiting"),
    path("contacts/<int:contact_id>/confirm/", views.contact_confirm, name="contact_confirm"),
    path("contacts/<int:contact_id>/dismiss/", views.contact_dismiss, name="contact_dismiss"),
    # --- isolation ---
    path("isolation/", views.isolation_list, name="isolation_list"),
    path("isolation/<int:isolation_id>/", views.isolation_detail, name="isolation_detail"),
    path("isolation/<int:isolation_id>/step/", views.isolation_step, name="isolation_step"),
    path("isolation/times/", views.isolation_times, name="isolation_times"),
    path("isolation/times/<str:code>/", views.isolation_times, name="isolation_times_area"),
    path("handovers/", views.handover_list, name="handover_list"),
    path("handovers/<int:handover_id>/accept/", views.handover_accept, name="handover_accept"),
    # --- control ---
    path("controls/", views.control_list, name="control_list"),
    path("controls/new/", views.control_new, name="control_new"),
    path("controls/<int:control_id>/", views.control_detail, name="control_detail"),
    path("controls/<int:control_id>/lift/", views.control_lift, name="control_lift"),
    path("persons/<int:person_id>/need/", views.control_need, name="control_need"),
    path("notice/<int:notice_id>/", views.control_notice, name="control_notice"),
]
