"""Reads of the screening app (stable names; pages and the API use these):

- campaign_list(), campaign_get(campaign_id), round_get(round_id), site_list(campaign)
- expected_persons(round_, area) -> Person queryset: who the campaign expects in `area` (rule, minus exclusions)
- coverage(round_, area) -> {"area", "level", totals…, "children": [{"key", "code", "name", totals…}]}: expected,
  sampled, missing, excluded, resulted, positive for an area and each child (child areas; for a grid its buildings)
- coverage_building(round_, building) -> the same for a building, children = households
- household_persons(round_, household) -> [{"person", "state", "sampled_at", "result", "result_label", "exclusion"}]
- missing_persons(round_, area) -> Person queryset ordered by door
- knock_list(round_, grid, household=None) -> [{"household", "building", "persons": [{"person", "acknowledged",
  "last_outcome"}], "last_outcome"}] ordered by building, unit, floor, room (with `household`, only that door)
- knock_counts(round_, grid) -> {"missing", "doors", "not_home", "knocked"}: the knock list's counters
- phone_list(round_, grid) -> missing persons who did not acknowledge the notice
- rounds_missed(campaign, area) -> [{"person", "sampled_rounds", "rounds_so_far", "missed"}] (missed ≥ 1)
- standing_list(campaign) -> Person queryset who need home sampling (bedridden, limited mobility, mobility-impaired)
- home_requests(round_, area=None, status=None), holds(round_=None, area=None), alerts(open_only=True)
- round_current(area=None) -> the round being worked on (running, else last started, else next) for `area`;
  round_running(area) -> the round under way now for `area`, or None
- doors_left(round_, grid) -> how many doors the grid's knock list has now
- holds_open_by_grid(area) -> [(grid code, round id, n)] of holds still open (held or re-sampled)
- alerts_open_by_area(area) -> {area code: n} of alerts nobody has acknowledged
- sites_of_medic(user, campaign), sites_serving(campaign, area), tubes_awaiting_result(), results_recent(limit)
- round_numbers(round_) -> per site: samples, samples per hour (overall and last hour), tubes closed/pending/
  resulted, turnaround sampling → result, positive tubes, queue estimate (people of the site's area still to come)
  and hours to finish them at the last hour's pace. (Tubes are registered closed, so "open" tubes live on desks.)
- coverage_over_time(round_, area, step_minutes=60) -> [(time, sampled, percent)]
- round_list(area) -> rounds newest first, each with `status` and (begun rounds) `coverage_percent` of `area`
- desk_rounds(user, now=None) -> {"running": [rounds], "last_ended": round|None, "next_upcoming": round|None} of
  the campaigns where `user` is assigned to a site; desk_sites(user, rounds) -> those sites, each with `pool_size`
- site_populations(sites) -> {site id: people in the area it serves}
- site_sizing(population) -> sites/desks/samplers advice (settings.SCREENING_SIZING)

Coverage rules: a person is expected when they live in the area and in the campaign's scope, their residence status
is one the campaign expects and their age (at the round's start) is within its bounds, unless an exclusion of the
round (or of the whole campaign, still valid at the round's start) applies and they were not sampled anyway.
"sampled"/"resulted"/"positive" count expected persons with a sample in the round / with a result / in a positive
tube (pooled or single). missing = expected − sampled.
"""

import math
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.models import NoticeAck
from registry.models import Area, Building, Household, Person
from screening.models import (
    Alert,
    Campaign,
    Exclusion,
    Hold,
    HomeSamplingRequest,
    KnockOutcome,
    PoolingRule,
    Round,
    Sample,
    Site,
    Tube,
)
from screening.services import pool_size_for

COUNTS = ("expected", "sampled", "missing", "excluded", "resulted", "positive")


def campaign_list():
    return Campaign.objects.prefetch_related("rounds")


def round_list(area, now=None):
    """All rounds, newest first (by start), with their status and the coverage of `area` in those that began.
    Coverage is only the totals (3 grouped queries a round); an upcoming round has nothing to count yet."""
    now = now or timezone.now()
    rounds = list(Round.objects.select_related("campaign").order_by("-starts_at", "-pk"))
    for round_ in rounds:
        round_.current_status = round_.status_at(now)
        round_.status_label = Round.Status(round_.current_status).label
        round_.coverage_percent = None
        if round_.current_status != Round.Status.UPCOMING and area is not None:
            round_.coverage_percent = coverage_percent(round_, area)
    return rounds


