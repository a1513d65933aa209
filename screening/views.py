"""Screening pages. Thin: reads come through scoped managers and selectors, writes through services (which check
the permission and the area themselves, core.access.writes; a page fetches what it changes with `writable`); the
desk page itself writes only through the JSON API, from its local queue."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.access import writable
from core.replica import on_replica
from registry.identity import IdentityError, parse_ric
from registry.models import Area, Building, Household, Person
from screening import charts, codes, selectors, services, sheets
from screening.forms import HomeTeamForm, KnockForm
from screening.models import Alert, Hold, HomeSamplingRequest, KnockOutcome, Round, Site

DESK_FILES = ("gridcare/site.css", "screening/desk.css", "screening/desk.js")


def _desk_text():
    """Messages the desk script shows; {name} slots are filled in the browser."""
    return {
        "chooseFirst": _("Choose the round and the site first."),
        "scanTubeFirst": _("Scan a tube barcode first."),
        "tubeUsed": _("Tube {code} was already used on this device."),
        "tubeUsedServer": _("Tube {code} is already used: scan a new tube, the persons stay."),
        "tubeOpened": _("Tube {code} opened. Scan the persons."),
        "tubeOpenAlready": _("A tube is open: scan an ID number or a personal code, or close the tube."),
        "alreadyInTube": _("This person is already in the tube."),
        "added": _("Added: {n} of {size}."),
        "badQr": _("Not a valid personal code."),
        "badCheckDigit": _("ID number {n} fails its check digit: look again."),
        "idLength": _("An ID number has 18 characters."),
        "emptyTube": _("The tube is empty."),
        "closed": _("Tube {code} closed with {n} persons."),
        "tubeStatus": _("Tube {code}: {n} / {size}"),
        "noTube": _("No tube open"),
        "scanTube": _("Scan a tube barcode"),
        "scanPerson": _("Scan an ID number or a personal code"),
        "waiting": _("{n} tubes waiting to send"),
        "allSent": _("All tubes sent"),
        "loginAgain": _("Your login has expired: log in again; the tubes stay queued."),
        "provisional": _("not in the register: registered on the spot"),
        "unconfirmed": _("not confirmed yet"),
        "nameForNew": _("Name (for the grid to verify)"),
        "remove": _("Remove"),
        "rejectedTube": _("Tube {code} was refused: correct it and resend"),
        "tubeCode": _("Tube code"),
        "resend": _("Resend"),
        "undone": _("Undone."),
        "roundEnded": _("{round} has ended: reload the desk for the running round."),
    }


@require_safe
@login_required
@permission_required("screening.add_tube", raise_exception=True)
def desk(request):
    """Opens on the running round of the sites the medic is assigned to; with none running it says why (the last
    round ended, the next starts at …) instead of offering a round the server would refuse."""
    desk_rounds = selectors.desk_rounds(request.user)
    # A medic registers tubes at the sites assigned to them (the service refuses the others): offer only those.
    sites = selectors.desk_sites(request.user, desk_rounds["running"])
    text = _desk_text()
    return render(
        request,
        "screening/desk.html",
        {
            "rounds": desk_rounds["running"],
            "last_ended": desk_rounds["last_ended"],
            "next_upcoming": desk_rounds["next_upcoming"],
            "sites": sites,
            "pool_sizes": services.POOL_SIZES,
            "text": text,
            "qr_prefix": codes.PREFIX,
        },
    )


@require_safe
@login_required
def desk_worker(request):
    # The desk needs no htmx; offline its script tag simply fails to load.
    files = [static(name) for name in DESK_FILES]
    return render(
        request,
        "screening/desk_sw.js",
        {"page_url": reverse("screening:desk"), "files": files, "version": "1"},
        content_type="application/javascript",
    )


@login_required
@require_POST
@permission_required("registry.view_person", raise_exception=True)
def desk_lookup(request):
    """Confirm who a scan is: name and masked ID of a person the user may see; `found: false` for a valid ID not
    in the register (the tube then registers them provisionally). POST, so ID numbers stay out of access logs.
    A read of the register, so it needs `registry.view_person` like the register's pages."""
    query = request.POST.get("q", "").strip()
    if query.upper().startswith(codes.PREFIX):
        person_id = codes.person_id_from_code(query)
        if person_id is None:
            return JsonResponse({"found": False, "invalid": True})
        person = Person.objects.select_related("grid").filter(pk=person_id).first()
    else:
        try:
            number = parse_ric(query)[0]
        except IdentityError as exc:
            return JsonResponse({"found": False, "invalid": True, "error": str(exc)})
        person = (
            Person.objects.select_related("grid").filter(id_type=Person.IdType.RESIDENT_ID, id_number=number).first()
        )
    if person is None:
        return JsonResponse({"found": False})
    answer = {"found": True, "name": person.name, "masked_id": person.masked_id_number}
    refusal = _zone_refusal(request.POST, person)
    if refusal:
        answer["refused"] = refusal
    return JsonResponse(answer)


