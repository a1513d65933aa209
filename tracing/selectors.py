"""Reads of tracing and control."""

from collections import namedtuple
from datetime import datetime, time, timedelta
from statistics import median

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import Area, Person
from screening.codes import person_id_from_code
from screening.models import TraceEntry
from tracing.models import (
    ArrivalReport,
    Case,
    Contact,
    Control,
    Division,
    EntryAlert,
    HandOver,
    Inspection,
    Isolation,
    KeyGroup,
    KeyGroupMember,
    TestObligation,
    TracingSettings,
    Venue,
    VenueVisit,
)

# One person at the same venue as a case, within the window around one of the case's visits.
Colocation = namedtuple("Colocation", "person_id visit_id case_visit_id venue_id visited_at")


# Ranges per query: SQLite refuses an expression tree deeper than 1,000, and a case that went to the same gate
# every hour of a week has hundreds of visits.
WINDOWS_PER_QUERY = 200


def _windows(by_venue, window):
    """The case's visits as (venue, from, to) ranges — overlapping windows at one venue joined into one — OR-ed
    together WINDOWS_PER_QUERY at a time."""
    ranges = []
    for venue_id, visits in by_venue.items():
        start = end = None
        for _pk, at in sorted(visits, key=lambda v: v[1]):
            if end is not None and at - window <= end:
                end = at + window
                continue
            if end is not None:
                ranges.append(Q(venue_id=venue_id, visited_at__gte=start, visited_at__lte=end))
            start, end = at - window, at + window
        ranges.append(Q(venue_id=venue_id, visited_at__gte=start, visited_at__lte=end))
    for i in range(0, len(ranges), WINDOWS_PER_QUERY):
        around = Q()
        for term in ranges[i : i + WINDOWS_PER_QUERY]:
            around |= term
        yield around


def colocated_visits(case, *, minutes=None, since=None, until=None):
    """Everyone who visited a venue the case visited, within ±`minutes` (a setting) of the case's visit, from the
    day tracing starts (`case.traced_from`) until `until` (default now). Reads across areas: a contact may live
    anywhere. Indexed range scans on (venue, visited_at), a few hundred ranges per query."""
    rules = TracingSettings.current()
    window = timedelta(minutes=rules.colocation_minutes if minutes is None else minutes)
    since = since or timezone.make_aware(datetime.combine(case.traced_from, time.min))
    until = until or timezone.now()
    case_visits = list(
        VenueVisit.all_objects.filter(person_id=case.person_id, visited_at__gte=since, visited_at__lte=until)
        .order_by("visited_at")
        .values_list("pk", "venue_id", "visited_at")
    )
    if not case_visits:
        return []
    by_venue = {}
    for pk, venue_id, at in case_visits:
        by_venue.setdefault(venue_id, []).append((pk, at))
    found = {}
    for around in _windows(by_venue, window):
        for pk, person_id, venue_id, at in (
            VenueVisit.all_objects.filter(around)
            .exclude(person_id=case.person_id)
            .values_list("pk", "person_id", "venue_id", "visited_at")
        ):
            case_visit = min((c for c in by_venue[venue_id] if abs(c[1] - at) <= window), key=lambda c: abs(c[1] - at))
            if person_id not in found or at < found[person_id].visited_at:
                found[person_id] = Colocation(person_id, pk, case_visit[0], venue_id, at)
    return sorted(found.values(), key=lambda c: (c.visited_at, c.person_id))


# --- venues ---


def venue_list(*, area=None, kind=""):
    """The venues the user's scope covers, optionally inside one area and of one kind."""
    venues = Venue.objects.select_related("area", "compound")
    if area is not None:
        venues = venues.filter(area__code__startswith=area.code)
    if kind:
        venues = venues.filter(kind=kind)
    return venues


def venue_for_scan(code):
    """The active venue with this code, whoever asks (the scan page is public), or None."""
    return Venue.all_objects.filter(code=code, active=True).select_related("area").first()


