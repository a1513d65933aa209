"""Tracing pages. Thin: objects come through the scoped managers (outside the user's area is a 404), work is done
by tracing.services, lists come from tracing.selectors."""

import secrets

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.middleware import client_ip
from core import limits
from core.access import writable
from core.context import system_actor, system_scope
from registry.models import Area, Building, Person
from registry.selectors import person_search
from screening.codes import PREFIX, person_code
from screening.models import TraceEntry
from screening.services import unplaced_grid
from tracing import selectors, services
from tracing.forms import (
    AntigenForm,
    CaseForm,
    CaseOpenForm,
    ContactForm,
    ControlForm,
    ControlLiftForm,
    ControlNeedForm,
    InspectionForm,
    MemberForm,
    PublicArrivalForm,
    ResolveForm,
    ScanForm,
    VenueEditForm,
    VenueFilterForm,
    VenueForm,
    WorkerArrivalForm,
)
from tracing.models import (
    ArrivalReport,
    Case,
    Contact,
    Control,
    EntryAlert,
    HandOver,
    Isolation,
    KeyGroup,
    TracingSettings,
    Venue,
    VenueVisit,
)

# --- venues ---

# The person remembered on a phone after a scan: their registration code (already signed), never their ID number.
SCAN_COOKIE = "gc_venue_person"
SCAN_COOKIE_SALT = "tracing.venue-scan"
SCAN_COOKIE_DAYS = 30


