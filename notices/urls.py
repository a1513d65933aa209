from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.notice_new, name="new"),
    path("<int:notice_id>/", views.notice_detail, name="detail"),
    path("<int:notice_id>/persons/<int:person_id>/ack/", views.notice_acknowledge, name="acknowledge"),
    path("calls/", views.calls, name="calls"),
    path("calls/<int:task_id>/reached/", views.call_reached, name="reached"),
]