def person_for_scan(*, person_code="", id_number="", phone=""):
    """The registered person a scan names: by their personal registration code, or by ID number and phone, both of
    which must match the same person. None when nothing matches (the page says only "no match")."""
    if person_code:
        person_id = person_id_from_code(person_code.strip())
        return Person.all_objects.filter(pk=person_id).first() if person_id else None
    # Every document type listed: the lookup then uses the (id_type, id_number) unique index.
    return (
        Person.all_objects.filter(id_type__in=Person.IdType.values, id_number=id_number, phone=phone)
        .exclude(phone="")
        .first()
    )


# --- gate ---

GATE_KINDS = (Venue.Kind.COMPOUND_GATE, Venue.Kind.CHECKPOINT)


def gate_venues():
    """The gates and checkpoints of the actor's area that are in use."""
    return Venue.objects.filter(kind__in=GATE_KINDS, active=True).select_related("area")


def control_over(person, at=None):
    """Why `person` is under control at `at`: their open isolation, else the active control covering their
    household's building or compound, their grid or an area above it (the strictest first), else None. Reads
    across areas: a gate checks whoever comes."""
    at = at or timezone.now()
    isolation = (
        Isolation.all_objects.filter(person_id=person.pk, identified_at__lte=at)
        .exclude(stage__in=[Isolation.Stage.RELEASED, Isolation.Stage.ESCALATED])
        .first()
    )
    if isolation is not None:
        return isolation
    covers = Q(area__code__in=[person.grid.code[:n] for n in (6, 9, 12, 15) if n <= len(person.grid.code)])
    if person.household_id:
        building = person.household.building
        covers |= Q(building_id=building.pk)
        if building.compound_id:
            covers |= Q(compound_id=building.compound_id)
    return (
        Control.all_objects.filter(covers, starts_at__lte=at, lifted_at__isnull=True)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .order_by("-level")  # "sealed" before "controlled"
        .first()
    )


def _day_bounds(day):
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def gate_log(venues, day=None):
    """The entries logged at `venues` (the actor's gates) on `day` (default today), newest first. The entries of
    people from other areas are the gate's own records, so they are read through the venue, not the person."""
    start, end = _day_bounds(day or timezone.localdate())
    return (
        VenueVisit.all_objects.filter(
            venue__in=venues, source=VenueVisit.Source.GATE, visited_at__gte=start, visited_at__lt=end
        )
        .select_related("venue", "person", "alert")
        .order_by("-visited_at")
    )


def gate_counts(entries):
    """Entries by code colour, fevers and alerts, in one query."""
    fever = TracingSettings.current().fever_celsius
    counts = entries.order_by().aggregate(
        total=Count("pk"),
        fevers=Count("pk", filter=Q(temperature__gte=fever)),
        alerts=Count("alert"),
        **{c: Count("pk", filter=Q(code_colour=c)) for c in VenueVisit.CodeColour.values},
    )
    return counts


def entry_alerts_open_count():
    """Entry alerts of the actor's area not acknowledged yet."""
    return EntryAlert.objects.filter(acknowledged_at__isnull=True).count()


def entry_alert_list():
    """The actor's area's entry alerts, unacknowledged first, then newest."""
    return EntryAlert.objects.select_related("person", "visit__venue", "acknowledged_by").order_by(
        F("acknowledged_at").asc(nulls_first=True), "-created_at"
    )


# --- arrivals ---


def _today_ends(now):
    return timezone.make_aware(datetime.combine(timezone.localtime(now).date() + timedelta(days=1), time.min))


def _open_obligations():
    return TestObligation.objects.filter(fulfilled_at__isnull=True)