def coverage_percent(round_, area):
    """sampled / expected of `area`, one decimal; None when nobody is expected (a roll call counts the same)."""
    if area.level == Area.Level.GRID:
        totals = _sum(_counts_small(round_, Q(grid_id=area.pk), "grid_id").values())
    else:
        totals = _sum(_counts(round_, Q(grid_id__in=list(_scope_grid_ids(round_.campaign, area))), "grid_id").values())
    if not totals["expected"]:
        return None
    return round(100 * totals["sampled"] / totals["expected"], 1)


def desk_rounds(user, now=None):
    """The rounds of the campaigns where `user` works a site: those running now (the desk's choice), and the
    last ended and next upcoming one, so a desk with nothing running can say why."""
    now = now or timezone.now()
    rounds = list(
        Round.objects.select_related("campaign")
        .exclude(campaign__kind=Campaign.Kind.ROLL_CALL)
        .filter(campaign__sites__medics=user)
        .distinct()
        .order_by("-starts_at")
    )
    ended = [r for r in rounds if r.status_at(now) == Round.Status.ENDED]
    upcoming = [r for r in rounds if r.status_at(now) == Round.Status.UPCOMING]
    return {
        "running": [r for r in rounds if r.status_at(now) == Round.Status.RUNNING],
        "last_ended": max(ended, key=lambda r: r.ends_at, default=None),
        "next_upcoming": min(upcoming, key=lambda r: r.starts_at, default=None),
    }


def desk_sites(user, rounds):
    """The sites of those rounds' campaigns that `user` works, each with the pool size of the zone it serves (the
    desk's default tube; a person of a zone pooling fewer is refused in a bigger tube)."""
    campaigns = {r.campaign_id: r.campaign for r in rounds}
    sites = list(Site.objects.filter(campaign_id__in=list(campaigns), medics=user).select_related("area"))
    rules = {}
    for rule in PoolingRule.objects.filter(campaign_id__in=list(campaigns)).select_related("area"):
        rules.setdefault(rule.campaign_id, []).append(rule)
    for site in sites:
        site.pool_size = pool_size_for(campaigns[site.campaign_id], site.area.code, rules.get(site.campaign_id, []))
    return sites


def campaign_get(campaign_id):
    return Campaign.objects.prefetch_related("rounds", "scope", "pooling_rules__area").get(pk=campaign_id)


def round_get(round_id):
    return Round.objects.select_related("campaign").get(pk=round_id)


def round_current(area=None, now=None):
    """The round people of `area` are working on: the running one (the latest to start, if several run), else the
    last to have started, else the next to come; None before any campaign. With an area, only rounds of campaigns
    whose scope covers the area or part of it."""
    now = now or timezone.now()
    rounds = list(Round.objects.select_related("campaign").order_by("-starts_at", "-pk"))
    if area is not None:
        scopes = defaultdict(list)  # one query for every campaign's scope, not one a round
        for campaign_id, code in Area.all_objects.filter(campaigns__in={r.campaign_id for r in rounds}).values_list(
            "campaigns", "code"
        ):
            scopes[campaign_id].append(code)
        rounds = [r for r in rounds if _serves(scopes[r.campaign_id], area)]
    started = [r for r in rounds if r.starts_at <= now]
    running = [r for r in started if r.ends_at > now]
    return (running or started or rounds[::-1] or [None])[0]


def round_running(area, now=None):
    """The round under way now for `area`, or None."""
    now = now or timezone.now()
    round_ = round_current(area, now)
    return round_ if round_ is not None and round_.status_at(now) == Round.Status.RUNNING else None


def _serves(scope, area):
    """Whether a campaign of these scope codes covers the area or part of it."""
    return any(code.startswith(area.code) or area.code.startswith(code) for code in scope)


def site_list(campaign):
    return campaign.sites.select_related("area")


def scope_codes(campaign):
    """The campaign's scope area codes (read unscoped: a campaign's scope is not the caller's business)."""
    return list(Area.all_objects.filter(campaigns=campaign).values_list("code", flat=True))