def _zone_refusal(data, person):
    """Why the person may not go into the desk's tube (their zone pools fewer), so the desk refuses at the scan;
    the server refuses the tube the same way when it arrives (services._check_zones)."""
    round_ = Round.objects.select_related("campaign").filter(pk=_as_int(data.get("round"))).first()
    size = _as_int(data.get("pool_size"))
    if round_ is None or size not in services.POOL_SIZES:
        return None
    rules = list(round_.campaign.pooling_rules.select_related("area"))
    limit = services.person_pool_limits([person.pk]).get(person.pk)
    # The tube's other persons are not known at the scan: one household per tube is checked when the tube arrives.
    return services.zone_refusal(round_.campaign, rules, person.grid.code, size) or (
        limit and services.pool_limit_refusal(limit, size)
    )


@require_safe
@login_required
@permission_required("registry.view_person", raise_exception=True)
def person_card(request, person_id):
    """A resident's personal registration code, to print or to show on a phone at the desk."""
    person = get_object_or_404(Person.objects.select_related("grid"), pk=person_id)
    qr = segno.make(codes.person_code(person), error="m")
    return render(request, "screening/person_card.html", {"person": person, "qr_svg": qr.svg_inline(scale=6)})


def _round(round_id):
    return get_object_or_404(Round.objects.select_related("campaign"), pk=round_id)


@require_safe
@login_required
@permission_required("screening.view_round", raise_exception=True)
def index(request):
    """The rounds, newest first, each with its status, dates (with the year) and the coverage of the user's area,
    and the links its user can work from."""
    area = request.user.area
    return render(request, "screening/index.html", {"rounds": selectors.round_list(area), "area": area})


@require_safe
@login_required
@permission_required("screening.view_homesamplingrequest", raise_exception=True)
def home_list(request, round_id):
    """Home sampling for the day: live requests by team and route order; ad-hoc ones show their age in minutes."""
    round_ = _round(round_id)
    show_done = request.GET.get("show") == "done"
    statuses = ["done", "not_done"] if show_done else ["open", "assigned"]
    requests = (
        HomeSamplingRequest.objects.filter(round=round_, status__in=statuses)
        .select_related("person", "grid", "household__building", "team__medic", "team__grid_worker")
        .order_by("team__name", "route_order", "created_at")
    )
    teams = round_.home_teams.select_related("area", "medic", "grid_worker")
    return render(
        request,
        "screening/home_list.html",
        {
            "round": round_,
            "requests": _with_age(requests),
            "teams": teams,
            "show_done": show_done,
            "team_form": HomeTeamForm() if request.user.has_perm("screening.add_homesamplingteam") else None,
        },
    )


