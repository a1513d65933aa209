from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("donations and supplies")
    nav = [
        ("logistics:campaigns", _("Donations"), "logistics.view_campaign"),
        ("logistics:deliveries", _("Deliveries"), "logistics.view_delivery"),
    ]
