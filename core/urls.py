from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("", views.scheduled_jobs, name="scheduled_jobs"),
    path("retention/", views.retention, name="retention"),
]
