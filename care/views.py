"""Care pages. Thin: objects come through the scoped managers (a person outside the user's area is a 404), work
is done by care.services, lists come from care.selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.middleware import client_ip
from care import selectors, services
from care.forms import (
    FollowUpForm,
    HelpRequestForm,
    ImportForm,
    PairForm,
    PeriodForm,
    PublicRequestForm,
    PublicStatusForm,
    ReliefDeliverForm,
    ReliefForm,
    RequestStepForm,
    SpotCheckForm,
    SurveyForm,
)
from care.ledger_sheet import ledger_import
from care.models import (
    CareSettings,
    FollowUp,
    HelpRequest,
    LedgerEntry,
    MedicineSchedule,
    Pairing,
    Relief,
    RequestKind,
)
from core import limits
from core.audit import audit_record
from core.context import system_actor, system_scope
from core.models import AuditEvent
from core.uploads import UploadRefused
from registry.models import Area, Person, SpecialGroup


def care_perm(codename):
    return permission_required(f"care.{codename}", raise_exception=True)


def _page(request, qs):
    from django.conf import settings

    return Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _form_errors(form, exc):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _user_area(request):
    """The area the page is about: ?area=<code> inside the user's scope (404 outside), else the user's own."""
    code = request.GET.get("area")
    if code:
        return get_object_or_404(Area, code=code)
    return request.user.area or Area.objects.filter(level=1).first()


# --- ledger -------------------------------------------------------------------------------------------------


@require_safe
@login_required
@care_perm("view_ledgerentry")
def ledger(request):
    group = SpecialGroup.objects.filter(code=request.GET.get("group")).first()
    entries = selectors.ledger_entry_list(group=group, grid=_user_area(request))
    return render(
        request,
        "care/ledger.html",
        {
            "page": _page(request, entries),
            "groups": SpecialGroup.objects.all(),
            "group": group,
            "to_survey": selectors.to_survey_list().count(),
            "unpaired": selectors.unpaired_list().count(),
        },
    )


@require_safe
@login_required
@care_perm("view_ledgerentry")
def to_survey(request):
    return render(request, "care/to_survey.html", {"page": _page(request, selectors.to_survey_list())})


@login_required
@care_perm("add_ledgerentry")
def ledger_import_view(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            saved, errors = ledger_import(request.FILES["file"], by=request.user)
        except UploadRefused as exc:
            form.add_error("file", str(exc))
        else:
            audit_record(AuditEvent.Action.IMPORT, summary=f"care ledger: {saved} rows, {len(errors)} errors")
            result = {"saved": saved, "errors": errors}
    return render(request, "care/ledger_import.html", {"form": form, "result": result})


@require_safe
@login_required
@care_perm("view_ledgerentry")
def person_ledger(request, person_id):
    """A person's care panel: groups, contact, recent follow-ups and requests (linked from the person page)."""
    person = get_object_or_404(Person.objects.select_related("grid"), pk=person_id)
    return render(request, "care/person_ledger.html", {"person": person, **person_panel_context(person)})


def person_panel_context(person):
    return {
        "entries": LedgerEntry.objects.filter(person=person).select_related("group", "risk_level"),
        "pairings": Pairing.objects.filter(person=person).select_related("worker", "backup")[:5],
        "followups": FollowUp.objects.filter(person=person).select_related("worker")[:10],
        "requests": HelpRequest.objects.filter(person=person)[:10],
    }


