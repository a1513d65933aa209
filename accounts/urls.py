from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.account, name="account"),
    path("otp/", views.totp_verify, name="totp_verify"),
    path("otp/enrol/", views.totp_enrol, name="totp_enrol"),
]
