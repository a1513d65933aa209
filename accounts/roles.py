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
    CHECKPOINT_STAFF = "checkpoint_staff", _("checkpoint staff")
    TRACING_STAFF = "tracing_staff", _("tracing staff")
    LOGISTICS_STAFF = "logistics_staff", _("logistics staff")
    VOLUNTEER = "volunteer", _("volunteer")


# The area level a role is normally bound to (a hint for forms and the demo, not a rule).
ROLE_AREA_LEVEL = {
    Role.DISTRICT_ADMIN: 1,
    Role.STREET_STAFF: 2,
    Role.COMMUNITY_STAFF: 3,
    Role.GRID_WORKER: 4,
    Role.MEDIC: 1,
    Role.LAB: 1,
    Role.VOLUNTEER_LEAD: 3,
    Role.CHECKPOINT_STAFF: 3,
    Role.TRACING_STAFF: 1,
    Role.LOGISTICS_STAFF: 1,
    Role.VOLUNTEER: 3,
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
        "homesamplingteam": "view",
        "homesamplingrequest": "view",
        "hold": "view",
        "alert": "view",
    },
) | {"notices.view_noticeack"}  # a round's notice acknowledgements, kept by the notices app
SCREENING_FIELD = (
    SCREENING_READ
    | perms(
        "screening",
        {
            "knockoutcome": "add",
            "exclusion": "add",
            "homesamplingrequest": "add change",
            "alert": "change",
        },
    )
    | {"notices.add_noticeack"}
)
SCREENING_STAFF = SCREENING_FIELD | perms("screening", {"homesamplingteam": "add change", "roundplan": "view"})
# The round planner: the district and the streets plan their sites' rounds (communities read the plan).
SCREENING_PLAN = {"screening.add_roundplan"}
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

# --- tracing: venues -------------------------------------------------------------------------------------------
# A community puts up its shops' and gates' venue codes; tracing staff and the district keep the list. Grid workers
# and checkpoint staff print and check the posters of their area. Scans are logged by the public page itself.
TRACING_VENUES = perms("tracing", {"venue": "add change view"})
TRACING_VENUES_VIEW = {"tracing.view_venue"}
# --- tracing: arrivals and key groups -------------------------------------------------------------------------
TRACING_ARRIVALS_READ = perms(
    "tracing",
    {
        "arrivalreport": "view",
        "testobligation": "view",
        "antigentest": "view",
        "keygroup": "view",
        "keygroupmember": "view",
        "inspection": "view",
    },
)
# Grid workers record arrivals and antigen tests, and match their grid's unmatched reports to the register.
TRACING_ARRIVALS_FIELD = TRACING_ARRIVALS_READ | perms("tracing", {"arrivalreport": "add change", "antigentest": "add"})
# Community and street staff also put people on a key group's regime and inspect special venues.
TRACING_ARRIVALS_STAFF = TRACING_ARRIVALS_FIELD | perms("tracing", {"keygroupmember": "add", "inspection": "add"})
# The district admin keeps the risk areas and the rules, and sets up key groups (back office).
TRACING_ARRIVALS_SETTINGS = perms(
    "tracing",
    {"riskarea": "add change delete view", "arrivalrule": "change view", "keygroup": "add change", "division": "view"},
)
# --- tracing: cases and contacts -------------------------------------------------------------------------------
# Community and street staff see the cases and contacts of their area (their people); tracing staff and the
# district trace: open cases, propose, confirm and dismiss contacts. Confirming opens the contact's isolation.
TRACING_CASES_READ = perms("tracing", {"case": "view", "contact": "view"})
TRACING_CASES = TRACING_CASES_READ | perms(
    "tracing", {"case": "add change", "contact": "add change", "isolation": "add view", "venuevisit": "view"}
)
# --- tracing: isolation, hand-over, protocols --------------------------------------------------------------
TRACING_ISOLATION_READ = perms(
    "tracing", {"isolation": "view", "handover": "view", "testobligation": "view", "protocolversion": "view"}
)
# Grid workers notify, transfer and watch isolation at home; accepting a hand-over is the community's.
TRACING_ISOLATION_FIELD = TRACING_ISOLATION_READ | {"tracing.change_isolation"}
# Communities and streets also identify risk persons who live in their area (a case's household, an arrival).
TRACING_ISOLATION = TRACING_ISOLATION_FIELD | {"tracing.change_handover", "tracing.add_isolation"}
TRACING_ISOLATION_SETTINGS = perms("tracing", {"protocolversion": "add change", "tracingsettings": "view change"})
# --- tracing: temporary control ----------------------------------------------------------------------------------
# Staff put their compounds, buildings and areas under control and lift it; those who check people at a gate or
# trace contacts read the controls. Residents' doorstep needs are care help requests (CARE_FIELD's add_helprequest).
TRACING_CONTROL_READ = perms("tracing", {"control": "view"})
TRACING_CONTROL = perms("tracing", {"control": "add change view", "controlneed": "view"})
# --- volunteers, shifts and errands ---------------------------------------------------------------------------
VOLUNTEERS_STAFF = perms(
    "volunteers",
    {"volunteer": "view", "shift": "view add", "errand": "view add"},
) | {"volunteers.verify_volunteer", "screening.view_site"}
# The grid sees open errands and their age and enters them (a doorstep need, a follow-up call).
ERRANDS_GRID = perms("volunteers", {"errand": "view add"})
# A volunteer's own login: their own shifts and errands only (OWN_ROWS_ROLES below).
VOLUNTEER_OWN = {"registry.view_area", "volunteers.check_in_shift", "volunteers.claim_errand"}
# --- donations and deliveries -------------------------------------------------------------------------------
LOGISTICS = perms(
    "logistics",
    {
        "campaign": "view add change",
        "pledge": "view change",
        "moneydonation": "view add",
        "delivery": "view add change",
        "stockuse": "view add",
    },
) | {"logistics.receive_delivery"}
# A street's or community's sites: what is coming, what arrived (confirmed at the site), what was handed out.
LOGISTICS_SITE = perms("logistics", {"campaign": "view", "delivery": "view", "stockuse": "view add"}) | {
    "logistics.receive_delivery"
}

