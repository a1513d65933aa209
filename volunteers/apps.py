from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("volunteers and errands")
    nav = [
        ("volunteers:mine", _("My shifts and errands"), "volunteers.claim_errand"),
        ("volunteers:list", _("Volunteers"), "volunteers.view_volunteer"),
        ("volunteers:sites", _("Shifts and gaps"), "volunteers.view_shift"),
        ("volunteers:errands", _("Errands"), "volunteers.view_errand"),
    ]
