"""Who may do what: the one table of roles × permissions. Users get permissions from their role
(accounts.backends.RoleBackend), so there is one table to read, not groups edited by hand in each deployment.

Every permission is named; no role is handed a whole app. A role's area (the user's `area`) decides where; this
table decides what. docs/ROLES.md is generated from it (`gridcare roles --write`), and the write walker
(gridcare/tests/test_writes.py) reads it to decide who must succeed and who must be refused. Later apps add their
roles and permissions here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("district admin")
    STREET_STAFF = "street_staff", _("street staff")
    COMMUNITY_STAFF = "community_staff", _("community staff")
    GRID_WORKER = "grid_worker", _("grid worker")
    MEDIC = "medic", _("medic")
    LAB = "lab", _("lab staff")
    VOLUNTEER_LEAD = "volunteer_lead", _("volunteer lead")


# The area level a role is normally bound to (a hint for forms and the demo, not a rule).
ROLE_AREA_LEVEL = {
    Role.DISTRICT_ADMIN: 1,
    Role.STREET_STAFF: 2,
    Role.COMMUNITY_STAFF: 3,
    Role.GRID_WORKER: 4,
    Role.MEDIC: 1,
    Role.LAB: 1,
    Role.VOLUNTEER_LEAD: 3,
}


def perms(app_label, models_and_verbs):
    """perms("care", {"pairing": "add change view"}) -> {"care.add_pairing", "care.change_pairing", …}"""
    return {f"{app_label}.{verb}_{model}" for model, verbs in models_and_verbs.items() for verb in verbs.split()}


# --- the register ---------------------------------------------------------------------------------------------
READ_REGISTER = perms(
    "registry",
    {
        "area": "view",
        "compound": "view",
        "building": "view",
        "household": "view",
        "person": "view",
        "specialgroup": "view",
        "persongroup": "view",
        "residence": "view",
    },
)
EDIT_REGISTER = perms(
    "registry",
    {
        "building": "add change",
        "household": "add change",
        "person": "add change",
        "persongroup": "add change delete",
    },
)
# Who a scan is and where they live, for a sampling desk and a home-sampling team: not the ledger or its groups.
FIND_PERSON = perms("registry", {"area": "view", "building": "view", "household": "view", "person": "view"})
REGISTER_STAFF = (
    READ_REGISTER
    | EDIT_REGISTER
    | {
        "registry.add_compound",  # compounds belong to a community
        "registry.change_compound",
        "registry.reveal_identity",
        "registry.import_residents",
        "registry.view_importjob",
        "registry.export_lists",
    }
)
# District-wide settings of the register: the area tree and the special groups.
REGISTER_SETTINGS = perms("registry", {"area": "add change", "specialgroup": "add change"})

# --- care -----------------------------------------------------------------------------------------------------
CARE_READ = perms(
    "care",
    {
        "ledgerentry": "view",
        "pairing": "view",
        "followuptask": "view",
        "followup": "view",
        "spotcheck": "view",
        "helprequest": "view",
        "requestevent": "view",
        "relief": "view",
        "medicineschedule": "view",
        "medicinedelivery": "view",
        "risklevel": "view",
        "contactplan": "view",
    },
)
CARE_FIELD = (
    CARE_READ
    | perms(
        "care", {"ledgerentry": "add change", "followup": "add", "helprequest": "add change", "medicinedelivery": "add"}
    )
    | {"care.change_relief"}
)  # delivering relief
CARE_STAFF = CARE_FIELD | perms(
    "care", {"pairing": "add change", "spotcheck": "add", "relief": "add", "medicineschedule": "add change"}
)
CARE_SETTINGS = perms(
    "care",
    {
        "caresettings": "view add change",
        "contactplan": "add change",
        "risklevel": "add change",
        "requestdeadline": "view add change",
    },
)

# --- screening ------------------------------------------------------------------------------------------------
SCREENING_READ = perms(
    "screening",
    {
        "campaign": "view",
        "round": "view",
        "poolingrule": "view",
        "site": "view",
        "tube": "view",
        "sample": "view",
        "exclusion": "view",
        "knockoutcome": "view",
        "noticeack": "view",
        "homesamplingteam": "view",
        "homesamplingrequest": "view",
        "hold": "view",
        "alert": "view",
    },
)
SCREENING_FIELD = SCREENING_READ | perms(
    "screening",
    {
        "knockoutcome": "add",
        "noticeack": "add",
        "exclusion": "add",
        "homesamplingrequest": "add change",
        "alert": "change",
    },
)
SCREENING_STAFF = SCREENING_FIELD | perms("screening", {"homesamplingteam": "add change"})
SCREENING_SETTINGS = perms(
    "screening",
    {
        "campaign": "add change delete",
        "round": "add change delete",
        "poolingrule": "add change delete",
        "site": "add change delete",
        "homesamplingteam": "delete",
    },
)
SAMPLING = perms(
    "screening",
    {
        "campaign": "view",
        "round": "view",
        "site": "view",
        "tube": "add view",
        "sample": "view",
        "homesamplingrequest": "view change",
        "hold": "view",
    },
)
LAB_WORK = {
    "screening.view_campaign",
    "screening.view_round",
    "screening.view_tube",
    "screening.record_result",
    "screening.correct_result",
}

# --- accounts and the back office -----------------------------------------------------------------------------
ACCOUNTS_ADMIN = perms("accounts", {"user": "add change view", "apitoken": "add change view"}) | {
    "core.view_auditevent",
    "core.view_scheduledjob",
    "django_tasks_database.view_dbtaskresult",
}

ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: REGISTER_STAFF
    | REGISTER_SETTINGS
    | CARE_STAFF
    | CARE_SETTINGS
    | SCREENING_STAFF
    | SCREENING_SETTINGS
    | ACCOUNTS_ADMIN,
    Role.STREET_STAFF: REGISTER_STAFF | CARE_STAFF | SCREENING_STAFF,
    Role.COMMUNITY_STAFF: REGISTER_STAFF | CARE_STAFF | SCREENING_STAFF,
    Role.GRID_WORKER: READ_REGISTER
    | EDIT_REGISTER
    | {"registry.call_person", "registry.export_lists"}
    | CARE_FIELD
    | SCREENING_FIELD,
    Role.MEDIC: FIND_PERSON | SAMPLING,
    Role.LAB: LAB_WORK,
    Role.VOLUNTEER_LEAD: {"registry.view_area"},
}

# Roles that may open the Django admin (back office).
BACK_OFFICE_ROLES = {Role.DISTRICT_ADMIN, Role.STREET_STAFF, Role.COMMUNITY_STAFF}


def role_has_perm(role, perm):
    return perm in ROLE_PERMISSIONS.get(role, ())


def role_perms(role):
    return set(ROLE_PERMISSIONS.get(role, ()))
