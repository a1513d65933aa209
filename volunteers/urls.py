from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.volunteer_list, name="list"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("errand/", views.ask_errand, name="ask_errand"),
    path("<int:volunteer_id>/verify/", views.volunteer_verify, name="verify"),
    path("<int:volunteer_id>/login/", views.volunteer_login, name="login"),
    path("hours/", views.hours, name="hours"),
    path("sites/", views.sites, name="sites"),
    path("sites/<int:site_id>/", views.board, name="board"),
    path("sites/<int:site_id>/assign/", views.assign, name="assign"),
    path("sites/<int:site_id>/qr/", views.site_qr, name="site_qr"),
    path("check-in/<int:site_id>/<str:code>/", views.check_in, name="check_in"),
    path("me/", views.mine, name="mine"),
    path("errands/", views.errands, name="errands"),
    path("errands/new/", views.errand_new, name="errand_new"),
    path("errands/<int:errand_id>/", views.errand_detail, name="errand"),
    path("errands/<int:errand_id>/claim/", views.errand_claim, name="errand_claim"),
    path("errands/<int:errand_id>/deliver/", views.errand_deliver, name="errand_deliver"),
    path("from-request/<int:request_id>/", views.errand_from_request, name="from_request"),
    path("from-medicine/<int:schedule_id>/", views.errand_from_medicine, name="from_medicine"),
]