def _scope_grid_ids(campaign, area=None):
    """Grids inside both `area` (default: anywhere) and the campaign's scope."""
    scope = scope_codes(campaign)
    grids = Area.objects.filter(level=Area.Level.GRID, code__startswith=area.code if area else "").values_list(
        "id", "code"
    )
    return {gid: code for gid, code in grids if any(code.startswith(s) for s in scope)}


def _rule_q(round_, prefix=""):
    """The campaign's rule (statuses, ages at the round's start) as a Q on Person, via `prefix`."""
    campaign = round_.campaign
    q = Q(**{f"{prefix}residence_status__in": campaign.residence_statuses})
    # whatever statuses a campaign lists, a person whose data was erased on request is expected nowhere
    q &= ~Q(**{f"{prefix}residence_status": Person.ResidenceStatus.ERASED})
    day = timezone.localtime(round_.starts_at).date()
    if campaign.min_age is not None:
        q &= Q(**{f"{prefix}birth_date__isnull": True}) | Q(
            **{f"{prefix}birth_date__lte": _years_before(day, campaign.min_age)}
        )
    if campaign.max_age is not None:
        oldest = _years_before(day, campaign.max_age + 1) + timedelta(days=1)
        q &= Q(**{f"{prefix}birth_date__isnull": True}) | Q(**{f"{prefix}birth_date__gte": oldest})
    return q


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _exclusion_q(round_):
    day = timezone.localtime(round_.starts_at).date()
    return (
        Q(campaign_id=round_.campaign_id)
        & (Q(round=round_) | Q(round__isnull=True))
        & (Q(until__isnull=True) | Q(until__gte=day))
    )


def _sampled_exists(round_, ref="pk"):
    return Exists(Sample.all_objects.filter(round=round_, person_id=OuterRef(ref)))


def _excluded_exists(round_, ref="pk"):
    return Exists(Exclusion.all_objects.filter(_exclusion_q(round_), person_id=OuterRef(ref)))


def _counts_small(round_, person_q, group):
    """_counts for a grid or a building: the persons first, then their samples and exclusions by person id
    through the (person, round) indexes, added up here — three indexed lookups instead of scans of the round."""
    members = dict(Person.objects.filter(person_q & _rule_q(round_)).values_list("id", group))
    # A subquery, not a list of ~1,300 ids: PostgreSQL's driver spends longer on a long parameter list than the
    # database spends on the lookup.
    ids = Person.all_objects.filter(person_q).values("pk")
    sampled, resulted, positive = set(), set(), set()
    for pid, result in Sample.all_objects.filter(round=round_, person_id__in=ids).values_list("person_id", "result"):
        sampled.add(pid)
        if result != Tube.Result.PENDING:
            resulted.add(pid)
        if result == Tube.Result.POSITIVE:
            positive.add(pid)
    excluded = (
        set(Exclusion.all_objects.filter(_exclusion_q(round_), person_id__in=ids).values_list("person_id", flat=True))
        - sampled
    )
    tally = {}
    for pid, key in members.items():
        row = tally.setdefault(key, [0, 0, 0, 0, 0])
        row[0] += 1
        row[1] += pid in sampled
        row[2] += pid in excluded
        row[3] += pid in resulted
        row[4] += pid in positive
    return {key: _row(n - x, s, x, r, p) for key, (n, s, x, r, p) in tally.items()}


def _counts(round_, person_q, group):
    """{group value: {counts}} in three GROUP BY queries: persons by rule, sampled persons, excluded unsampled."""
    base = dict(Person.objects.filter(person_q & _rule_q(round_)).values_list(group).annotate(n=Count("id")).order_by())
    sampled = {
        row[0]: row[1:]
        for row in Sample.objects.filter(round=round_)
        .filter(_prefixed(person_q, "person__") & _rule_q(round_, "person__"))
        .values_list(f"person__{group}")
        .annotate(
            sampled=Count("person_id", distinct=True),
            resulted=Count("person_id", distinct=True, filter=~Q(result=Tube.Result.PENDING)),
            positive=Count("person_id", distinct=True, filter=Q(result=Tube.Result.POSITIVE)),
        )
        .order_by()
    }
    excluded = dict(
        Exclusion.objects.filter(_exclusion_q(round_))
        .filter(_prefixed(person_q, "person__") & _rule_q(round_, "person__"))
        .exclude(_sampled_exists(round_, "person_id"))
        .values_list(f"person__{group}")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    out = {}
    for key, n in base.items():
        s, r, p = sampled.get(key, (0, 0, 0))
        x = excluded.get(key, 0)
        out[key] = _row(n - x, s, x, r, p)
    return out


def _row(expected, sampled, excluded, resulted, positive):
    return {
        "expected": expected,
        "sampled": sampled,
        "missing": expected - sampled,
        "excluded": excluded,
        "resulted": resulted,
        "positive": positive,
    }


def _prefixed(q, prefix):
    """The same Q with every lookup reached through `prefix` (person_q is written on Person)."""
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    for child in q.children:
        clone.children.append(_prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1]))
    return clone


