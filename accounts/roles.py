"""What each role may do. Users get permissions from their role (accounts.backends.RoleBackend), so there is one
table to read, not groups edited by hand in each deployment."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("district admin")
    STREET_STAFF = "street_staff", _("street staff")
    COMMUNITY_STAFF = "community_staff", _("community staff")
    GRID_WORKER = "grid_worker", _("grid worker")
    MEDIC = "medic", _("medic")
    VOLUNTEER_LEAD = "volunteer_lead", _("volunteer lead")


# The area level a role is normally bound to (a hint for forms and the demo, not a rule).
ROLE_AREA_LEVEL = {
    Role.DISTRICT_ADMIN: 1,
    Role.STREET_STAFF: 2,
    Role.COMMUNITY_STAFF: 3,
    Role.GRID_WORKER: 4,
    Role.MEDIC: 1,
    Role.VOLUNTEER_LEAD: 3,
}

_READ_REGISTRY = {
    "registry.view_area",
    "registry.view_compound",
    "registry.view_building",
    "registry.view_household",
    "registry.view_person",
    "registry.view_specialgroup",
}
_EDIT_REGISTRY = {
    "registry.add_building",
    "registry.change_building",
    "registry.add_household",
    "registry.change_household",
    "registry.add_person",
    "registry.change_person",
    "registry.add_compound",
    "registry.change_compound",
    "registry.call_person",
    "registry.export_lists",
}
_STAFF = _READ_REGISTRY | _EDIT_REGISTRY | {"registry.reveal_identity", "registry.import_residents"}

# "app." means every permission of that app; roles of later issues add their own apps' codenames here.
ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: {"registry.", "accounts.", "care.", "screening.", "django_tasks_db."},
    Role.STREET_STAFF: _STAFF | {"care.", "screening."},
    Role.COMMUNITY_STAFF: _STAFF | {"care.", "screening."},
    Role.GRID_WORKER: _READ_REGISTRY | _EDIT_REGISTRY | {"care.", "screening."},
    Role.MEDIC: _READ_REGISTRY | {"screening."},
    Role.VOLUNTEER_LEAD: {"registry.view_area"},
}

# Roles that may open the Django admin (back office).
BACK_OFFICE_ROLES = {Role.DISTRICT_ADMIN, Role.STREET_STAFF, Role.COMMUNITY_STAFF}


def role_has_perm(role, perm):
    granted = ROLE_PERMISSIONS.get(role, set())
    if perm in granted:
        return True
    app_label = perm.split(".", 1)[0] + "."
    return app_label in granted


def role_perms(role):
    return set(ROLE_PERMISSIONS.get(role, set()))
