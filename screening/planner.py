"""The round planner: before a round, a deterministic queueing simulation per sampling site predicts how long its
queue gets and when its last person is sampled, the tubes and staff it needs, and how many desks to add so it
finishes inside its opening hours (DOMAIN.md: finish within 24 hours; one desk per 600–800 people, samplers ≈
population ÷ 360).

People per site: everyone expected in a grid (the campaign's residence statuses, its scope) times the expected
turnout, shared between the sites that serve the grid so that nobody is counted twice — the most local sites (the
longest area code covering the grid) share `1 - wide_share` of it by desks, wider sites (a district-wide square)
share the rest by desks; a grid served only by a wide site sends it everyone. Arrivals follow the arrival curve
(settings.SCREENING_PLANNER["curve"], a weight per clock hour: a morning and an evening peak) over the site's
opening hours inside the round; `desks` servers take people first come, first served, each for the mean service
time. The same functions draw random arrivals and lognormal service times for `gridcare simulate-screening`, which
measures what the plan predicted.
"""

import bisect
import heapq
import math
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from registry.models import Area, Person

CHART_STEP = timedelta(minutes=30)


def config():
    return settings.SCREENING_PLANNER


# --- the queue ---------------------------------------------------------------------------------------------------


def queue(arrivals, desks, service):
    """FIFO queue with `desks` servers. `arrivals`: seconds from opening, sorted; `service`: seconds per person (a
    number, or one per arrival). Returns {"finish", "waits", "starts", "ends", "max_queue", "mean_queue"}: the
    queue counts people waiting (not yet at a desk); the mean is over time, from the first arrival to the finish."""
    desks = max(1, desks)
    free = [0.0] * desks
    starts, ends, waits = [], [], []
    for i, arrival in enumerate(arrivals):
        duration = service[i] if isinstance(service, (list, tuple)) else service
        desk_free = heapq.heappop(free)
        start = max(arrival, desk_free)
        end = start + duration
        heapq.heappush(free, end)
        starts.append(start)
        ends.append(end)
        waits.append(start - arrival)
    finish = max(ends) if ends else 0.0
    max_queue, area = _queue_figures(arrivals, starts)
    span = finish - (arrivals[0] if arrivals else 0.0)
    return {
        "finish": finish,
        "waits": waits,
        "starts": starts,
        "ends": ends,
        "max_queue": max_queue,
        "mean_queue": area / span if span > 0 else 0.0,
    }


def _queue_figures(arrivals, starts):
    """(max people waiting, time integral of people waiting): +1 at an arrival, -1 when that person starts."""
    events = sorted([(a, 1) for a in arrivals] + [(s, -1) for s in starts], key=lambda e: (e[0], e[1]))
    waiting = peak = 0
    area = 0.0
    last = events[0][0] if events else 0.0
    for moment, step in events:
        area += waiting * (moment - last)
        last = moment
        waiting += step
        peak = max(peak, waiting)
    return peak, area


def queue_series(arrivals, starts, horizon, step):
    """People waiting at every `step` seconds from 0 to `horizon`, for the chart."""
    arrivals, starts = sorted(arrivals), sorted(starts)
    points, t = [], 0.0
    while t <= horizon + step:
        points.append((t, bisect.bisect_right(arrivals, t) - bisect.bisect_right(starts, t)))
        t += step
    return points


# --- the arrival curve ------------------------------------------------------------------------------------------


def curve_pieces(opens, closes):
    """[(start s, end s, weight)] of the curve's clock hours over the local window [opens, closes)."""
    weights = config()["curve"]
    pieces = []
    t = opens
    while t < closes:
        hour_end = (t.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)).astimezone(t.tzinfo)
        end = min(hour_end, closes)
        pieces.append(((t - opens).total_seconds(), (end - opens).total_seconds(), weights[t.hour]))
        t = end
    total = sum((e - s) * w for s, e, w in pieces)
    if total <= 0:  # a curve with no weight in the window: even arrivals
        return [(0.0, (closes - opens).total_seconds(), 1.0)]
    return pieces