def _sum(rows):
    total = dict.fromkeys(COUNTS, 0)
    for row in rows:
        for k in COUNTS:
            total[k] += row[k]
    return total


def coverage(round_, area):
    """Coverage of `area` with one row per child area (per building for a grid)."""
    if area.level == Area.Level.GRID:
        per = _counts_small(round_, Q(grid_id=area.pk), "household__building_id")
        buildings = Building.objects.in_bulk([k for k in per if k is not None])
        children = [
            {"key": bid, "code": None, "name": buildings[bid].address if bid in buildings else "—", **row}
            for bid, row in sorted(per.items(), key=lambda kv: buildings[kv[0]].address if kv[0] in buildings else "")
        ]
        return {"area": area, "level": area.level, **_sum(per.values()), "children": children}
    grids = _scope_grid_ids(round_.campaign, area)
    per_grid = _counts(round_, Q(grid_id__in=list(grids)), "grid_id")
    child_len = Area.CODE_LENGTH[area.level + 1]
    rolled = {}
    for gid, row in per_grid.items():
        rolled.setdefault(grids[gid][:child_len], []).append(row)
    names = dict(Area.objects.filter(parent=area).values_list("code", "name"))
    children = [
        {"key": code, "code": code, "name": names.get(code, code), **_sum(rows)}
        for code, rows in sorted(rolled.items())
    ]
    return {"area": area, "level": area.level, **_sum(per_grid.values()), "children": children}


def coverage_building(round_, building):
    per = _counts_small(round_, Q(household__building_id=building.pk), "household_id")
    households = Household.objects.in_bulk(list(per))
    children = [
        {"key": hid, "code": None, "name": households[hid].door_label, **per[hid]}
        for hid in sorted(per, key=lambda h: (households[h].unit, households[h].floor, households[h].room))
    ]
    return {"area": building, "level": 5, **_sum(per.values()), "children": children}


def household_persons(round_, household):
    """Each person of a door with their state this round: sampled, excluded, missing, or not expected."""
    persons = list(Person.objects.filter(household=household).order_by("id"))
    expected_ids = set(Person.objects.filter(_rule_q(round_), household=household).values_list("id", flat=True))
    samples = {}
    for s in Sample.objects.filter(round=round_, person__in=persons).order_by("sampled_at"):
        samples[s.person_id] = s
    exclusions = {e.person_id: e for e in Exclusion.objects.filter(_exclusion_q(round_), person__in=persons)}
    rows = []
    for p in persons:
        sample = samples.get(p.pk)
        if sample is not None:
            state = "sampled"
        elif p.pk not in expected_ids:
            state = "not_expected"
        elif p.pk in exclusions:
            state = "excluded"
        else:
            state = "missing"
        rows.append(
            {
                "person": p,
                "state": state,
                "sampled_at": sample.sampled_at if sample else None,
                "result": sample.result if sample else None,
                "result_label": sample.get_result_display() if sample else None,
                "exclusion": exclusions.get(p.pk),
            }
        )
    return rows


def _area_q(round_, area):
    if area.level == Area.Level.GRID:
        return Q(grid_id=area.pk)
    return Q(grid_id__in=list(_scope_grid_ids(round_.campaign, area)))


def expected_persons(round_, area):
    return Person.objects.filter(_area_q(round_, area) & _rule_q(round_)).exclude(
        _excluded_exists(round_) & ~_sampled_exists(round_)
    )


def missing_persons(round_, area):
    return (
        Person.objects.filter(_area_q(round_, area) & _rule_q(round_))
        .exclude(_sampled_exists(round_))
        .exclude(_excluded_exists(round_))
        .order_by(
            "grid__code",
            "household__building__address",
            "household__unit",
            "household__floor",
            "household__room",
            "id",
        )
    )