def tests_due_today(now=None):
    """Open tests in the caller's area that may be taken today and are not late yet (a test that follows another
    counts once that one is done), earliest deadline first."""
    now = now or timezone.now()
    return (
        _open_obligations()
        .filter(due_from__lt=_today_ends(now), due_by__gte=now)
        .filter(Q(follows__isnull=True) | Q(follows__fulfilled_at__isnull=False))
        .select_related("person", "grid")
        .order_by("due_by", "person__name")
    )


def tests_overdue(now=None):
    """Open tests in the caller's area whose window has closed, longest overdue first."""
    now = now or timezone.now()
    return (
        _open_obligations().filter(due_by__lt=now).select_related("person", "grid").order_by("due_by", "person__name")
    )


def tests_due_counts(now=None):
    now = now or timezone.now()
    return {"due": tests_due_today(now).count(), "overdue": tests_overdue(now).count()}


def tests_due_by_grid(now=None):
    """Per grid of the caller's area: tests due today and overdue (for community and street staff)."""
    now = now or timezone.now()
    due = dict(tests_due_today(now).order_by().values_list("grid__code").annotate(n=Count("pk")))
    late = dict(tests_overdue(now).order_by().values_list("grid__code").annotate(n=Count("pk")))
    from registry.models import Area

    grids = Area.objects.filter(code__in=set(due) | set(late)).order_by("code")
    return [{"grid": g, "due": due.get(g.code, 0), "overdue": late.get(g.code, 0)} for g in grids]


def arrival_report_list(*, unmatched=False):
    reports = ArrivalReport.objects.select_related("person", "grid", "origin__parent__parent")
    return reports.filter(person__isnull=True) if unmatched else reports


def division_options(parent_code=""):
    """The divisions under `parent_code` (the provinces without one), for the origin pickers."""
    if parent_code:
        return Division.objects.filter(parent__code=parent_code).order_by("code")
    return Division.objects.filter(parent__isnull=True).order_by("code")


def key_group_list(now=None):
    """Key groups of the caller's area with their members and tests overdue now."""
    now = now or timezone.now()
    late = dict(
        tests_overdue(now).filter(key_group__isnull=False).order_by().values_list("key_group").annotate(n=Count("pk"))
    )
    groups = KeyGroup.objects.annotate(
        member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True)
    ).select_related("area", "venue")
    return [(g, late.get(g.pk, 0)) for g in groups]


def key_group_members(group, now=None):
    """A group's current members, each with their overdue tests of this group."""
    now = now or timezone.now()
    late = dict(tests_overdue(now).filter(key_group=group).order_by().values_list("person").annotate(n=Count("pk")))
    members = KeyGroupMember.objects.filter(group=group, left_on__isnull=True).select_related("person", "grid")
    return [(m, late.get(m.person_id, 0)) for m in members]


def special_venues_to_inspect(today=None):
    """Special venues of the caller's area with their latest inspection, those overdue first: never inspected,
    inspected longer ago than the setting, or with the latest inspection's follow-up past due."""
    today = today or timezone.localdate()
    every = TracingSettings.current().inspection_every_days
    venues = list(
        Venue.objects.filter(kind=Venue.Kind.SPECIAL, active=True).select_related("area").order_by("area__code", "name")
    )
    # The latest inspection of each venue: later rows overwrite earlier ones (a venue has a few a month).
    latest = {
        i.venue_id: i
        for i in Inspection.objects.filter(venue__in=venues).select_related("inspector").order_by("inspected_on", "pk")
    }
    rows = []
    for venue in venues:
        last = latest.get(venue.pk)
        overdue = (
            last is None
            or last.inspected_on < today - timedelta(days=every)
            or (last.follow_up_due is not None and last.follow_up_due < today)
        )
        rows.append({"venue": venue, "last": last, "overdue": overdue})
    return sorted(rows, key=lambda row: not row["overdue"])