def arrival_at(pieces, q):
    """Seconds from opening at which a share `q` (0..1) of the day's arrivals have come (the inverse curve)."""
    total = sum((e - s) * w for s, e, w in pieces)
    target, seen = q * total, 0.0
    for start, end, weight in pieces:
        mass = (end - start) * weight
        if mass > 0 and seen + mass >= target:
            return start + (target - seen) / weight
        seen += mass
    return pieces[-1][1]


def planned_arrivals(pieces, n):
    """n arrivals at the curve's quantiles (i + ½) / n: the deterministic plan."""
    return [arrival_at(pieces, (i + 0.5) / n) for i in range(n)]


def random_arrivals(pieces, n, rng):
    """n arrivals drawn from the curve (sorted), for the simulation that measures."""
    return sorted(arrival_at(pieces, rng.random()) for _ in range(n))


def lognormal_service(rng, n):
    """n service times, lognormal with the planner's mean and spread."""
    mean, sigma = config()["service_seconds"], config()["service_sigma"]
    mu = math.log(mean) - sigma * sigma / 2
    return [rng.lognormvariate(mu, sigma) for _ in range(n)]


# --- sites, people and the window -------------------------------------------------------------------------------


def window(site, round_):
    """(opens, closes) aware datetimes: the site's hours on the round's first day, inside the round; the round's
    span when the site has no hours or they fall outside it."""
    start, end = timezone.localtime(round_.starts_at), timezone.localtime(round_.ends_at)
    if site.opens_at is None or site.closes_at is None:
        return start, end
    tz = start.tzinfo
    opens = timezone.make_aware(datetime.combine(start.date(), site.opens_at), tz)
    closes = timezone.make_aware(datetime.combine(start.date(), site.closes_at), tz)
    if closes <= opens:
        closes += timedelta(days=1)
    opens, closes = max(opens, start), min(closes, end)
    if closes <= opens:
        return start, end
    return opens, closes


def site_shares(sites, grid_codes):
    """{grid code: [(site, share)]}: who goes where, each grid's people shared once (see the module's docstring)."""
    wide = config()["wide_share"]
    shares = {}
    for code in grid_codes:
        covering = [s for s in sites if code.startswith(s.area.code)]
        if not covering:
            continue
        local_len = max(len(s.area.code) for s in covering)
        local = [s for s in covering if len(s.area.code) == local_len]
        wider = [s for s in covering if len(s.area.code) < local_len]
        parts = [(local, 1 - wide if wider else 1.0), (wider, wide if wider else 0.0)]
        row = []
        for group, weight in parts:
            desks = sum(max(1, s.desks) for s in group)
            row += [(s, weight * max(1, s.desks) / desks) for s in group if weight > 0]
        shares[code] = row
    return shares


def expected_per_grid(campaign):
    """{grid code: persons expected} in the campaign's scope (statuses; counted across scopes: numbers only)."""
    from screening.selectors import scope_codes

    scope = scope_codes(campaign)
    persons = Person.all_objects.filter(is_provisional=False)
    if campaign.residence_statuses:
        persons = persons.filter(residence_status__in=campaign.residence_statuses)
    rows = persons.values_list("grid__code").annotate(n=Count("id")).order_by()
    return {code: n for code, n in rows if any(code.startswith(s) for s in scope)}


def site_people(sites, per_grid, turnout):
    """{site id: {grid code: people}} (fractions kept: rounded per site by the caller)."""
    people = defaultdict(lambda: defaultdict(float))
    for code, shares in site_shares(sites, per_grid).items():
        for site, share in shares:
            people[site.pk][code] += per_grid[code] * turnout * share
    return people


# --- the plan ---------------------------------------------------------------------------------------------------


def predict(n, desks, pieces, service):
    """The deterministic queue for n people at `desks` desks: arrivals at the curve's quantiles, mean service."""
    return queue(planned_arrivals(pieces, n), desks, service) if n else queue([], desks, service)