# --- accounts and the back office -----------------------------------------------------------------------------
# --- notices --------------------------------------------------------------------------------------------------
# Staff write and send notices, keep the templates and the grids' group robots; a grid worker sends to their grid
# and works its phone and knock lists (a reply or a reached call acknowledges).
NOTICES_GRID = perms(
    "notices",
    {"notice": "add view", "delivery": "view change", "calltask": "view change", "noticetemplate": "view"},
)
NOTICES_STAFF = NOTICES_GRID | perms("notices", {"noticetemplate": "add change", "noticegrouprobot": "add change view"})

ACCOUNTS_ADMIN = perms("accounts", {"user": "add change view", "apitoken": "add change view"}) | {
    "otp_totp.delete_totpdevice",  # resets a user's TOTP second factor (a lost phone), in the admin's area
    "core.view_auditevent",
    "core.view_scheduledjob",
    "django_tasks_database.view_dbtaskresult",
}

# --- tracing: the gate ------------------------------------------------------------------------------------------
# A checkpoint logs entries at its gates and reads its own log. The gate service finds whoever scans itself (as the
# desk does), so checkpoint staff need no read of the register.
TRACING_GATE = {"registry.view_area"} | perms("tracing", {"venue": "view", "venuevisit": "add view"})
# The grid sees and acknowledges the alerts its residents raised at a gate.
TRACING_GATE_ALERTS = perms("tracing", {"entryalert": "view change"})

# Tracing and control, per role: each part's sets.
TRACING = {
    Role.DISTRICT_ADMIN: TRACING_VENUES
    | TRACING_GATE
    | TRACING_GATE_ALERTS
    | TRACING_ARRIVALS_STAFF
    | TRACING_ARRIVALS_SETTINGS
    | TRACING_CASES
    | TRACING_ISOLATION
    | TRACING_ISOLATION_SETTINGS
    | TRACING_CONTROL,
    Role.STREET_STAFF: TRACING_VENUES
    | TRACING_GATE
    | TRACING_GATE_ALERTS
    | TRACING_ARRIVALS_STAFF
    | TRACING_CASES_READ
    | TRACING_ISOLATION
    | TRACING_CONTROL,
    Role.COMMUNITY_STAFF: TRACING_VENUES
    | TRACING_GATE
    | TRACING_GATE_ALERTS
    | TRACING_ARRIVALS_STAFF
    | TRACING_CASES_READ
    | TRACING_ISOLATION
    | TRACING_CONTROL,
    Role.GRID_WORKER: TRACING_VENUES_VIEW | TRACING_GATE_ALERTS | TRACING_ARRIVALS_FIELD | TRACING_ISOLATION_FIELD,
    Role.CHECKPOINT_STAFF: TRACING_GATE | TRACING_VENUES_VIEW | TRACING_CONTROL_READ,
    Role.TRACING_STAFF: TRACING_VENUES
    | TRACING_ARRIVALS_READ
    | FIND_PERSON
    | TRACING_CASES
    | TRACING_ISOLATION_FIELD
    | TRACING_CONTROL_READ,
}