def _with_age(requests):
    """Each request with `age_minutes`: an ad-hoc request shows how long the person has been waiting."""
    now = timezone.now()
    requests = list(requests)
    for r in requests:
        r.age_minutes = int((now - r.created_at).total_seconds() // 60)
    return requests


@login_required
@require_POST
def home_plan(request, round_id):
    """Adds the standing list and gives every open request to its team, in route order."""
    round_ = _round(round_id)
    added = services.home_requests_standing(round_)
    assigned = services.home_requests_assign(round_)
    messages.success(
        request,
        _("%(added)d added from the standing list, %(assigned)d assigned.") % {"added": added, "assigned": assigned},
    )
    return redirect("screening:home_list", round_id=round_.pk)


@login_required
@permission_required("screening.add_homesamplingteam", raise_exception=True)  # before the form is read
@require_POST
def home_team_add(request, round_id):
    round_ = _round(round_id)
    form = HomeTeamForm(request.POST)
    if form.is_valid():
        services.home_team_create(round_, **form.cleaned_data)
        messages.success(request, _("Team added."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("screening:home_list", round_id=round_.pk)


@login_required
@require_POST
def home_finish(request, request_id):
    home_request = writable(
        HomeSamplingRequest.objects.select_related("round", "person", "grid", "household__building", "team"),
        "screening.change_homesamplingrequest",
        pk=request_id,
    )
    try:
        services.home_request_finish(
            home_request, done=request.POST.get("done") == "1", note=request.POST.get("note", "")
        )
    except services.AlreadyDone as exc:
        return HttpResponse(str(exc), status=409)
    return render(request, "screening/_home_row.html", {"r": _with_age([home_request])[0]})


@require_safe
@login_required
@permission_required("screening.view_hold", raise_exception=True)
def holds(request, round_id):
    """Positive pooled tubes: the clock since each result arrived and every held person's state."""
    round_ = _round(round_id)
    rows = (
        Hold.objects.filter(round=round_)
        .select_related("tube", "person", "grid", "resample")
        .order_by("-tube__result_received_at", "tube_id", "person_id")
    )
    tubes = {}
    for hold in rows:
        tubes.setdefault(hold.tube, []).append(hold)
    pools = [
        {"tube": tube, "holds": members, "open": sum(h.state in ("held", "resampled") for h in members)}
        for tube, members in tubes.items()
    ]
    return render(request, "screening/holds.html", {"round": round_, "pools": pools, "now": timezone.now()})


@require_safe
@login_required
@permission_required("screening.view_alert", raise_exception=True)
def alerts(request):
    """Alerts for the user's area, unacknowledged first."""
    rows = (
        Alert.objects.filter(withdrawn_at__isnull=True)
        .select_related("round__campaign", "area", "tube", "person", "acknowledged_by")
        .order_by(F("acknowledged_at").asc(nulls_first=True), "-created_at")[:200]
    )
    return render(request, "screening/alerts.html", {"alerts": rows})


@login_required
@require_POST
def alert_ack(request, alert_id):
    alert = writable(
        Alert.objects.select_related("round__campaign", "area", "tube", "person"), "screening.change_alert", pk=alert_id
    )
    try:
        services.alert_acknowledge(alert, user=request.user)
    except services.AlreadyDone:
        pass  # a second tap (or a colleague) got there first: the row shows who acknowledged it
    return render(request, "screening/_alert_row.html", {"a": alert})


@require_safe
@login_required
@permission_required("screening.view_site", raise_exception=True)
def sites(request, round_id):
    round_ = _round(round_id)
    rows = list(Site.objects.filter(campaign=round_.campaign).select_related("area"))
    populations = selectors.site_populations(rows)
    for site in rows:
        site.sizing = selectors.site_sizing(populations[site.pk])
    return render(request, "screening/sites.html", {"round": round_, "sites": rows})


@login_required
@permission_required("screening.view_roundplan", raise_exception=True)
def round_plan(request, round_id):
    """The round planner for the user's area (or ?area= inside it): GET shows the newest plan per site and, once
    samples exist, planned against actual; POST (district and street staff) makes a new plan."""
    round_ = _round(round_id)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    area = _user_area(request, request.POST.get("area") or request.GET.get("area"))
    if request.method == "POST":
        if not request.user.has_perm("screening.add_roundplan"):
            raise PermissionDenied
        rows = services.plan_round(round_, area=area)
        messages.success(request, _("Planned %(n)d sites.") % {"n": len(rows)})
        url = reverse("screening:round_plan", args=[round_.pk])
        return redirect(url if area == request.user.area else f"{url}?area={area.code}")
    rows = selectors.round_plan(round_, area)
    charts_data = [
        {
            "id": p.pk,
            "name": p.site.name,
            "opens": timezone.localtime(p.opens_at).strftime("%H:%M"),
            "start": int(timezone.localtime(p.opens_at).hour * 60 + timezone.localtime(p.opens_at).minute),
            "series": p.queue_series,
        }
        for p in rows
    ]
    return render(
        request,
        "screening/round_plan.html",
        {
            "round": round_,
            "area": area,
            "rows": rows,
            "charts": charts_data,
            "created_at": max((p.created_at for p in rows), default=None),
            "totals": {
                k: sum(getattr(p, k) for p in rows) for k in ("people", "tubes", "samplers", "add_desks", "add_staff")
            },
            "can_plan": request.user.has_perm("screening.add_roundplan"),
        },
    )


@require_safe
@login_required
@permission_required("screening.view_site", raise_exception=True)
def site_poster(request, site_id):
    """A printable poster for the site's entrance: its QR code opens the site's public page (hours, how to come)."""
    site = get_object_or_404(Site.objects.select_related("campaign", "area"), pk=site_id)
    url = request.build_absolute_uri(reverse("screening:site_public", args=[site.pk]))
    qr = segno.make(url, error="m")
    return render(request, "screening/site_poster.html", {"site": site, "url": url, "qr_svg": qr.svg_inline(scale=8)})


@require_safe
def site_public(request, site_id):
    """What a resident sees after scanning the poster: no login, nothing about persons."""
    site = get_object_or_404(Site.objects.select_related("campaign", "area"), pk=site_id)
    return render(request, "screening/site_public.html", {"site": site})


def _user_area(request, code=None):
    """The area named in the URL (404 outside the user's subtree, by the scoped manager) or the user's own."""
    return get_object_or_404(Area.objects, code=code or (request.user.area.code if request.user.area else None))


def _crumbs(user, area, *, including=False):
    """The areas above `area` (and `area` itself if `including`); only those inside the user's own are links."""
    if area is None:
        return []
    own = user.area.code if user.area_id else None
    path = [a for a in area.ancestors() if a.pk != area.pk] + ([area] if including else [])
    return [{"area": a, "link": bool(own) and a.code.startswith(own)} for a in path]


@require_safe
@login_required
@permission_required("screening.view_sample", raise_exception=True)
def coverage(request, round_id, code=None):
    """应检尽检 for one area: totals, then each child area (or building) with its numbers; refreshed by htmx."""
    round_ = _round(round_id)
    area = _user_area(request, code)
    numbers = on_replica(selectors.coverage, round_, area)
    context = {"round": round_, "area": area, "numbers": numbers, "crumbs": _crumbs(request.user, area)}
    if request.htmx:
        return render(request, "screening/_coverage_body.html", context)
    points = on_replica(selectors.coverage_over_time, round_, area)
    context["chart"] = charts.line_chart(
        [(timezone.localtime(t).strftime("%H:%M"), pct) for t, _n, pct in points], top=100, unit="%"
    )
    return render(request, "screening/coverage.html", context)


@require_safe
@login_required
@permission_required("screening.view_sample", raise_exception=True)
def coverage_building(request, round_id, building_id):
    round_ = _round(round_id)
    building = get_object_or_404(Building.objects.select_related("grid"), pk=building_id)
    numbers = on_replica(selectors.coverage_building, round_, building)
    context = {
        "round": round_,
        "area": building.grid,
        "building": building,
        "numbers": numbers,
        "crumbs": _crumbs(request.user, building.grid, including=True),
    }
    template = "screening/_coverage_body.html" if request.htmx else "screening/coverage.html"
    return render(request, template, context)


@require_safe
@login_required
@permission_required("screening.view_sample", raise_exception=True)
def coverage_household(request, round_id, household_id):
    round_ = _round(round_id)
    household = get_object_or_404(Household.objects.select_related("building", "grid"), pk=household_id)
    rows = selectors.household_persons(round_, household)
    return render(
        request,
        "screening/household.html",
        {
            "round": round_,
            "household": household,
            "rows": rows,
            "crumbs": _crumbs(request.user, household.grid, including=True),
        },
    )


def _grid(code):
    return get_object_or_404(Area.objects, code=code, level=Area.Level.GRID)


@require_safe
@login_required
@permission_required("screening.view_knockoutcome", raise_exception=True)
def knock_list(request, round_id, grid):
    """扫楼敲门: the doors of a grid with anyone missing, in walking order; the phone tab lists the silent."""
    round_ = _round(round_id)
    grid = _grid(grid)
    if request.GET.get("show") == "phone":
        persons = selectors.phone_list(round_, grid).select_related("household__building")
        return render(request, "screening/phone_list.html", {"round": round_, "grid": grid, "persons": persons})
    doors = selectors.knock_list(round_, grid)
    return render(
        request,
        "screening/knock_list.html",
        {
            "round": round_,
            "grid": grid,
            "doors": doors,
            "outcomes": KnockOutcome.Outcome.choices,
            "counts": selectors.knock_counts(round_, grid),
        },
    )


@require_safe
@login_required
@permission_required("screening.view_knockoutcome", raise_exception=True)
def knock_list_current(request):
    """The menu's "knock list": the current round's list for the grid worker's own grid."""
    grid = request.user.area
    if grid is None or grid.level != Area.Level.GRID:
        raise Http404
    round_ = selectors.round_current(grid)
    if round_ is None:
        return redirect("screening:index")
    return redirect("screening:knock_list", round_id=round_.pk, grid=grid.code)


@require_safe
@login_required
@permission_required("screening.view_homesamplingrequest", raise_exception=True)
def home_list_current(request):
    """The menu's "home sampling": the current round's requests."""
    round_ = selectors.round_current(request.user.area)
    if round_ is None:
        return redirect("screening:index")
    return redirect("screening:home_list", round_id=round_.pk)


def _door_row(request, round_, household, counts=False):
    """The one door a tap changed, not the grid again; with `counts`, the page's counters too, swapped out of
    band (a notice read changes none of them)."""
    doors = selectors.knock_list(round_, household.grid, household=household)
    context = {
        "round": round_,
        "door": doors[0] if doors else None,
        "household": household,
        "outcomes": KnockOutcome.Outcome.choices,
        "counts": selectors.knock_counts(round_, household.grid) if counts else None,
    }
    return render(request, "screening/_knock_tapped.html", context)


@login_required
@require_POST
def knock_record(request, round_id, household_id):
    round_ = _round(round_id)
    household = writable(
        Household.objects.select_related("building", "grid"), "screening.add_knockoutcome", pk=household_id
    )
    form = KnockForm(request.POST, household=household)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    services.knock_record(round_, household, user=request.user, **form.cleaned_data)
    return _door_row(request, round_, household, counts=True)


@login_required
@require_POST
def notice_ack(request, round_id, person_id):
    round_ = _round(round_id)
    person = writable(
        Person.objects.select_related("household__building", "household__grid"), "notices.add_noticeack", pk=person_id
    )
    services.notice_acknowledge(round_, person, user=request.user)
    if request.GET.get("from") == "phone":
        return HttpResponse("")
    return _door_row(request, round_, person.household)


@require_safe
@login_required
@permission_required("screening.view_knockoutcome", raise_exception=True)
def knock_sheet(request, round_id, grid):
    round_ = _round(round_id)
    grid = _grid(grid)
    rows = [
        (
            f"{d['building'].name if d['building'] else ''} {d['household'].door_label if d['household'] else ''}",
            p["person"].name,
            p["person"].masked_id_number,
            p["last_outcome"].get_outcome_display() if p["last_outcome"] else "",
        )
        for d in selectors.knock_list(round_, grid)
        for p in d["persons"]
    ]
    pdf = sheets.knock_sheet_pdf(
        title=_("Knock list: %(grid)s") % {"grid": grid.name},
        subtitle=f"{round_} · {timezone.localtime():%Y-%m-%d %H:%M}",
        header=[_("Door"), _("Name"), _("ID number"), _("Last outcome"), _("Outcome now")],
        rows=rows,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="knock-{grid.code}-round{round_.number}.pdf"'
    return response


@require_safe
@login_required
@permission_required("screening.view_sample", raise_exception=True)
def missed(request, round_id):
    """Who missed which rounds so far ("missed 2 of 3"), live, for the user's area or a smaller one."""
    round_ = _round(round_id)
    area = _user_area(request, request.GET.get("area"))
    rows = selectors.rounds_missed(round_.campaign, area)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "screening/missed.html", {"round": round_, "area": area, "page": page})


@require_safe
@login_required
@permission_required("screening.view_tube", raise_exception=True)
def numbers(request, round_id):
    """The command centre's numbers for a round: per site and over time, with charts."""
    round_ = _round(round_id)
    area = _user_area(request, request.GET.get("area"))
    rows = selectors.round_numbers(round_)
    busiest = sorted(rows, key=lambda r: -r["samples"])[:10]
    points = selectors.coverage_over_time(round_, area)
    return render(
        request,
        "screening/numbers.html",
        {
            "round": round_,
            "area": area,
            "rows": rows,
            "totals": {
                k: sum(r[k] for r in rows) for k in ("samples", "tubes_closed", "tubes_pending", "positive_tubes")
            },
            "site_chart": charts.bar_chart([(r["site"].name[:9], r["samples"]) for r in busiest]),
            "coverage_chart": charts.line_chart(
                [(timezone.localtime(t).strftime("%H:%M"), pct) for t, _n, pct in points], top=100, unit="%"
            ),
            "coverage_now": points[-1][2] if points else 0,
        },
    )


@require_safe
@login_required
@permission_required("registry.view_person", raise_exception=True)
def household_codes(request, household_id):
    """Every person's registration code of one door, to print and hand out on the sweep."""
    household = get_object_or_404(Household.objects.select_related("building", "grid"), pk=household_id)
    cards = [
        {"person": p, "qr_svg": segno.make(codes.person_code(p), error="m").svg_inline(scale=5)}
        for p in Person.objects.filter(household=household).order_by("id")
    ]
    return render(request, "screening/household_codes.html", {"household": household, "cards": cards})


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
