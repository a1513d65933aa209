from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("register")
    nav = [
        ("registry:search", _("Search residents"), "registry.view_person"),
        ("imports:upload", _("Import residents"), "registry.import_residents"),
    ]