# --- the command centre -----------------------------------------------------------------------------------------
# The daily report (日报) of an area: made by the job each morning, or on demand; read and downloaded by its staff.
COMMAND_REPORTS = perms("command", {"dailyreport": "add view"})

# --- the people's data (PIPL, core.retention and registry.personal_data) ---------------------------------------
# A person asks what is held about them: the street or the district answers (an export of their data, audited). The
# district alone sees what the retention purge would delete, and erases a person's data on request.
SUBJECT_ACCESS = {"registry.export_person_data"}
DATA_LIFECYCLE = SUBJECT_ACCESS | {"core.see_retention_report", "registry.erase_person"}

ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: REGISTER_STAFF
    | REGISTER_SETTINGS
    | CARE_STAFF
    | CARE_SETTINGS
    | SCREENING_STAFF
    | SCREENING_PLAN
    | SCREENING_SETTINGS
    | TRACING[Role.DISTRICT_ADMIN]
    | LOGISTICS
    | VOLUNTEERS_STAFF
    | NOTICES_STAFF
    | COMMAND_REPORTS
    | ACCOUNTS_ADMIN
    | DATA_LIFECYCLE,
    Role.STREET_STAFF: REGISTER_STAFF
    | CARE_STAFF
    | SCREENING_STAFF
    | SCREENING_PLAN
    | TRACING[Role.STREET_STAFF]
    | VOLUNTEERS_STAFF
    | NOTICES_STAFF
    | COMMAND_REPORTS
    | LOGISTICS_SITE
    | SUBJECT_ACCESS,
    Role.COMMUNITY_STAFF: REGISTER_STAFF
    | CARE_STAFF
    | SCREENING_STAFF
    | TRACING[Role.COMMUNITY_STAFF]
    | VOLUNTEERS_STAFF
    | NOTICES_STAFF
    | COMMAND_REPORTS
    | LOGISTICS_SITE,
    Role.GRID_WORKER: READ_REGISTER
    | EDIT_REGISTER
    | {"registry.call_person", "registry.export_lists"}
    | CARE_FIELD
    | SCREENING_FIELD
    | TRACING[Role.GRID_WORKER]
    | ERRANDS_GRID
    | NOTICES_GRID,
    Role.MEDIC: FIND_PERSON | SAMPLING,
    Role.LAB: LAB_WORK,
    Role.VOLUNTEER_LEAD: {"registry.view_area"} | VOLUNTEERS_STAFF,
    Role.CHECKPOINT_STAFF: TRACING[Role.CHECKPOINT_STAFF],
    Role.TRACING_STAFF: {"registry.view_area"} | TRACING[Role.TRACING_STAFF],
    Role.LOGISTICS_STAFF: {"registry.view_area"} | LOGISTICS,
    Role.VOLUNTEER: VOLUNTEER_OWN,
}

# Roles that act on their own rows only: inside their area, every model with an `owner_filter` shows them only
# what they own (core.scoping) — a volunteer sees their own shifts and errands, not another volunteer's.
OWN_ROWS_ROLES = {Role.VOLUNTEER}

# Roles that log in as staff: with STAFF_TOTP=required they must enrol a second factor (accounts.totp). A volunteer's
# login reaches only their own shifts and errands, so it is not asked.
STAFF_ROLES = set(Role) - {Role.VOLUNTEER}

# Roles that may open the Django admin (back office).
BACK_OFFICE_ROLES = {Role.DISTRICT_ADMIN, Role.STREET_STAFF, Role.COMMUNITY_STAFF}


def role_has_perm(role, perm):
    return perm in ROLE_PERMISSIONS.get(role, ())


def role_perms(role):
    return set(ROLE_PERMISSIONS.get(role, ()))
