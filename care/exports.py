"""Care's exportable lists (core.exports): the ledger, the unreached, help requests, relief. Each is built acting as
the user who asked, through the scoped managers and the same selectors as its page."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from care import selectors
from care.forms import PeriodForm
from care.ledger_sheet import export_columns
from care.models import HelpRequest
from core.exports import Column, ExportList
from registry.models import Area, SpecialGroup

LEDGER, UNREACHED, REQUESTS, RELIEF = (
    _("Special-group ledger"),
    _("Not reached"),
    _("Help requests"),
    _("Relief money and goods"),
)


def _area(user, params, *, default=True):
    """`area` inside the user's scope (404 outside), else the user's own (as the pages' `_user_area`)."""
    code = params.get("area")
    if code:
        return get_object_or_404(Area, code=code)
    if not default:
        return None
    return user.area or Area.objects.filter(level=1).first()


def ledger(user, params):
    group = SpecialGroup.objects.filter(code=params.get("group", "")).first()
    return export_columns(), selectors.ledger_entry_list(group=group, grid=_area(user, params)), str(LEDGER)


UNREACHED_COLUMNS = [
    Column(_("grid"), "grid.name"),
    Column(_("name"), "person.name"),
    Column(_("phone"), "person.phone", sensitive="phone"),
    Column(_("responsible worker"), "worker.staff_label"),
    Column(_("last reached"), "last_reached_on"),
    Column(_("misses in a row"), "misses"),
]


def unreached(user, params):
    worker = params.get("worker", "")
    rows = selectors.unreached_list(
        _area(user, params), timezone.localdate(), worker_id=int(worker) if worker.isdigit() else None
    )
    return UNREACHED_COLUMNS, rows, str(UNREACHED)


REQUEST_COLUMNS = [
    Column(_("receipt number"), "receipt"),
    Column(_("area"), "area.name"),
    Column(_("type"), lambda r: r.get_kind_display()),
    Column(_("channel"), lambda r: r.get_channel_display()),
    Column(_("green channel"), lambda r: "✓" if r.green_channel else ""),
    Column(_("requester"), "requester_name"),
    Column(_("phone"), "requester_phone", sensitive="phone"),
    Column(_("what is needed"), "description", width=40),
    Column(_("status"), lambda r: r.get_status_display()),
    Column(_("received at"), "created_at"),
    Column(_("deadline"), "deadline_at"),
    Column(_("assigned to"), "assigned_to.staff_label"),
    Column(_("escalated to"), "escalated_to.name"),
    Column(_("result"), "result"),
]


def help_requests(user, params):
    """As the requests page: `view` (open, overdue, escalated, all), `status`, `kind`, `area`."""
    view = params.get("view", "open")
    qs = selectors.help_request_list(
        status=params.get("status") or None,
        overdue=view == "overdue",
        escalated=view == "escalated",
        kind=params.get("kind") or None,
        area=_area(user, params, default=False),
    )
    if view == "open":
        qs = qs.filter(status__in=HelpRequest.OPEN)
    return REQUEST_COLUMNS, qs, str(REQUESTS)


RELIEF_COLUMNS = [
    Column(_("area"), "area.name"),
    Column(_("request receipt number"), "request.receipt"),
    Column(_("name"), "person.name"),
    Column(_("ID number"), "person.id_number", sensitive="id_number"),
    Column(_("kind"), lambda r: r.get_kind_display()),
    Column(_("what"), "item"),
    Column(_("amount (yuan)"), lambda r: float(r.amount)),
    Column(_("quantity"), "quantity"),
    Column(_("approved by"), "approved_by.staff_label"),
    Column(_("delivered by"), "delivered_by.staff_label"),
    Column(_("signed for by"), "signed_by"),
    Column(_("delivered at"), "delivered_at"),
]


def relief(user, params):
    """Relief in a period (`start`, `end`: dates; a bad one is refused naming it)."""
    period = PeriodForm(params)
    if not period.is_valid():
        raise ValidationError(
            {name: [f"{period.fields[name].label}: {e}" for e in errors] for name, errors in period.errors.items()}
        )
    data = period.cleaned_data
    return RELIEF_COLUMNS, selectors.relief_list(start=data["start"], end=data["end"]), str(RELIEF)


EXPORTS = [
    ExportList("care.ledger", LEDGER, "care.view_ledgerentry", ledger, params=("group", "area")),
    ExportList("care.unreached", UNREACHED, "care.view_followup", unreached, params=("area", "worker")),
    ExportList(
        "care.requests",
        REQUESTS,
        "care.view_helprequest",
        help_requests,
        params=("view", "status", "kind", "area"),
    ),
    ExportList("care.relief", RELIEF, "care.view_relief", relief, params=("start", "end")),
]