@login_required
@care_perm("add_ledgerentry")
def survey(request, person_id):
    person = get_object_or_404(Person, pk=person_id)
    form = SurveyForm(request.POST or None, initial={"group": request.GET.get("group")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        group = data.pop("group")
        try:
            services.ledger_entry_save(person, group, by=request.user, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved to the ledger."))
            return redirect("care:person_ledger", person_id=person.pk)
    return render(request, "care/survey.html", {"person": person, "form": form})


# --- pairing ------------------------------------------------------------------------------------------------


@require_safe
@login_required
@care_perm("view_pairing")
def unpaired(request):
    grids = Area.objects.filter(level=Area.Level.GRID)
    return render(request, "care/unpaired.html", {"page": _page(request, selectors.unpaired_list()), "grids": grids})


@login_required
@care_perm("add_pairing")
def pair_person(request, person_id):
    person = get_object_or_404(Person, pk=person_id)
    form = PairForm(request.POST or None, workers=selectors.workers_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_assign(
                person, form.cleaned_data["worker"], backup=form.cleaned_data["backup"], by=request.user
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Contact assigned."))
            return redirect("care:person_ledger", person_id=person.pk)
    history = Pairing.objects.filter(person=person).select_related("worker", "backup", "assigned_by")
    return render(request, "care/pair_person.html", {"person": person, "form": form, "history": history})


@login_required
@care_perm("add_pairing")
def pair_grid(request, grid_id):
    grid = get_object_or_404(Area, pk=grid_id, level=Area.Level.GRID)
    form = PairForm(request.POST or None, workers=selectors.workers_for(request.user))
    if request.method == "POST" and form.is_valid():
        count = services.pairing_assign_grid(
            grid, form.cleaned_data["worker"], backup=form.cleaned_data["backup"], by=request.user
        )
        messages.success(request, _("%(count)d persons paired.") % {"count": count})
        return redirect("care:unpaired")
    return render(request, "care/pair_grid.html", {"grid": grid, "form": form})


# --- follow-up ----------------------------------------------------------------------------------------------


@require_safe
@login_required
@care_perm("view_followuptask")
def today(request):
    """The grid worker's phone list for today. Reads only: the plan is made by `care-plan-day` at dawn; until it
    has run, the page says so."""
    context = {
        "cards": selectors.today_cards(request.user),
        "counts": selectors.today_counts(request.user),
        "planned": selectors.day_planned(),
        **_task_card_context(request),
    }
    return render(request, "care/today.html", context)


def _task_card_context(request):
    """What every card of the today list shares, worked out once per page: a list of a hundred cards at phone
    speed cannot afford a URL reversal, a CSRF token and a dozen translations per card."""
    options = format_html_join("", '<option value="{}">{}</option>', RequestKind.choices)
    return {
        "urls": {
            "call": reverse("registry:person_call", args=[0]).removesuffix("0/call/"),
            "followup": reverse("care:followup_record", args=[0]).removesuffix("0/followup/"),
        },
        "csrf_input": csrf_input(request),
        "need_select": format_html('<select name="need_kind" aria-label="{}">{}</select>', _("type of need"), options),
        "labels": {
            "call": _("Call"),
            "well": _("Reached, well"),
            "not_reached": _("Not reached"),
            "need": _("Reached, has a need"),
            "need_placeholder": _("What does the person need?"),
            "record_need": _("Record need and open a request"),
        },
    }


@login_required
@require_POST
@care_perm("add_followup")
def followup_record(request, person_id):
    person = get_object_or_404(Person.objects.select_related("grid"), pk=person_id)
    form = FollowUpForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.followup_record(person, worker=request.user, **form.cleaned_data)
        except ValidationError as exc:
            error = "; ".join(m for ms in exc.message_dict.values() for m in ms)
    else:
        error = _("Choose an outcome.")
    if request.htmx:
        # The tapped card and, swapped out of band, the page's counters: the list itself is not sent again.
        cards = selectors.today_cards(None, person_id=person.pk)
        card = cards[0] if cards else {"person_id": person.pk, "name": person.name, "status": "", "attempts": 0}
        context = {"card": card, "error": error, "counts": selectors.today_counts(request.user)}
        return render(request, "care/_task_tapped.html", {**context, **_task_card_context(request)})
    if error:
        messages.error(request, error)
    return redirect(request.POST.get("next") or reverse("care:today"))


# --- supervision --------------------------------------------------------------------------------------------


@require_safe
@login_required
@care_perm("view_followup")
def supervision(request):
    area = _user_area(request)
    day = timezone.localdate()
    by_community = selectors.supervision_by_community(area, day)
    totals = {k: sum(r[k] for r in by_community) for k in ("planned", "done", "not_reached", "open", "visit")}
    worker_id = request.GET.get("worker", "")
    unreached = selectors.unreached_list(area, day, worker_id=int(worker_id) if worker_id.isdigit() else None)
    return render(
        request,
        "care/supervision.html",
        {
            "area": area,
            "day": day,
            "planned": selectors.day_planned(day),
            "by_community": by_community,
            "by_worker": selectors.supervision_by_worker(area, day),
            "totals": totals,
            "unreached": unreached[:200],
            "unreached_count": unreached.count(),
            "unreached_days": CareSettings.current().unreached_days,
            "followups": selectors.recent_followups(area, day)[:50],
            "check_form": SpotCheckForm(),
        },
    )


@login_required
@require_POST
@care_perm("add_spotcheck")
def spot_check(request, followup_id):
    followup = get_object_or_404(FollowUp, pk=followup_id)
    form = SpotCheckForm(request.POST)
    if form.is_valid():
        services.spot_check_record(followup, supervisor=request.user, **form.cleaned_data)
        messages.success(request, _("Spot check recorded."))
    return redirect(reverse("care:supervision") + "#followups")


# --- help requests ------------------------------------------------------------------------------------------


@require_safe
@login_required
@care_perm("view_helprequest")
def requests(request):
    view = request.GET.get("view", "open")
    area = _user_area(request) if request.GET.get("area") else None  # the home's links by child area
    qs = selectors.help_request_list(
        status=request.GET.get("status") or None,
        overdue=view == "overdue",
        escalated=view == "escalated",
        kind=request.GET.get("kind") or None,
        area=area,
    )
    if view == "open":
        qs = qs.filter(status__in=HelpRequest.OPEN)
    return render(
        request, "care/requests.html", {"page": _page(request, qs), "view": view, "area": area, "now": timezone.now()}
    )


@login_required
@care_perm("add_helprequest")
def request_new(request):
    person = None
    if request.GET.get("person"):
        person = get_object_or_404(Person, pk=request.GET["person"])
    form = HelpRequestForm(request.POST or None, initial={"channel": HelpRequest.Channel.HOTLINE})
    if person is not None:
        form.fields["area"].required = False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            help_request = services.help_request_create(person=person, by=request.user, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("care:request_detail", request_id=help_request.pk)
    return render(request, "care/request_new.html", {"form": form, "person": person})


@require_safe
@login_required
@care_perm("view_helprequest")
def request_detail(request, request_id):
    help_request = get_object_or_404(
        HelpRequest.objects.select_related("area", "person", "assigned_to", "escalated_to"), pk=request_id
    )
    form = RequestStepForm(workers=selectors.workers_for(request.user))
    events = help_request.events.select_related("by")
    reliefs = help_request.reliefs.select_related("approved_by", "delivered_by")
    return render(
        request,
        "care/request_detail.html",
        {"r": help_request, "form": form, "events": events, "reliefs": reliefs, "now": timezone.now()},
    )


@login_required
@require_POST
@care_perm("change_helprequest")
def request_step(request, request_id):
    help_request = get_object_or_404(HelpRequest, pk=request_id)
    form = RequestStepForm(request.POST, workers=selectors.workers_for(request.user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.help_request_step(
                help_request,
                data["step"],
                by=request.user,
                note=data["note"],
                assigned_to=data["assigned_to"],
                result=data["result"] or None,
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(m for ms in exc.message_dict.values() for m in ms))
    return redirect("care:request_detail", request_id=help_request.pk)


# --- public page --------------------------------------------------------------------------------------------


def _over_limit(request, name, limit):
    """Counts one public use from this address in the shared cache (core.limits); True past `limit` per hour."""
    return not limits.hit(f"care:{name}", client_ip(request), limit=limit, window=3600)


# The receipts this browser was given, so the page after sending shows the request without asking for the phone.
SESSION_RECEIPTS = "care_public_receipts"


def public_request(request):
    """求助: a resident asks for help without an account and gets a receipt number."""
    with system_scope():
        form = PublicRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if _over_limit(request, "public_request", CareSettings.current().public_requests_per_hour):
                return render(request, "care/public_request.html", {"form": form, "limited": True}, status=429)
            data = form.cleaned_data
            person = _public_person(data["requester_phone"], data["community"])
            try:
                with system_actor():
                    help_request = services.help_request_create(
                        area=data["community"],
                        person=person,
                        kind=data["kind"],
                        channel=HelpRequest.Channel.PUBLIC,
                        requester_name=data["requester_name"],
                        requester_phone=data["requester_phone"],
                        description=data["description"],
                    )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                request.session[SESSION_RECEIPTS] = [help_request.receipt, *request.session.get(SESSION_RECEIPTS, [])][
                    :5
                ]
                return redirect(reverse("care:public_status") + f"?receipt={help_request.receipt}&new=1")
        return render(request, "care/public_request.html", {"form": form})


def _public_person(phone, community):
    """The green channel for a ledger person who writes in with their registered phone in their community."""
    from registry.identity import IdentityError, parse_phone

    try:
        phone = parse_phone(phone)
    except IdentityError:
        return None
    matches = list(
        Person.all_objects.filter(phone=phone, grid__parent=community, ledger_entries__isnull=False).distinct()[:2]
    )
    return matches[0] if len(matches) == 1 else None


def public_status(request):
    """The status of one request, by its receipt number and the last 4 digits of the phone given on it (a POST, so
    the digits stay out of addresses and logs): type, status and times only, no personal data. Look-ups per address
    are limited (PUBLIC_STATUS_LOOKUPS_PER_HOUR). The browser that sent a request sees it by its receipt alone."""
    from django.conf import settings

    receipt = services.receipt_normalize(request.GET.get("receipt", ""))
    form = PublicStatusForm(request.POST or None, initial={"receipt": receipt})
    context = {"form": form, "r": None, "new": request.GET.get("new") == "1"}
    with system_scope():
        if request.method == "GET" and receipt and receipt in request.session.get(SESSION_RECEIPTS, []):
            context["r"] = HelpRequest.objects.filter(receipt=receipt).first()
        elif request.method == "POST" and form.is_valid():
            if _over_limit(request, "public_status", settings.PUBLIC_STATUS_LOOKUPS_PER_HOUR):
                return render(request, "care/public_status.html", context | {"limited": True}, status=429)
            data = form.cleaned_data
            context["r"] = services.help_request_for_public(data["receipt"], data["phone_last4"])
            context["not_found"] = context["r"] is None
    return render(request, "care/public_status.html", context)


# --- relief -------------------------------------------------------------------------------------------------


@require_safe
@login_required
@care_perm("view_relief")
def relief(request):
    period = PeriodForm(request.GET or None)
    start = end = None
    if period.is_valid():
        start, end = period.cleaned_data["start"], period.cleaned_data["end"]
    reliefs = selectors.relief_list(start=start, end=end)
    level = Area.Level.COMMUNITY if request.user.area and request.user.area.level >= 2 else Area.Level.STREET
    return render(
        request,
        "care/relief.html",
        {"page": _page(request, reliefs), "period": period, "totals": selectors.relief_totals(reliefs, level)},
    )


@login_required
@care_perm("add_relief")
def relief_new(request):
    initial = {"request_receipt": request.GET.get("receipt", ""), "person_id": request.GET.get("person")}
    form = ReliefForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        help_request = person = None
        if data.pop("request_receipt"):
            receipt = services.receipt_normalize(form.cleaned_data["request_receipt"])
            help_request = get_object_or_404(HelpRequest, receipt=receipt)
        person_id = data.pop("person_id")
        if person_id:
            person = get_object_or_404(Person, pk=person_id)
        try:
            services.relief_create(approved_by=request.user, request=help_request, person=person, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Relief recorded."))
            return redirect("care:relief")
    return render(request, "care/relief_new.html", {"form": form})


@login_required
@require_POST
@care_perm("change_relief")
def relief_deliver(request, relief_id):
    item = get_object_or_404(Relief, pk=relief_id)
    form = ReliefDeliverForm(request.POST)
    if form.is_valid():
        try:
            services.relief_deliver(item, delivered_by=request.user, signed_by=form.cleaned_data["signed_by"])
        except ValidationError as exc:
            messages.error(request, "; ".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.success(request, _("Delivery recorded."))
    return redirect("care:relief")


# --- medicine -----------------------------------------------------------------------------------------------


@require_safe
@login_required
@care_perm("view_medicineschedule")
def medicine(request):
    schedules = MedicineSchedule.objects.filter(active=True).select_related("person__household__building", "grid")
    return render(request, "care/medicine.html", {"page": _page(request, schedules), "today": timezone.localdate()})


@login_required
@require_POST
@care_perm("add_medicinedelivery")
def medicine_deliver(request, schedule_id):
    schedule = get_object_or_404(MedicineSchedule, pk=schedule_id)
    services.medicine_deliver(schedule, delivered_by=request.user)
    messages.success(request, _("Delivery recorded."))
    return redirect("care:medicine")