def desks_to_fit(n, desks, pieces, service, limit):
    """Fewest desks (at least `desks`) with which n people finish by `limit` seconds after opening; None if even
    a desk per arrival would not (the last arrival comes too late)."""
    if not n or predict(n, desks, pieces, service)["finish"] <= limit:
        return desks
    lo, hi = desks, max(desks, n)
    if predict(n, hi, pieces, service)["finish"] > limit:
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if predict(n, mid, pieces, service)["finish"] <= limit:
            hi = mid
        else:
            lo = mid + 1
    return lo


def plan_site(site, round_, people_by_grid, rules):
    """The figures for one site (a dict, the RoundPlan's fields but the keys)."""
    from screening.services import pool_size_for

    cfg, sizing = config(), settings.SCREENING_SIZING
    service = cfg["service_seconds"]
    n = round(sum(people_by_grid.values()))
    opens, closes = window(site, round_)
    pieces = curve_pieces(opens, closes)
    result = predict(n, site.desks, pieces, service)
    open_seconds = (closes - opens).total_seconds()
    grace = cfg["grace_minutes"] * 60
    if round_.campaign.uses_tubes:
        tubes = sum(
            math.ceil(people / pool_size_for(round_.campaign, code, rules))
            for code, people in people_by_grid.items()
            if people > 0
        )
    else:
        tubes = 0
    fit_hours = desks_to_fit(n, site.desks, pieces, service, open_seconds + grace)
    fit_day = desks_to_fit(n, site.desks, pieces, service, sizing["hours"] * 3600)
    desks_needed = fit_hours if fit_hours is not None else fit_day
    desks_needed = desks_needed if desks_needed is not None else site.desks
    staff_needed = desks_needed * cfg["staff_per_desk"]
    horizon = max(result["finish"], open_seconds)
    step = CHART_STEP.total_seconds()
    series = queue_series(planned_arrivals(pieces, n) if n else [], result["starts"], horizon, step)
    waits = result["waits"]
    return {
        "people": n,
        "desks": site.desks,
        "opens_at": opens,
        "closes_at": closes,
        "finish_at": opens + timedelta(seconds=result["finish"]) if n else None,
        "max_queue": result["max_queue"],
        "mean_queue": round(result["mean_queue"], 1),
        "mean_wait_minutes": round(sum(waits) / len(waits) / 60, 1) if waits else 0.0,
        "tubes": tubes,
        "samplers": -(-n // sizing["people_per_sampler"]),
        "add_desks": max(0, desks_needed - site.desks),
        "add_staff": max(0, staff_needed - site.staff),
        "fits": fit_hours == site.desks,
        "queue_series": [[int(t // 60), q] for t, q in series],
    }


def plan(round_, sites=None):
    """[(site, figures)] for the round's sites (all the campaign's unless `sites` names some); the people are
    shared among all the campaign's sites, so a subset is planned with the same split as the whole."""
    from screening.models import Site

    campaign = round_.campaign
    every = list(Site.objects.filter(campaign=campaign).select_related("area"))
    wanted = {s.pk for s in sites} if sites is not None else {s.pk for s in every}
    people = site_people(every, expected_per_grid(campaign), config()["turnout"])
    rules = list(campaign.pooling_rules.select_related("area"))
    return [(s, plan_site(s, round_, people.get(s.pk, {}), rules)) for s in every if s.pk in wanted]


def measure_site(site, round_, n, rng):
    """One measured day at a site: n people arriving at random by the curve, lognormal service times, FIFO over
    the desks. Returns (opens, queue result, arrivals) — what simulate-screening sends."""
    opens, closes = window(site, round_)
    pieces = curve_pieces(opens, closes)
    arrivals = random_arrivals(pieces, n, rng)
    return opens, queue(arrivals, site.desks, lognormal_service(rng, n)), arrivals


def grid_codes_in(area):
    return list(
        Area.all_objects.filter(level=Area.Level.GRID, code__startswith=area.code).values_list("code", flat=True)
    )