def person_sections(person):
    """The person page's tracing parts (registry.selectors.person_sections): the health-code colour and isolation;
    their latest arrival report, the tests they owe and the key groups they are in (when there is any)."""
    sections = [isolation_person_section(person)]
    report = ArrivalReport.objects.filter(person=person).select_related("origin__parent__parent").first()
    owed = list(TestObligation.objects.filter(person=person, fulfilled_at__isnull=True).order_by("due_by")[:10])
    groups = list(KeyGroupMember.objects.filter(person=person, left_on__isnull=True).select_related("group"))
    if report or owed or groups:
        sections.append(
            {
                "template": "tracing/arrivals_person.html",
                "report": report,
                "owed": owed,
                "groups": groups,
                "now": timezone.now(),
            }
        )
    return sections


# --- cases ---


def trace_inbox():
    """Screening's to-trace rows (persons of a positive single tube) in the caller's area that are not cases yet,
    oldest first: the tracer reviews each and opens the case."""
    cased = Case.all_objects.values("person_id")
    return (
        TraceEntry.objects.exclude(person_id__in=cased)
        .select_related("person", "grid", "tube", "round__campaign")
        .order_by("created_at")
    )


def case_list():
    return Case.objects.select_related("person", "grid", "infected_by__person").order_by("-created_at")


def contacts_proposed():
    """Proposed contacts waiting for a decision in the caller's area, oldest first."""
    return (
        Contact.objects.filter(status=Contact.Status.PROPOSED)
        .select_related("person", "grid", "case__person")
        .order_by("created_at")
    )


def tracing_day():
    """The figures of a tracer's day: to-trace rows not yet cases, proposed contacts waiting, cases, cases today."""
    today = timezone.localdate()
    since = timezone.make_aware(datetime.combine(today, time.min))
    return {
        "to_trace": trace_inbox().count(),
        "proposed": contacts_proposed().count(),
        "cases_total": Case.objects.count(),
        "cases_today": Case.objects.filter(created_at__gte=since).count(),
    }


def case_contacts(case):
    """The case's contacts in the caller's area, close first then secondary, each marked `is_case` when the contact
    is a case themselves."""
    contacts = list(
        Contact.objects.filter(case=case)
        .select_related("person", "grid", "through__person", "isolation", "venue_visit__venue")
        .order_by("kind", "status", "created_at")
    )
    cases = set(
        Case.all_objects.filter(person_id__in=[c.person_id for c in contacts]).values_list("person_id", flat=True)
    )
    for contact in contacts:
        contact.is_case = contact.person_id in cases
    return contacts


def _label(person):
    return f"{person.name} {person.masked_id_number}"


def case_chain(case):
    """The chain of transmission the case belongs to, as graph data: every case in the caller's area linked by
    `infected_by` from the first known case down (generation 0 is the first), and each case's contacts who are not
    cases as leaves. Ids are "c<case>" and "p<person>"."""
    root = case
    seen = {case.pk}
    while root.infected_by_id and root.infected_by_id not in seen:
        parent = Case.objects.filter(pk=root.infected_by_id).select_related("person").first()
        if parent is None:  # outside the caller's area: the chain starts, for them, here
            break
        seen.add(parent.pk)
        root = parent
    generations = {root.pk: 0}
    cases = {root.pk: root}
    frontier = [root.pk]
    while frontier:
        children = list(
            Case.objects.filter(infected_by_id__in=frontier).exclude(pk__in=generations).select_related("person")
        )
        for child in children:
            generations[child.pk] = generations[child.infected_by_id] + 1
            cases[child.pk] = child
        frontier = [c.pk for c in children]
    if case.pk not in cases:
        cases[case.pk] = Case.objects.select_related("person").get(pk=case.pk)
        generations[case.pk] = 0
    case_persons = {c.person_id: c.pk for c in cases.values()}
    nodes = [
        {
            "id": f"c{c.pk}",
            "name": _label(c.person),
            "generation": generations[c.pk],
            "case": True,
            "current": c.pk == case.pk,
            "infected_by": _label(cases[c.infected_by_id].person) if c.infected_by_id in cases else "",
        }
        for c in sorted(cases.values(), key=lambda c: (generations[c.pk], c.pk))
    ]
    links = [
        {"source": f"c{c.infected_by_id}", "target": f"c{c.pk}"} for c in cases.values() if c.infected_by_id in cases
    ]
    contacts = (
        Contact.objects.filter(case_id__in=cases).exclude(status=Contact.Status.DISMISSED).select_related("person")
    )
    leaves = {}
    for contact in contacts.exclude(person_id__in=case_persons).order_by("case_id", "kind", "pk"):
        if contact.person_id not in leaves:
            leaves[contact.person_id] = contact
            nodes.append(
                {
                    "id": f"p{contact.person_id}",
                    "name": _label(contact.person),
                    "generation": generations[contact.case_id] + 1,
                    "case": False,
                }
            )
            links.append({"source": f"c{contact.case_id}", "target": f"p{contact.person_id}"})
    return {"nodes": nodes, "links": links}