def knock_list(round_, grid, household=None):
    """Households of the grid with anyone missing, in walking order, with each person's notice acknowledgement
    and the last knock outcome of this round (a "not home" stays on the list for the next pass). With
    `household`, only that door: the one row a tap at it renders again ([] once nobody there is missing)."""
    # At the start of a round most of a grid's ~1,300 people are on this list. So, as in _counts_small: the grid's
    # expected persons (only the fields shown), then who of them is sampled or excluded, selected by the person's
    # current grid rather than by long id lists; walking order is sorted here, and households and buildings are
    # built once each, not per person.
    in_grid = Q(person__grid_id=grid.pk)
    candidates = Person.objects.filter(Q(grid_id=grid.pk) & _rule_q(round_))
    households = Household.objects.select_related("building").filter(grid_id=grid.pk)
    knocks = KnockOutcome.objects.filter(round=round_, grid=grid)
    if household is not None:
        in_grid &= Q(person__household_id=household.pk)
        candidates = candidates.filter(household_id=household.pk)
        households = households.filter(pk=household.pk)
        knocks = knocks.filter(household_id=household.pk)
    persons = list(candidates.only("id", "name", "id_number", "household_id", "grid_id"))
    done = set(Sample.all_objects.filter(in_grid, round=round_).values_list("person_id", flat=True))
    done |= set(Exclusion.all_objects.filter(in_grid, _exclusion_q(round_)).values_list("person_id", flat=True))
    persons = [p for p in persons if p.pk not in done]
    households = {h.pk: h for h in households}
    for p in persons:
        p.household = households.get(p.household_id)
    persons.sort(key=lambda p: _walking_order(p.household, p.pk))
    acked = set(NoticeAck.objects.filter(in_grid, round=round_).values_list("person_id", flat=True))
    last_by_person, last_by_door = _last_knocks(knocks)
    doors = {}
    for p in persons:
        household = p.household
        door = doors.setdefault(
            p.household_id,
            {
                "household": household,
                "building": household.building if household else None,
                "persons": [],
                "last_outcome": last_by_door.get(p.household_id),
            },
        )
        door["persons"].append({"person": p, "acknowledged": p.pk in acked, "last_outcome": last_by_person.get(p.pk)})
    return list(doors.values())


def knock_counts(round_, grid):
    """The knock list's counters, without building the list: persons still missing, doors still to knock, of
    the missing those last found not home (by their own knock or their door's, whichever came last), and doors
    knocked this round. A tap at a door sends them again with the one row."""
    missing = list(missing_persons(round_, grid).order_by().values_list("pk", "household_id"))
    knocks = KnockOutcome.objects.filter(round=round_, grid=grid)
    last_by_person, last_by_door = _last_knocks(knocks)

    def last_outcome(person_id, household_id):
        found = [k for k in (last_by_person.get(person_id), last_by_door.get(household_id)) if k is not None]
        return max(found, key=lambda k: (k.recorded_at, k.pk)).outcome if found else None

    return {
        "missing": len(missing),
        "doors": len({household_id for _person, household_id in missing}),
        "not_home": sum(last_outcome(*p) == KnockOutcome.Outcome.NOT_HOME for p in missing),
        "knocked": knocks.values("household_id").distinct().count(),
    }


def _last_knocks(knocks):
    """({person id: last knock}, {household id: last knock for the whole door}) of a queryset of knocks."""
    last_by_person, last_by_door = {}, {}
    for knock in knocks.order_by("recorded_at", "id"):
        if knock.person_id:
            last_by_person[knock.person_id] = knock
        else:
            last_by_door[knock.household_id] = knock
    return last_by_person, last_by_door


def _walking_order(household, person_id):
    if household is None:
        return (1, "", 0, 0, "", person_id)
    return (0, household.building.address, household.unit, household.floor, household.room, person_id)


def phone_list(round_, grid):
    return missing_persons(round_, grid).exclude(
        Exists(NoticeAck.all_objects.filter(round=round_, person_id=OuterRef("pk")))
    )


def rounds_so_far(campaign, now=None):
    return list(campaign.rounds.filter(starts_at__lte=now or timezone.now()).order_by("number"))


