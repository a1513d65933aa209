"""The public acknowledgement link /n/<code>/ (short, for an SMS)."""

from django.urls import path

from notices import views

app_name = "notices_public"

urlpatterns = [path("<str:code>/", views.acknowledge_public, name="acknowledge")]