# --- isolation ---

OPEN_STAGES = [
    Isolation.Stage.IDENTIFIED,
    Isolation.Stage.NOTIFIED,
    Isolation.Stage.TRANSFERRED,
    Isolation.Stage.ISOLATING,
]


def isolation_counts():
    """{stage: count} of the isolations in the caller's scope, every stage present."""
    counts = dict(Isolation.objects.values_list("stage").annotate(n=Count("pk")).order_by())
    return {stage: counts.get(stage, 0) for stage in Isolation.Stage.values}


def isolation_list(stage, limit=200):
    """Isolations in the caller's scope at one stage, oldest identification first (who has waited longest)."""
    return list(
        Isolation.objects.filter(stage=stage)
        .select_related("person", "grid", "protocol")
        .order_by("identified_at")[:limit]
    )


def isolation_release_blocker(isolation, now=None):
    """Why the isolation cannot be released yet (a sentence), or "" when it is due for release: in isolation,
    the protocol's days over, every test due taken, none positive."""
    from tracing.services import isolation_ends_at

    if isolation.stage != Isolation.Stage.ISOLATING:
        return _("only a person in isolation can be released")
    now = now or timezone.now()
    if now < isolation_ends_at(isolation):
        return _("the protocol's days are not over yet")
    tests = TestObligation.all_objects.filter(isolation=isolation)
    if tests.filter(fulfilled_at__isnull=True).exists():
        return _("a test due has not been taken")
    if tests.exclude(sample__isnull=True).exclude(sample__result="negative").exists():
        return _("a test taken is not negative")
    return ""


def isolation_due_for_release(now=None):
    """Isolations in the caller's scope whose days are over and whose tests are all taken and negative."""
    now = now or timezone.now()
    rows = Isolation.objects.filter(stage=Isolation.Stage.ISOLATING).select_related("person", "grid", "protocol")
    return [i for i in rows.order_by("isolating_since") if not isolation_release_blocker(i, now)]


def isolation_tests(isolation):
    return list(TestObligation.all_objects.filter(isolation=isolation).select_related("sample").order_by("due_from"))


def handover_list():
    """Hand-overs in the caller's scope not yet accepted: escalated first, then the longest waiting."""
    return list(
        HandOver.objects.filter(accepted_at__isnull=True)
        .select_related("person", "grid", "from_area", "escalated_to", "isolation")
        .order_by("escalated_at", "handed_at")
    )


def handover_counts():
    """(waiting, of which escalated) hand-overs in the caller's scope, for the staff home."""
    waiting = HandOver.objects.filter(accepted_at__isnull=True)
    return {"waiting": waiting.count(), "escalated": waiting.filter(escalated_at__isnull=False).count()}