def rounds_missed(campaign, area, now=None):
    """Persons expected in `area` who missed at least one round so far ("missed 2 of 3"), live."""
    rounds = rounds_so_far(campaign, now)
    if not rounds:
        return []
    last = rounds[-1]
    persons = (
        Person.objects.filter(_area_q(last, area) & _rule_q(last))
        .annotate(
            sampled_rounds=Count("samples__round", distinct=True, filter=Q(samples__round__in=[r.pk for r in rounds]))
        )
        .filter(sampled_rounds__lt=len(rounds))
        .select_related("household__building")
        .order_by("grid__code", "household_id", "id")
    )
    return [
        {
            "person": p,
            "sampled_rounds": p.sampled_rounds,
            "rounds_so_far": len(rounds),
            "missed": len(rounds) - p.sampled_rounds,
        }
        for p in persons
    ]


def standing_list(campaign):
    in_scope = Q(pk__in=[])
    for code in scope_codes(campaign):
        in_scope |= Q(grid__code__startswith=code)
    return (
        Person.objects.filter(in_scope, residence_status__in=campaign.residence_statuses)
        .filter(
            Q(mobility__in=[Person.Mobility.BEDRIDDEN, Person.Mobility.LIMITED])
            | Q(special_groups__code="mobility_impaired")
        )
        .distinct()
    )


def home_requests(round_, area=None, status=None):
    qs = HomeSamplingRequest.objects.filter(round=round_).select_related(
        "person", "household__building", "team", "grid"
    )
    if area is not None:
        qs = qs.filter(grid__code__startswith=area.code)
    if status:
        qs = qs.filter(status__in=[status] if isinstance(status, str) else status)
    return qs.order_by("team_id", "route_order", "created_at")


def holds(round_=None, area=None):
    qs = Hold.objects.select_related("person", "tube", "grid", "resample__tube")
    if round_ is not None:
        qs = qs.filter(round=round_)
    if area is not None:
        qs = qs.filter(grid__code__startswith=area.code)
    return qs.order_by("-tube__result_received_at", "tube_id", "person_id")


def alerts(open_only=True):
    qs = Alert.objects.filter(withdrawn_at__isnull=True).select_related("area", "tube", "person", "round")
    return qs.filter(acknowledged_at__isnull=True) if open_only else qs


def round_numbers(round_, now=None):
    """Command-centre numbers per site (see the module docstring)."""
    now = now or timezone.now()
    hour_ago = now - timedelta(hours=1)
    per_site = {
        row["site_id"]: row
        for row in Tube.objects.filter(round=round_)
        .values("site_id")
        .annotate(
            tubes=Count("id"),
            resulted=Count("id", filter=~Q(result=Tube.Result.PENDING)),
            positive=Count("id", filter=Q(result=Tube.Result.POSITIVE)),
            first=Min("closed_at"),
            last=Max("closed_at"),
        )
        .order_by()
    }
    persons, last_hour = {}, {}
    for site_id, n, recent in (
        Sample.all_objects.filter(round=round_)
        .values_list("tube__site_id")
        .annotate(n=Count("id"), recent=Count("id", filter=Q(sampled_at__gte=hour_ago)))
        .order_by()
    ):
        persons[site_id], last_hour[site_id] = n, recent
    turnaround = _turnaround_minutes(round_)
    sites = list(Site.objects.filter(campaign_id=round_.campaign_id).select_related("area").order_by("name"))
    waiting = _missing_per_site(round_, sites)
    rows = []
    for site in sites:
        row = per_site.get(site.pk, {})
        hours = max((row["last"] - row["first"]).total_seconds() / 3600, 1 / 60) if row else None
        rows.append(
            {
                "site": site,
                "samples": persons.get(site.pk, 0),
                "samples_last_hour": last_hour.get(site.pk, 0),
                "samples_per_hour": round(persons.get(site.pk, 0) / hours, 1) if hours else 0.0,
                # What samples_per_hour averages over (first to last tube closed), for the page to say so: at a
                # site open for hours it differs from the last hour's count, and must not look like it.
                "hours_sampling": round(hours, 1) if hours else None,
                "tubes_closed": row.get("tubes", 0),
                "tubes_resulted": row.get("resulted", 0),
                "tubes_pending": row.get("tubes", 0) - row.get("resulted", 0),
                "positive_tubes": row.get("positive", 0),
                "turnaround_minutes": turnaround.get(site.pk),
                "queue_estimate": waiting[site.pk],
                "hours_to_finish": round(waiting[site.pk] / last_hour[site.pk], 1) if last_hour.get(site.pk) else None,
            }
        )
    return rows