def _form_errors(form, exc):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_safe
@login_required
@permission_required("tracing.view_venue", raise_exception=True)
def venue_list(request):
    form = VenueFilterForm(request.GET or None)
    area = kind = None
    if form.is_valid():
        area, kind = form.cleaned_data["area"], form.cleaned_data["kind"]
    venues = Paginator(selectors.venue_list(area=area, kind=kind), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tracing/venues_list.html", {"form": form, "page": venues, "area": area})


def _venue_edit(request, form_class, venue=None):
    initial = {}
    if venue is not None:
        initial = {f: getattr(venue, f) for f in ("name", "kind", "area", "compound", "address", "active")}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if venue is None:
                venue = services.venue_create(**form.cleaned_data)
            else:
                venue = services.venue_update(venue, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("tracing:venue_poster", venue_id=venue.pk)
    status = 400 if form.errors else 200
    return render(request, "tracing/venues_edit.html", {"form": form, "venue": venue}, status=status)


@login_required
@permission_required("tracing.add_venue", raise_exception=True)
def venue_new(request):
    return _venue_edit(request, VenueForm)


@login_required
@permission_required("tracing.change_venue", raise_exception=True)
def venue_edit(request, venue_id):
    return _venue_edit(request, VenueEditForm, get_object_or_404(Venue, pk=venue_id))


def _poster(request, venue):
    url = request.build_absolute_uri(reverse("tracing:venue_scan", args=[venue.code]))
    return {"venue": venue, "url": url, "qr_svg": segno.make(url, error="m").svg_inline(scale=8, omitsize=True)}


def _size(request):
    return "a5" if request.GET.get("size") == "a5" else "a4"


@require_safe
@login_required
@permission_required("tracing.view_venue", raise_exception=True)
def venue_poster(request, venue_id):
    """The venue code poster to print and put up at the door: its QR code opens the public scan page."""
    venue = get_object_or_404(Venue.objects.select_related("area"), pk=venue_id)
    return render(
        request,
        "tracing/venues_posters.html",
        {"posters": [_poster(request, venue)], "size": _size(request), "one": venue},
    )


@require_safe
@login_required
@permission_required("tracing.view_venue", raise_exception=True)
def venue_posters(request, area_id):
    """Every active venue of an area, one poster a page, in one printout."""
    area = get_object_or_404(Area.objects, pk=area_id)
    venues = selectors.venue_list(area=area).filter(active=True)
    return render(
        request,
        "tracing/venues_posters.html",
        {"posters": [_poster(request, v) for v in venues], "size": _size(request), "area": area},
    )


def _scan_limited(request, name, per_hour):
    return not limits.hit(f"tracing:{name}", client_ip(request), limit=per_hour, window=3600)


def venue_scan(request, venue_code):
    """扫场所码: the public page a venue's QR code opens. The person names themselves by their registration code
    (remembered on this phone after the first scan) or ID number + phone; the page confirms the venue and the time
    and shows nothing about the person."""
    venue = selectors.venue_for_scan(venue_code)
    if venue is None:
        return render(request, "tracing/venues_scan_unknown.html", status=404)
    remembered = request.get_signed_cookie(SCAN_COOKIE, default="", salt=SCAN_COOKIE_SALT)
    posted = request.POST.copy() if request.method == "POST" else None
    if posted is not None and posted.get("remembered") and remembered and not posted.get("person_code"):
        posted["person_code"] = remembered  # the one-tap check-in of a phone that scanned here before
    form = ScanForm(posted)
    context = {"venue": venue, "form": form, "remembered": bool(remembered)}
    if request.method != "POST":
        return render(request, "tracing/venues_scan.html", context)
    if _scan_limited(request, "scan", settings.VENUE_SCANS_PER_HOUR):
        return render(request, "tracing/venues_scan.html", {**context, "limited": True}, status=429)
    if not form.is_valid():
        return render(request, "tracing/venues_scan.html", context, status=400)
    data = form.cleaned_data
    person = selectors.person_for_scan(**data)
    if person is None:
        # Misses are counted apart, tighter: guessing ID numbers and phones must not pay.
        limited = _scan_limited(request, "scan-miss", settings.VENUE_SCAN_MISSES_PER_HOUR)
        form.add_error("person_code" if data["person_code"] else None, _no_match())
        return render(
            request, "tracing/venues_scan.html", {**context, "limited": limited}, status=429 if limited else 400
        )
    try:
        with system_actor():
            visit = services.venue_visit_scan(venue, person)
    except ValidationError as exc:
        _form_errors(form, exc)
        return render(request, "tracing/venues_scan.html", context, status=409)
    response = render(
        request, "tracing/venues_scanned.html", {"venue": venue, "visited_at": visit.visited_at, "now": timezone.now()}
    )
    response.set_signed_cookie(
        SCAN_COOKIE,
        person_code(person),
        salt=SCAN_COOKIE_SALT,
        max_age=SCAN_COOKIE_DAYS * 86400,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


def _no_match():
    return _("No registered person matches. Check the ID number and the phone number, or ask the venue's staff.")


# --- gate ---

GATE_FILES = ("gridcare/site.css", "tracing/gate.css", "tracing/gate.js")


def _gate_text():
    """Messages the gate script shows; {name} slots are filled in the browser. The fever and colour advice are the
    server's own words (services.entry_advice), so offline and online say the same."""
    return {
        "chooseGate": _("Choose the gate first."),
        "scanFirst": _("Scan the person's code or type their ID number first."),
        "badQr": _("Not a valid personal code."),
        "badCheckDigit": _("ID number {n} fails its check digit: look again."),
        "idLength": _("An ID number has 18 characters."),
        "scanned": _("Scanned {who}: tap the colour of the code the person shows."),
        "recorded": _("Recorded: {who}, {colour}, {direction}."),
        "queued": _("{n} entries waiting to send"),
        "allSent": _("All entries sent"),
        "loginAgain": _("Your login has expired: log in again; the entries stay queued."),
        "refused": _("Entry refused: {who}"),
        "dismiss": _("Remove"),
        "badTemperature": _("Temperature must be between 34 and 43 °C."),
        "fever": _("Fever: do not admit; escort the person to the fever clinic. The grid worker is told."),
        "red": _("Red code: keep the person here and call the community."),
        "yellow": _("Yellow code: do not admit; send the person to a yellow-code testing point."),
        "unknown": _("No code shown: do not admit until the code is checked. The grid worker is told."),
        "admit": _("Admit."),
        "colours": dict(VenueVisit.CodeColour.choices),
        "directions": dict(VenueVisit.Direction.choices),
    }


@require_safe
@login_required
@permission_required("tracing.add_venuevisit", raise_exception=True)
def gate(request):
    """The gate: one scan, one tap on the code colour. The gate worked is chosen on the device and remembered."""
    return render(
        request,
        "tracing/gate_page.html",
        {
            "venues": list(selectors.gate_venues()),
            "fever": TracingSettings.current().fever_celsius,
            "text": _gate_text(),
            "qr_prefix": PREFIX,
        },
    )


@require_safe
@login_required
def gate_worker(request):
    """The gate's service worker (the desk's, with its own cache): the page reloads with no connection."""
    files = [static(name) for name in GATE_FILES]
    return render(
        request,
        "screening/desk_sw.js",
        {"page_url": reverse("tracing:gate"), "files": files, "version": "1", "cache_prefix": "gc-gate-"},
        content_type="application/javascript",
    )


@require_safe
@login_required
@permission_required("tracing.view_venuevisit", raise_exception=True)
def gate_log(request):
    """Today's entries at the actor's gates (or the one chosen), with counts by colour and fevers."""
    venues = selectors.gate_venues()
    chosen = None
    if request.GET.get("venue", "").isdigit():
        chosen = get_object_or_404(venues, pk=request.GET["venue"])
        venues = venues.filter(pk=chosen.pk)
    entries = selectors.gate_log(venues)
    return render(
        request,
        "tracing/gate_log.html",
        {
            "venues": selectors.gate_venues(),
            "chosen": chosen,
            "counts": selectors.gate_counts(entries),
            "entries": entries[:300],
            "fever": TracingSettings.current().fever_celsius,
        },
    )


@require_safe
@login_required
@permission_required("tracing.view_entryalert", raise_exception=True)
def entry_alerts(request):
    """The grid's entry alerts, unacknowledged first."""
    return render(request, "tracing/gate_alerts.html", {"alerts": selectors.entry_alert_list()[:200]})


@login_required
@require_POST
def entry_alert_ack(request, alert_id):
    alert = writable(
        EntryAlert.objects.select_related("person", "visit__venue", "acknowledged_by"),
        "tracing.change_entryalert",
        pk=alert_id,
    )
    try:
        services.entry_alert_acknowledge(alert, user=request.user)
    except services.AlreadyAcknowledged:
        pass  # a second tap (or a colleague) got there first: the row shows who acknowledged it
    return render(request, "tracing/gate_alert_row.html", {"a": alert})


# --- arrivals ---


def _perm(codename):
    return permission_required(f"tracing.{codename}", raise_exception=True)


def _form_errors(form, exc):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _report_fields(data):
    keys = ("name", "id_number", "phone", "origin", "arrived_at", "transport", "transport_number", "address")
    return {key: data[key] for key in keys}


# The receipts this browser was given: the receipt page shows only these (a receipt alone reveals nothing, but
# the page need not answer for any other).
SESSION_RECEIPTS = "tracing_arrival_receipts"


def arrival_public(request):
    """来返报备 without an account: phone first, a receipt at the end. The answer is the same whether or not the
    person is in the register (a report not matched waits in the community's unplaced grid). Rate-limited per
    address; a resent form (same one-time key) gives the first receipt."""
    with system_scope():
        form = PublicArrivalForm(request.POST or None, initial={"client_key": secrets.token_urlsafe(24)})
        if request.method == "POST" and form.is_valid():
            limit = TracingSettings.current().arrival_reports_per_hour
            if not limits.hit("tracing:arrival_public", client_ip(request), limit=limit, window=3600):
                return render(request, "tracing/arrivals_public.html", {"form": form, "limited": True}, status=429)
            data = form.cleaned_data
            if data["origin"] is None:
                form.add_error("province", _("choose where you are coming from"))
            else:
                try:
                    with system_actor():
                        report = services.arrival_report_create(
                            grid=unplaced_grid(data["community"]),
                            channel=ArrivalReport.Channel.PUBLIC,
                            client_key=data["client_key"] or None,
                            **_report_fields(data),
                        )
                except ValidationError as exc:
                    _form_errors(form, exc)
                else:
                    request.session[SESSION_RECEIPTS] = [report.receipt, *request.session.get(SESSION_RECEIPTS, [])][:5]
                    return redirect("tracing:arrival_receipt", receipt=report.receipt)
        return render(request, "tracing/arrivals_public.html", {"form": form})


@require_safe
def arrival_receipt(request, receipt):
    """The receipt of a self-report this browser sent, with what to do next; nothing about the register."""
    if receipt not in request.session.get(SESSION_RECEIPTS, []):
        return render(request, "tracing/arrivals_receipt.html", {"receipt": None}, status=404)
    with system_scope():
        report = get_object_or_404(ArrivalReport, receipt=receipt)
    return render(request, "tracing/arrivals_receipt.html", {"receipt": receipt, "report": report})


@require_safe
def division_options(request):
    """The <option>s under a province or a city, for the origin pickers (htmx); public, reference data only."""
    parent = request.GET.get("city") or request.GET.get("province") or ""
    options = selectors.division_options(parent) if parent else []
    return render(request, "tracing/arrivals_options.html", {"options": options})


@require_safe
@login_required
@_perm("view_arrivalreport")
def arrivals(request):
    unmatched = request.GET.get("view") == "unmatched"
    reports = selectors.arrival_report_list(unmatched=unmatched)[:200]
    return render(request, "tracing/arrivals_list.html", {"reports": reports, "unmatched": unmatched})


@login_required
@_perm("add_arrivalreport")
def arrival_new(request):
    """The grid worker's form: matched to the register by ID number; someone not in it waits in the chosen grid."""
    form = WorkerArrivalForm(request.POST or None, initial={"grid": request.user.area_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["origin"] is None:
            form.add_error("province", _("choose where the person is coming from"))
        else:
            try:
                report = services.arrival_report_create(
                    grid=data["grid"],
                    channel=ArrivalReport.Channel.WORKER,
                    client_key=data["client_key"] or None,
                    **_report_fields(data),
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Arrival recorded."))
                return redirect("tracing:arrival_detail", report_id=report.pk)
    if not form.is_bound:
        form.initial["client_key"] = secrets.token_urlsafe(24)
    return render(request, "tracing/arrivals_new.html", {"form": form}, status=400 if form.is_bound else 200)


@require_safe
@login_required
@_perm("view_arrivalreport")
def arrival_detail(request, report_id):
    report = get_object_or_404(ArrivalReport.objects.select_related("person", "grid", "origin"), pk=report_id)
    candidates = []
    if report.person_id is None:
        # Who in the resolver's area this could be: the same name or the same phone.
        candidates = list(
            Person.objects.filter(Q(name=report.name) | Q(phone=report.phone)).select_related("grid")[:10]
        )
    obligations = report.obligations.order_by("due_from")
    return render(
        request,
        "tracing/arrivals_detail.html",
        {"report": report, "candidates": candidates, "obligations": obligations},
    )


@require_POST
@login_required
@_perm("change_arrivalreport")
def arrival_resolve(request, report_id):
    report = get_object_or_404(ArrivalReport, pk=report_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        person = get_object_or_404(Person, pk=form.cleaned_data["person_id"])
        try:
            services.arrival_report_resolve(report, person)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Matched to the register."))
    else:
        messages.error(request, _("Choose a person."))
    return redirect("tracing:arrival_detail", report_id=report.pk)


@require_safe
@login_required
@_perm("view_testobligation")
def tests_due(request):
    """Who owes a test today and who is overdue, in the user's area (the grid worker's phone list); above a grid,
    the counts per grid first."""
    now = timezone.now()
    context = {
        "due": selectors.tests_due_today(now)[:300],
        "overdue": selectors.tests_overdue(now)[:300],
        "counts": selectors.tests_due_counts(now),
        "by_grid": selectors.tests_due_by_grid(now) if request.user.area and request.user.area.level < 4 else [],
        "antigen_form": AntigenForm(),
        "may_record_antigen": request.user.has_perm("tracing.add_antigentest"),
    }
    return render(request, "tracing/arrivals_due.html", context)


@require_POST
@login_required
@_perm("add_antigentest")
def antigen_record(request, person_id):
    person = get_object_or_404(Person, pk=person_id)
    form = AntigenForm(request.POST)
    if form.is_valid():
        try:
            services.antigen_test_record(person, result=form.cleaned_data["result"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Antigen test recorded for %(name)s.") % {"name": person.name})
    else:
        messages.error(request, _("Choose the antigen result."))
    return redirect("tracing:tests_due")


# --- key groups ---


@require_safe
@login_required
@_perm("view_keygroup")
def key_groups(request):
    return render(request, "tracing/arrivals_key_groups.html", {"groups": selectors.key_group_list()})


@require_safe
@login_required
@_perm("view_keygroup")
def key_group(request, group_id):
    group = get_object_or_404(KeyGroup.objects.select_related("area", "venue"), pk=group_id)
    context = {
        "group": group,
        "members": selectors.key_group_members(group),
        "form": MemberForm(),
        "may_add": request.user.has_perm("tracing.add_keygroupmember"),
    }
    return render(request, "tracing/arrivals_key_group.html", context)


@require_POST
@login_required
@_perm("add_keygroupmember")
def key_group_member_add(request, group_id):
    group = get_object_or_404(KeyGroup, pk=group_id)
    form = MemberForm(request.POST)
    person = None
    if form.is_valid():
        from registry.identity import clean_text

        person = Person.objects.filter(id_number=clean_text(form.cleaned_data["id_number"]).upper()).first()
    if person is None:
        messages.error(request, _("No person with this ID number in your area."))
    else:
        try:
            services.key_group_member_add(group, person)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s added to the group.") % {"name": person.name})
    return redirect("tracing:key_group", group_id=group.pk)


@require_safe
@login_required
@_perm("view_inspection")
def special_venues(request):
    context = {
        "rows": selectors.special_venues_to_inspect(),
        "form": InspectionForm(initial={"inspected_on": timezone.localdate()}),
        "may_inspect": request.user.has_perm("tracing.add_inspection"),
        "every": TracingSettings.current().inspection_every_days,
        "today": timezone.localdate(),
    }
    return render(request, "tracing/arrivals_special_venues.html", context)


@require_POST
@login_required
@_perm("add_inspection")
def inspection_new(request, venue_id):
    venue = get_object_or_404(Venue, pk=venue_id, kind=Venue.Kind.SPECIAL)
    form = InspectionForm(request.POST)
    if form.is_valid():
        try:
            services.inspection_record(venue, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Inspection of %(venue)s recorded.") % {"venue": venue.name})
    else:
        messages.error(request, " ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()))
    return redirect("tracing:special_venues")


# --- cases ---


def _refused(request, exc):
    messages.error(request, " ".join(exc.messages))


@require_safe
@login_required
@permission_required("tracing.view_case", raise_exception=True)
def case_list(request):
    """The tracer's list: to-trace rows waiting to become cases (for who may open them), then the cases."""
    inbox = selectors.trace_inbox()[:200] if request.user.has_perm("tracing.add_case") else []
    return render(
        request,
        "tracing/cases_list.html",
        {"inbox": inbox, "cases": selectors.case_list()[:200], "open_form": CaseOpenForm(), **selectors.tracing_day()},
    )


@require_safe
@login_required
@permission_required("tracing.view_contact", raise_exception=True)
def contacts_waiting(request):
    return render(request, "tracing/cases_contacts.html", {"contacts": selectors.contacts_proposed()[:300]})


def _persons(q):
    if not q:
        return Person.objects.none()
    return Person.objects.filter(pk__in=[p.pk for p in person_search(q)]).select_related("grid")


@require_safe
@login_required
@permission_required("tracing.add_case", raise_exception=True)
def case_new(request):
    """Find the person in the register (name, initials, last 4 digits), then the dates."""
    q = request.GET.get("q", "").strip()
    persons = _persons(q)
    return render(request, "tracing/cases_new.html", {"q": q, "form": CaseForm(persons=persons), "persons": persons})


@login_required
@permission_required("tracing.add_case", raise_exception=True)  # before the form is read
@require_POST
def case_add(request):
    persons = Person.objects.select_related("grid")
    form = CaseForm(request.POST, persons=persons)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_create(data["person"], sampled_on=data["sampled_on"], onset_on=data["onset_on"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Case opened; its contacts are proposed."))
            return redirect("tracing:case_detail", case_id=case.pk)
    person = form.cleaned_data.get("person")
    chosen = persons.filter(pk=person.pk) if person else Person.objects.none()
    form.fields["person"].queryset = chosen
    return render(request, "tracing/cases_new.html", {"q": "", "form": form, "persons": chosen}, status=400)


@login_required
@require_POST
def case_open(request, trace_id):
    entry = writable(TraceEntry.objects.select_related("tube", "person"), "tracing.add_case", pk=trace_id)
    form = CaseOpenForm(request.POST)
    if not form.is_valid():
        _refused(request, ValidationError([e for errors in form.errors.values() for e in errors]))
        return redirect("tracing:case_list")
    try:
        case = services.case_open(entry, onset_on=form.cleaned_data["onset_on"])
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("tracing:case_list")
    messages.success(request, _("Case opened; its contacts are proposed."))
    return redirect("tracing:case_detail", case_id=case.pk)


@require_safe
@login_required
@permission_required("tracing.view_case", raise_exception=True)
def case_detail(request, case_id):
    case = get_object_or_404(Case.objects.select_related("person", "grid", "infected_by__person"), pk=case_id)
    contacts = selectors.case_contacts(case)
    chain = selectors.case_chain(case)
    return render(
        request,
        "tracing/cases_detail.html",
        {
            "case": case,
            "close": [c for c in contacts if c.kind == Contact.Kind.CLOSE],
            "secondary": [c for c in contacts if c.kind == Contact.Kind.SECONDARY],
            "chain": chain,
            "chain_cases": [n for n in chain["nodes"] if n["case"]],
            "contact_form": ContactForm(case=case),
        },
    )


@login_required
@require_POST
def case_propose(request, case_id):
    case = writable(Case.objects.select_related("person"), "tracing.add_contact", pk=case_id)
    added = services.contacts_propose(case)
    messages.success(request, _("%(n)d new contacts proposed.") % {"n": added})
    return redirect("tracing:case_detail", case_id=case.pk)


@login_required
@require_POST
def contact_add(request, case_id):
    case = writable(Case.objects.select_related("person"), "tracing.add_contact", pk=case_id)
    form = ContactForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_add(
                case, data["id_number"], relation=data["relation"], note=data["note"], through=data["through"]
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Contact added."))
    else:
        messages.error(
            request,
            " ".join(f"{form[f].label if f in form.fields else ''}: {' '.join(e)}" for f, e in form.errors.items()),
        )
    return redirect("tracing:case_detail", case_id=case.pk)


def _decide(request, contact_id, decide, done):
    contact = writable(Contact.objects.select_related("case", "person"), "tracing.change_contact", pk=contact_id)
    try:
        decide(contact)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("tracing:case_detail", case_id=contact.case_id)


@login_required
@require_POST
def contact_confirm(request, contact_id):
    return _decide(request, contact_id, services.contact_confirm, _("Contact confirmed; their isolation is opened."))


@login_required
@require_POST
def contact_dismiss(request, contact_id):
    reason = request.POST.get("reason", "")
    return _decide(request, contact_id, lambda c: services.contact_dismiss(c, reason=reason), _("Contact dismissed."))


# --- isolation ---


def _error_text(exc):
    return " ".join(str(m) for m in (exc.messages if hasattr(exc, "messages") else [exc]))


@require_safe
@login_required
@permission_required("tracing.view_isolation", raise_exception=True)
def isolation_list(request):
    """Risk persons of the user's area by stage (phone-first, masked), the due-for-release list as a stage of its
    own."""
    stage = request.GET.get("stage", Isolation.Stage.IDENTIFIED)
    due = selectors.isolation_due_for_release()
    if stage == "due":
        rows = due
    elif stage in Isolation.Stage.values:
        rows = selectors.isolation_list(stage)
    else:
        raise Http404(_("no such stage"))
    counts = selectors.isolation_counts()
    stages = [(value, label, counts[value]) for value, label in Isolation.Stage.choices]
    return render(
        request,
        "tracing/isolation_list.html",
        {"stage": stage, "stages": stages, "rows": rows, "due_count": len(due)},
    )


@require_safe
@login_required
@permission_required("tracing.view_isolation", raise_exception=True)
def isolation_detail(request, isolation_id):
    """One risk person's path: each step with its time and who took it, the tests due, the next step's form."""
    isolation = get_object_or_404(
        Isolation.objects.select_related(
            "person",
            "grid",
            "protocol",
            "identified_by",
            "notified_by",
            "transferred_by",
            "isolated_by",
            "released_by",
        ),
        pk=isolation_id,
    )
    context = {
        "i": isolation,
        "tests": selectors.isolation_tests(isolation),
        "handover": HandOver.objects.filter(isolation=isolation).select_related("accepted_by").first(),
        "blocker": selectors.isolation_release_blocker(isolation),
        "places": Isolation.Place.choices,
        "colour": selectors.health_code_colour(isolation.person),
    }
    if isolation.isolating_since:
        context["ends_at"] = services.isolation_ends_at(isolation)
    return render(request, "tracing/isolation_detail.html", context)


@login_required
@require_POST
def isolation_step(request, isolation_id):
    """Takes the posted step (notify, transfer, isolate, release); a refused step says why on the page."""
    isolation = writable(Isolation, "tracing.change_isolation", pk=isolation_id)
    step = request.POST.get("step")
    try:
        if step == "notify":
            services.isolation_notify(isolation)
        elif step == "transfer":
            services.isolation_transfer(
                isolation, place=request.POST.get("place", ""), site_name=request.POST.get("site_name", "")
            )
        elif step == "isolate":
            services.isolation_isolate(isolation)
        elif step == "release":
            services.isolation_release(isolation)
        else:
            raise ValidationError({"step": _("unknown step")})
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("tracing:isolation_detail", isolation_id=isolation.pk)


@require_safe
@login_required
@permission_required("tracing.view_handover", raise_exception=True)
def handover_list(request):
    """People handed over to the user's area and not yet accepted, escalated first."""
    return render(request, "tracing/isolation_handovers.html", {"rows": selectors.handover_list()})


@login_required
@require_POST
def handover_accept(request, handover_id):
    handover = writable(HandOver, "tracing.change_handover", pk=handover_id)
    try:
        services.handover_accept(handover)
        messages.success(request, _("Accepted: the person is now your community's."))
    except ValidationError as exc:
        messages.info(request, _error_text(exc))
    return redirect("tracing:handover_list")


@require_safe
@login_required
@permission_required("tracing.view_isolation", raise_exception=True)
def isolation_times(request, code=None):
    """Time from identification to isolation, in total and per child area, for the command centre."""
    area = get_object_or_404(Area.objects, code=code or (request.user.area.code if request.user.area else None))
    rows = selectors.time_to_isolation(area)
    return render(request, "tracing/isolation_times.html", {"area": area, "total": rows[0], "rows": rows[1:]})


# --- control ---


def _form_errors(form, exc):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_safe
@login_required
@permission_required("tracing.view_control", raise_exception=True)
def control_list(request):
    return render(request, "tracing/control_list.html", {"controls": selectors.control_list()})


@login_required
@permission_required("tracing.add_control", raise_exception=True)
@require_http_methods(["GET", "POST"])
def control_new(request):
    building = None
    if request.GET.get("building"):
        building = get_object_or_404(Building.objects.select_related("grid"), pk=request.GET["building"])
    form = ControlForm(request.POST or None, building=building)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            control = services.control_create(
                level=data["level"],
                building=building,
                compound=data.get("compound"),
                area=data.get("area"),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("tracing:control_detail", control_id=control.pk)
    if request.method == "POST":
        status = 400
    return render(request, "tracing/control_new.html", {"form": form, "building": building}, status=status)


@require_safe
@login_required
@permission_required("tracing.view_control", raise_exception=True)
def control_detail(request, control_id):
    control = get_object_or_404(
        Control.objects.select_related("area", "compound", "building", "lifted_by"), pk=control_id
    )
    context = {
        "control": control,
        "target": selectors.control_target(control),
        "in_force": selectors.control_active(Control.objects.filter(pk=control.pk)).exists(),
        "lift_form": ControlLiftForm(),
        "need_form": ControlNeedForm(),
        "next": request.path,
        "needs": control.needs.select_related("help_request__person").order_by("-help_request__created_at"),
        **selectors.control_residents(control),
    }
    return render(request, "tracing/control_detail.html", context)


@login_required
@require_POST
@permission_required("tracing.change_control", raise_exception=True)
def control_lift(request, control_id):
    control = get_object_or_404(Control, pk=control_id)
    form = ControlLiftForm(request.POST)
    if form.is_valid():
        try:
            services.control_lift(control, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The control is lifted."))
            return redirect("tracing:control_detail", control_id=control.pk)
    context = {"control": control, "target": selectors.control_target(control), "lift_form": form}
    return render(request, "tracing/control_lift.html", context, status=400)


@login_required
@require_POST
@permission_required("care.add_helprequest", raise_exception=True)
def control_need(request, person_id):
    """A doorstep need of a resident under control, from the control's page or the person's."""
    person = get_object_or_404(Person.objects.select_related("grid", "household__building"), pk=person_id)
    form = ControlNeedForm(request.POST)
    back = request.POST.get("next") or reverse("registry:person", args=[person.pk])
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("registry:person", args=[person.pk])
    if form.is_valid():
        try:
            help_request = services.control_need_record(
                person, kind=form.cleaned_data["kind"], description=form.cleaned_data["description"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Need recorded as request %(receipt)s.") % {"receipt": help_request.receipt})
            return redirect(back)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(back)


@require_safe
def control_notice(request, notice_id):
    """The public notice of a control (posted at the gate, its QR code opens this page): level, rules, dates, where
    to ask for doorstep help. Names no person."""
    control = get_object_or_404(Control.all_objects.select_related("area", "compound", "building"), pk=notice_id)
    url = request.build_absolute_uri(reverse("tracing:control_notice", args=[control.pk]))
    context = {
        "control": control,
        "target": selectors.control_target(control),
        "in_force": selectors.control_active(Control.all_objects.filter(pk=control.pk)).exists(),
        "qr_svg": segno.make(url, error="m").svg_inline(scale=4),
    }
    return render(request, "tracing/control_notice.html", context)