def _percentile(values, q):
    """Nearest-rank percentile of sorted `values`."""
    return values[max(0, -(-len(values) * q // 100) - 1)]


def time_to_isolation(area):
    """Minutes from identification to isolation in `area`, in total and per child area (the caller's scope applies):
    [{"area", "identified", "isolated", "waiting", "median", "p90"}], the total first (area itself)."""
    children = list(Area.objects.filter(parent=area).order_by("code")) if area.level < Area.Level.GRID else []
    length = Area.CODE_LENGTH.get(area.level + 1)
    groups = {area.code: []} | {c.code: [] for c in children}
    waiting = {code: 0 for code in groups}
    rows = (
        Isolation.objects.filter(grid__code__startswith=area.code)
        .exclude(stage=Isolation.Stage.ESCALATED, isolating_since__isnull=True)
        .values_list("grid__code", "identified_at", "isolating_since")
    )
    for code, identified, isolated in rows:
        keys = [area.code] + ([code[:length]] if length and code[:length] in groups else [])
        for key in keys:
            if isolated is None:
                waiting[key] += 1
            else:
                groups[key].append((isolated - identified).total_seconds() / 60)
    out = []
    for target in [area, *children]:
        minutes = sorted(groups[target.code])
        out.append(
            {
                "area": target,
                "identified": len(minutes) + waiting[target.code],
                "isolated": len(minutes),
                "waiting": waiting[target.code],
                "median": round(median(minutes)) if minutes else None,
                "p90": round(_percentile(minutes, 90)) if minutes else None,
            }
        )
    return out


RED, YELLOW, GREEN = "red", "yellow", "green"


def _cleared(times, rules):
    """Whether `times` (sorted) hold `green_negative_tests` tests, each at least `green_hours_apart` after the
    one before, all within `green_within_days` of the first."""
    need, gap, span = (
        rules.green_negative_tests,
        timedelta(hours=rules.green_hours_apart),
        timedelta(days=rules.green_within_days),
    )
    for i, first in enumerate(times):
        taken, last = 1, first
        for at in times[i + 1 :]:
            if at - first > span:
                break
            if at - last >= gap:
                taken, last = taken + 1, at
        if taken >= need:
            return True
    return False


def health_code_colour(person, at=None):
    """The person's health-code colour at `at` (default now), derived from the records (Guangdong rules, each a
    setting): red for a case and for anyone whose isolation is open (any kind); yellow for possible exposure — a
    released isolation, or a confirmed contact never isolated (a secondary contact under a protocol without home
    days) — until `green_negative_tests` negative samples taken after it, `green_hours_apart` apart, within
    `green_within_days`; green otherwise. A colour read at a gate is the province's code, not a record of ours, so
    it never feeds this (docs/DECISIONS.md). Reads across areas: the gate and the person page ask about whoever
    is in front of them."""
    from screening.models import Sample

    at = at or timezone.now()
    if Case.all_objects.filter(person=person, created_at__lte=at).exists():
        return RED
    isolations = Isolation.all_objects.filter(person=person, identified_at__lte=at)
    if (
        isolations.filter(Q(released_at__isnull=True) | Q(released_at__gt=at))
        .exclude(stage=Isolation.Stage.ESCALATED)
        .exists()
    ):
        return RED
    exposed = [i.released_at for i in isolations.filter(released_at__lte=at)]
    exposed += list(
        Contact.all_objects.filter(
            person=person, status=Contact.Status.CONFIRMED, isolation__isnull=True, created_at__lte=at
        ).values_list("created_at", flat=True)
    )
    if not exposed:
        return GREEN
    since = max(exposed)
    times = list(
        Sample.all_objects.filter(person=person, result="negative", sampled_at__gt=since, sampled_at__lte=at)
        .order_by("sampled_at")
        .values_list("sampled_at", flat=True)
    )
    return GREEN if _cleared(times, TracingSettings.current()) else YELLOW


def isolation_person_section(person):
    """The health-code colour and the open (or last) isolation, for the person page."""
    isolation = Isolation.objects.filter(person=person).select_related("protocol").order_by("-identified_at").first()
    return {
        "template": "tracing/isolation_person_panel.html",
        "colour": health_code_colour(person),
        "isolation": isolation,
    }


# --- control ---

# The more restrictive level wins when several controls cover one place.
_LEVEL_ORDER = {Control.Level.SEALED: 0, Control.Level.CONTROLLED: 1}


def control_active(queryset, at=None):
    """The controls of `queryset` in force at `at`: started, not lifted, planned end not passed."""
    at = at or timezone.now()
    return (
        queryset.filter(starts_at__lte=at)
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=at))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
    )


def _covering(grid_code, building_id=None, compound_id=None):
    around = Q(area__code__in=[grid_code[:n] for n in (6, 9, 12, 15) if n <= len(grid_code)])
    if building_id:
        around |= Q(building_id=building_id)
    if compound_id:
        around |= Q(compound_id=compound_id)
    return around


def _most_restrictive(controls):
    return min(controls, key=lambda c: (_LEVEL_ORDER[c.level], c.starts_at), default=None)


def control_for_household(household, at=None):
    """The most restrictive control in force at `at` covering the household's building, compound, grid or any area
    above it, or None. Reads across areas: a control of the street covers a household whoever asks (the gate, the
    desk, the person page)."""
    building = household.building
    found = control_active(
        Control.all_objects.filter(_covering(household.grid.code, building.pk, building.compound_id)), at
    ).select_related("area", "compound", "building")
    return _most_restrictive(found)


def control_for_person(person, at=None):
    """The control covering the person's household (or, with none registered, their grid), as control_for_household."""
    if person.household_id:
        return control_for_household(person.household, at)
    found = control_active(Control.all_objects.filter(_covering(person.grid.code)), at).select_related(
        "area", "compound", "building"
    )
    return _most_restrictive(found)


def controls_for_persons(person_ids, at=None):
    """{person id: the most restrictive control covering them} for many persons in three queries (the desk checks
    a whole tube)."""
    rows = list(
        Person.all_objects.filter(pk__in=person_ids).values_list(
            "pk", "grid__code", "household__building_id", "household__building__compound_id"
        )
    )
    if not rows:
        return {}
    # One condition of three IN lists, not one OR term per person: a 2,000-person batch built a 6,000-term WHERE
    # that took Django longer to compile than the whole rest of the batch.
    areas = {grid_code[:n] for _pk, grid_code, *_ in rows for n in (6, 9, 12, 15) if n <= len(grid_code)}
    buildings = {building_id for _pk, _grid, building_id, _compound in rows if building_id}
    compounds = {compound_id for *_, compound_id in rows if compound_id}
    around = Q(area__code__in=areas) | Q(building_id__in=buildings) | Q(compound_id__in=compounds)
    controls = list(
        control_active(Control.all_objects.filter(around), at).select_related("area", "compound", "building")
    )
    found = {}
    for pk, grid_code, building_id, compound_id in rows:
        covering = [
            c
            for c in controls
            if (c.building_id and c.building_id == building_id)
            or (c.compound_id and c.compound_id == compound_id)
            or (c.area_id and grid_code.startswith(c.area.code))
        ]
        if covering:
            found[pk] = _most_restrictive(covering)
    return found


def control_list():
    """Controls in the caller's area, those in force first (newest start first), then the lifted and ended."""
    now = timezone.now()
    controls = list(Control.objects.select_related("area", "compound", "building", "community"))
    in_force = set(control_active(Control.objects.all(), now).values_list("pk", flat=True))
    for control in controls:
        control.in_force = control.pk in in_force
    return sorted(controls, key=lambda c: (not c.in_force, -c.starts_at.timestamp()))


def control_target(control):
    return control.building or control.compound or control.area


def control_residents(control, *, limit=200):
    """Who lives inside the control's target, in the caller's scope: a count by grid, the number of households and
    the first `limit` persons (the page masks their numbers)."""
    if control.building_id:
        inside = Q(household__building_id=control.building_id)
    elif control.compound_id:
        inside = Q(household__building__compound_id=control.compound_id)
    else:
        inside = Q(grid__code__startswith=control.area.code)
    persons = Person.objects.filter(inside)
    by_grid = list(persons.values("grid__code", "grid__name").annotate(n=Count("pk")).order_by("grid__code"))
    return {
        "by_grid": by_grid,
        "residents": sum(g["n"] for g in by_grid),
        "households": persons.exclude(household__isnull=True).values("household_id").distinct().count(),
        "persons": list(
            persons.select_related("household__building").order_by("household__building__name", "household_id", "pk")[
                :limit
            ]
        ),
    }


def person_banners(person):
    """What the person page says of tracing: a control covering where they live ("sealed since …")."""
    control = control_for_person(person)
    if control is None:
        return []
    return [control_banner(control)]


def control_banner(control):
    values = {
        "target": control_target(control),
        "since": timezone.localtime(control.starts_at).strftime("%Y-%m-%d %H:%M"),
    }
    if control.level == Control.Level.SEALED:
        text = _("%(target)s sealed since %(since)s: stay home, door-to-door service") % values
    else:
        text = _("%(target)s controlled since %(since)s: stay inside the area") % values
    return {"text": text, "level": control.level, "url": reverse("tracing:control_notice", args=[control.pk])}


def control_pool_limits(person_ids):
    """Screening's pooling hook (screening.services.on_pool_limits): a sealed target's residents go into single
    tubes or one tube per household (TracingSettings.sealed_pooling), a controlled target's at most 10 per tube."""
    from screening.services import PoolLimit

    household_only = TracingSettings.current().sealed_pooling == "household"
    limits = {}
    for person_id, control in controls_for_persons(person_ids).items():
        values = {"target": control_target(control)}
        if control.level == Control.Level.SEALED and household_only:
            limits[person_id] = PoolLimit(20, True, _("%(target)s is sealed: one household per tube") % values)
        elif control.level == Control.Level.SEALED:
            limits[person_id] = PoolLimit(1, False, _("%(target)s is sealed: single tubes only") % values)
        else:
            limits[person_id] = PoolLimit(
                10, False, _("%(target)s is controlled: at most 10 persons per tube") % values
            )
    return limits


def person_data(person):
    """Tracing's part of a person's data export (registry.personal_data): cases, contacts, venue visits and gate
    entries, arrivals, isolations, tests owed and antigen tests."""
    from tracing.models import AntigenTest, ArrivalReport, Case, Contact, Isolation, TestObligation, VenueVisit

    return [
        Case.objects.filter(person=person),
        Contact.objects.filter(person=person),
        VenueVisit.objects.filter(person=person).order_by("visited_at"),
        ArrivalReport.objects.filter(person=person),
        Isolation.objects.filter(person=person),
        TestObligation.objects.filter(person=person),
        AntigenTest.objects.filter(person=person),
    ]


def person_erase_refusals(person):
    """Why tracing still needs `person`'s data (registry.services.person_erase)."""
    from tracing.models import Case, Contact, TestObligation

    refusals = []
    if Case.all_objects.filter(person=person).exists():
        refusals.append(_("They are a recorded case: the infectious-disease report keeps cases."))
    if Contact.all_objects.filter(person=person, status=Contact.Status.PROPOSED).exists():
        refusals.append(_("They are a contact still being judged."))
    if control_over(person) is not None:
        refusals.append(_("They are in isolation or under control now."))
    if TestObligation.all_objects.filter(person=person, fulfilled_at=None, due_by__gt=timezone.now()).exists():
        refusals.append(_("They still owe tests (an arrival, an isolation or a key group)."))
    return refusals