def _missing_per_site(round_, sites):
    """People of each site's area still to come: the area's missing persons shared among the sites serving the
    same area (one GROUP BY over the campaign's scope)."""
    grids = _scope_grid_ids(round_.campaign)
    per_grid = _counts(round_, Q(grid_id__in=list(grids)), "grid_id")
    sharing = {}
    for site in sites:
        sharing[site.area.code] = sharing.get(site.area.code, 0) + 1
    out = {}
    for site in sites:
        missing = sum(row["missing"] for gid, row in per_grid.items() if grids[gid].startswith(site.area.code))
        out[site.pk] = missing // sharing[site.area.code]
    return out


def _turnaround_minutes(round_):
    rows = Tube.objects.filter(round=round_, resulted_at__isnull=False).values_list(
        "site_id", "closed_at", "resulted_at"
    )
    totals = {}
    for site_id, closed, resulted in rows.iterator():
        n, s = totals.get(site_id, (0, 0.0))
        totals[site_id] = (n + 1, s + (resulted - closed).total_seconds() / 60)
    return {site_id: round(s / n, 1) for site_id, (n, s) in totals.items()}


MAX_POINTS = 500


def coverage_over_time(round_, area, step_minutes=60, *, expected=None):
    """[(time, sampled so far, percent of expected)] from the round's start to now (or its end). `expected`: the
    area's expected count, when the caller has its coverage already."""
    if expected is None:
        expected = coverage(round_, area)["expected"]
    q = _prefixed(_area_q(round_, area), "person__") & _rule_q(round_, "person__")
    firsts = sorted(
        Sample.objects.filter(round=round_)
        .filter(q)
        .values("person_id")
        .annotate(first=Min("sampled_at"))
        .order_by()
        .values_list("first", flat=True)
    )
    end = min(timezone.now(), round_.ends_at)
    # A round spanning decades at 5-minute steps was millions of points and timed the worker out: the step widens
    # so that there are at most MAX_POINTS.
    span = max((end - round_.starts_at).total_seconds() / 60, 0)
    step_minutes = max(step_minutes, math.ceil(span / (MAX_POINTS - 1)) if span else step_minutes)
    points, t, i = [], round_.starts_at, 0
    while t <= end:
        while i < len(firsts) and firsts[i] <= t:
            i += 1
        points.append((t, i, round(100 * i / expected, 1) if expected else 0.0))
        t += timedelta(minutes=step_minutes)
    return points


def site_populations(sites):
    """{site id: people living in the area it serves}. Sizing is about the whole area a site serves, whoever asks,
    so this counts across scopes (numbers only, no person)."""
    per_grid = list(Person.all_objects.values_list("grid__code").annotate(n=Count("id")).order_by())
    return {site.pk: sum(n for code, n in per_grid if code.startswith(site.area.code)) for site in sites}


