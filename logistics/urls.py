from django.urls import path

from logistics import views

app_name = "logistics"

urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.campaign, name="campaign"),
    path("campaigns/<int:campaign_id>/money/", views.money_new, name="money_new"),
    path("campaigns/<int:campaign_id>/plan/", views.plan, name="plan"),
    path("campaigns/<int:campaign_id>/plan/build/", views.plan_build, name="plan_build"),
    path("campaigns/<int:campaign_id>/stock/", views.stock, name="stock"),
    path("campaigns/<int:campaign_id>/stock/use/", views.stock_use, name="stock_use"),
    path("pledges/<int:pledge_id>/fall-through/", views.pledge_fall_through, name="pledge_fall_through"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:delivery_id>/<slug:step>/", views.delivery_step, name="delivery_step"),
    # Public: no login.
    path("give/<int:campaign_id>/", views.pledge_new, name="pledge_new"),
    path("give/<int:campaign_id>/progress/", views.progress, name="progress"),
    path("receipt/<str:receipt>/", views.receipt, name="receipt"),
    path("receipt/<str:receipt>/thanks.pdf", views.thanks, name="thanks"),
]