def site_sizing(population):
    """Advice for serving `population` people (settings.SCREENING_SIZING, DOMAIN.md's figures)."""
    rule = settings.SCREENING_SIZING
    return {
        "population": population,
        "sites": -(-population // rule["people_per_site"]),
        "desks": -(-population // rule["people_per_desk"]),
        "samplers": -(-population // rule["people_per_sampler"]),
        "hours": rule["hours"],
    }


def call_list_has(user, person):
    """Whether `person` is on a running round's knock list (missing in their grid) or home-sampling list in
    `user`'s area, for the call link (registry.calls)."""
    now = timezone.now()
    waiting = [HomeSamplingRequest.Status.OPEN, HomeSamplingRequest.Status.ASSIGNED]
    for round_ in Round.objects.filter(starts_at__lte=now, ends_at__gte=now).select_related("campaign"):
        if HomeSamplingRequest.objects.filter(round=round_, person=person, status__in=waiting).exists():
            return True
        if not any(person.grid.code.startswith(code) for code in scope_codes(round_.campaign)):
            continue
        if missing_persons(round_, person.grid).filter(pk=person.pk).exists():
            return True
    return False


def doors_left(round_, grid):
    """The doors on the grid's knock list now: counted from the list itself, so the home and the list agree."""
    return len(knock_list(round_, grid))


HOLD_OPEN = (Hold.State.HELD, Hold.State.RESAMPLED)


def holds_open_by_grid(area):
    """[(grid code, round id, n)]: persons held in place whose re-sample has no result yet, under `area`."""
    return list(
        Hold.objects.filter(state__in=HOLD_OPEN, grid__code__startswith=area.code)
        .values_list("grid__code", "round_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def alerts_open_by_area(area):
    """{area code: n} of alerts under `area` neither acknowledged nor withdrawn."""
    return dict(
        Alert.objects.filter(acknowledged_at__isnull=True, withdrawn_at__isnull=True, area__code__startswith=area.code)
        .values_list("area__code")
        .annotate(n=Count("id"))
        .order_by()
    )


def sites_of_medic(user, campaign):
    """The campaign's sites `user` is assigned to (the only ones their desk registers tubes at)."""
    return list(Site.objects.filter(campaign=campaign, medics=user).select_related("area").order_by("name"))


def sites_serving(campaign, area):
    """The campaign's sites serving `area` or part of it (a district-wide site serves every community)."""
    sites = Site.objects.filter(campaign=campaign).select_related("area").order_by("name")
    return [s for s in sites if s.area.code.startswith(area.code) or area.code.startswith(s.area.code)]


def tubes_awaiting_result():
    """Tubes registered at a desk that have no lab result yet."""
    return Tube.objects.filter(result=Tube.Result.PENDING).count()


def results_recent(limit=10, since_hours=24):
    """(the last `limit` tubes resulted, how many were resulted in the last `since_hours` hours)."""
    resulted = Tube.objects.exclude(result=Tube.Result.PENDING)
    since = timezone.now() - timedelta(hours=since_hours)
    latest = list(resulted.select_related("round__campaign").order_by("-result_received_at", "-pk")[:limit])
    return latest, resulted.filter(result_received_at__gte=since).count()


def round_plan(round_, area):
    """The newest plan per site serving `area` (scoped rows), each with what happened once samples exist:
    `actual_people` (persons sampled at the site, numbers only, counted across scopes) and `actual_last` (the last
    sample's time), and `finish_error` (percent of the planned working span, actual minus planned)."""
    from screening.models import RoundPlan

    latest = {}
    for plan in (
        RoundPlan.objects.filter(round=round_, area__code__startswith=area.code)
        .select_related("site", "area")
        .order_by("site__name", "-created_at", "-id")
    ):
        latest.setdefault(plan.site_id, plan)
    actual = {
        site_id: (n, last)
        for site_id, n, last in Sample.all_objects.filter(round=round_, tube__site_id__in=list(latest))
        .values_list("tube__site_id")
        .annotate(n=Count("person_id", distinct=True), last=Max("sampled_at"))
        .order_by()
    }
    rows = []
    for site_id, plan in latest.items():
        plan.actual_people, plan.actual_last = actual.get(site_id, (None, None))
        plan.finish_error = None
        if plan.actual_last and plan.finish_at:
            span = (plan.finish_at - plan.opens_at).total_seconds()
            if span > 0:
                plan.finish_error = round(100 * (plan.actual_last - plan.finish_at).total_seconds() / span, 1)
        rows.append(plan)
    return rows


def person_data(person):
    """Screening's part of a person's data export (registry.personal_data)."""
    from screening.models import Exclusion, HomeSamplingRequest, KnockOutcome, Sample

    return [
        Sample.objects.filter(person=person).order_by("sampled_at"),
        KnockOutcome.objects.filter(person=person),
        HomeSamplingRequest.objects.filter(person=person),
        Exclusion.objects.filter(person=person),
    ]


def person_erase_refusals(person):
    """Why screening still needs `person`'s data (registry.services.person_erase)."""
    from screening.models import Hold, Sample, Tube

    refusals = []
    if Sample.all_objects.filter(person=person, result=Tube.Result.PENDING).exists():
        refusals.append(_("A sample of theirs still awaits its result."))
    if Hold.all_objects.filter(person=person, state__in=[Hold.State.HELD, Hold.State.RESAMPLED]).exists():
        refusals.append(_("They are held after a positive pooled tube."))
    return refusals
