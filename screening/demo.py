"""Demo screening data, alive on the day it is built: the page's three-round campaign (区域核酸筛查) dated from
now — round 1 ended yesterday with its results in, round 2 started a few hours ago with samples coming in up to
now (later hours busier, the lab's results trailing by a few hours), round 3 tomorrow — about 50 sampling sites
(one or more per community by population, plus 万达广场 serving the whole district), pooling rules by area (a
sealed grid samples in single tubes), the demo medics assigned to every site, and round 2's home-sampling requests
from the standing list. Tubes and samples are written in bulk (registry.demo.insert_rows), as the register is."""

import random
from datetime import time, timedelta
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.functions import Substr
from django.utils import timezone

from registry.boundaries import polygon_box
from registry.demo import bulk_load_settings, insert_rows
from registry.models import Area, Person
from screening.models import PoolingRule, Sample, Site, Tube
from screening.services import campaign_create, home_requests_standing, pool_size_for

CAMPAIGN_PREFIX = "区域核酸筛查"
SITES = 50
WANDA = "万达广场采样点"
ROUND_HOURS = 12.5  # 08:30–21:00, as on the page
RUNNING_FOR = timedelta(hours=4)  # round 2 began this long before the build
RESULT_AFTER = timedelta(hours=3)  # the lab's turnaround
SHARE_SAMPLED = {1: 0.96, 2: 0.55}  # of the expected, by the end of round 1 and by now in round 2
WANDA_SHARE = 0.12  # of the tubes go to 万达广场


def campaign_name(first_start, last_start):
    first, last = timezone.localtime(first_start), timezone.localtime(last_start)
    return f"{CAMPAIGN_PREFIX} {first.month}月{first.day}日-{last.month}月{last.day}日"


def round_times(now):
    """[(starts_at, ends_at)] of the three rounds: round 2 runs now, round 1 a day before it, round 3 a day after."""
    second = now - RUNNING_FOR
    return [(second + timedelta(days=d), second + timedelta(days=d, hours=ROUND_HOURS)) for d in (-1, 0, 1)]


def build_demo(*, rng, stdout, now=None):
    district = Area.all_objects.filter(level=Area.Level.DISTRICT).order_by("code").first()
    if district is None:
        return
    now = now or timezone.now()
    streets = {a.name: a for a in Area.all_objects.filter(level=Area.Level.STREET)}
    sealed_grid = Area.all_objects.filter(level=Area.Level.GRID, parent__name="中福社区").order_by("code").first()
    pooling = []
    if "外海街道" in streets:
        pooling.append((streets["外海街道"].code, 20, "elsewhere"))
    if sealed_grid is not None:
        pooling.append((sealed_grid.code, 1, "sealed"))
    rounds = round_times(now)
    campaign = campaign_create(
        name=campaign_name(rounds[0][0], rounds[-1][0]),
        scope_codes=[district.code],
        rounds=rounds,
        pooling=pooling,
        default_pool_size=10,
    )
    sites = _sites(campaign, district, rng)
    Site.objects.bulk_create(sites)
    _assign_medics(campaign)
    sampled = _samples(campaign, rng, now)
    requests = home_requests_standing(campaign.rounds.get(number=2))
    stdout.write(
        f"  screening: campaign with 3 rounds, {len(sites)} sites, {sampled[1]:,} sampled in round 1 (ended), "
        f"{sampled[2]:,} so far in round 2 (running), {requests} standing home-sampling requests"
    )
    return campaign


def _samples(campaign, rng, now):
    """Tubes and samples of round 1 (all resulted, negative) and of round 2 up to `now` (results for tubes older
    than the lab's turnaround). Households go into tubes together, in their grid's zone pool size, at their
    community's first site or at 万达广场. Returns {round number: persons sampled}."""
    rules = list(PoolingRule.objects.filter(campaign=campaign).select_related("area"))
    persons = list(
        Person.all_objects.filter(residence_status__in=campaign.residence_statuses, is_provisional=False)
        .order_by("grid_id", "household_id", "id")
        .values_list("id", "grid_id", "household_id", "grid__code")
    )
    sites = list(Site.objects.filter(campaign=campaign).select_related("area"))
    wanda = next(s for s in sites if s.name == WANDA)
    home_site = {}
    for site in sites:
        if site.area.level == Area.Level.COMMUNITY:
            home_site.setdefault(site.area.code, site)
    ops = connection.ops
    next_tube = (Tube.objects.aggregate(n=Max("id"))["n"] or 0) + 1
    sizes = {code: pool_size_for(campaign, code, rules) for code in {p[3] for p in persons}}
    tubes, samples, sampled = [], [], {}
    for round_ in campaign.rounds.filter(number__in=list(SHARE_SAMPLED)).order_by("number"):
        start, end = round_.starts_at, min(round_.ends_at, now)
        chosen = [p for p in persons if rng.random() < SHARE_SAMPLED[round_.number]]
        sampled[round_.number] = len(chosen)
        for members in _tubefuls(chosen, sizes):
            code = members[0][3]
            site = wanda if rng.random() < WANDA_SHARE else home_site.get(code[:12], wanda)
            # Later hours busier (a ramp): the square root of a uniform draw leans to the end of the span.
            closed = start + (end - start) * (rng.random() ** 0.5)
            resulted = closed + RESULT_AFTER
            done = resulted <= now
            result = Tube.Result.NEGATIVE if done else Tube.Result.PENDING
            closed_db = ops.adapt_datetimefield_value(closed)
            result_db = ops.adapt_datetimefield_value(resulted) if done else None
            lab = "江门市疾控中心" if done else ""
            tubes.append(
                (
                    next_tube,
                    round_.pk,
                    site.pk,
                    f"DEMO{round_.number}{next_tube:08d}",
                    sizes[code],
                    closed_db,
                    closed_db,
                    result,
                    result_db,
                    result_db,
                    lab,
                )
            )
            for person_id, grid_id, household_id, _code in members:
                samples.append((next_tube, round_.pk, person_id, grid_id, household_id, closed_db, result, False))
            next_tube += 1
    with transaction.atomic(), connection.cursor() as cursor:
        bulk_load_settings(cursor)
        insert_rows(cursor, Tube._meta.db_table, TUBE_COLUMNS, tubes)
        insert_rows(cursor, Sample._meta.db_table, SAMPLE_COLUMNS, samples)
        for sql in ops.sequence_reset_sql(no_style(), [Tube, Sample]):
            cursor.execute(sql)
    return sampled


TUBE_COLUMNS = [
    "id",
    "round_id",
    "site_id",
    "code",
    "pool_size",
    "closed_at",
    "received_at",
    "result",
    "resulted_at",
    "result_received_at",
    "lab",
]
SAMPLE_COLUMNS = ["tube_id", "round_id", "person_id", "grid_id", "household_id", "sampled_at", "result", "is_repeat"]


def _tubefuls(persons, sizes):
    """Consecutive persons (ordered by grid and household) in tubes of their grid's pool size."""
    tube = []
    for person in persons:
        if tube and (tube[0][3] != person[3] or len(tube) >= sizes[person[3]]):
            yield tube
            tube = []
        tube.append(person)
    if tube:
        yield tube


def _assign_medics(campaign):
    """The demo's medics work every desk of the campaign (a medic registers tubes only at the sites assigned)."""
    from accounts.models import User
    from accounts.roles import Role

    medics = list(User.objects.filter(role=Role.MEDIC, is_active=True).values_list("pk", flat=True))
    site_ids = Site.objects.filter(campaign=campaign).values_list("pk", flat=True)
    Site.medics.through.objects.bulk_create(
        Site.medics.through(site_id=site_id, user_id=medic) for site_id in site_ids for medic in medics
    )


def _sites(campaign, district, rng):
    """One site per community, the rest shared out by population, and 万达广场 for everyone."""
    communities = list(Area.all_objects.filter(level=Area.Level.COMMUNITY, code__startswith=district.code))
    population = dict(
        Person.all_objects.annotate(community=Substr("grid__code", 1, 12))
        .values_list("community")
        .annotate(n=Count("id"))
        .order_by()
    )
    count = {c.code: 1 for c in communities}
    for _ in range(max(0, SITES - 1 - len(communities))):
        busiest = max(communities, key=lambda c: population.get(c.code, 0) / count[c.code])
        count[busiest.code] += 1
    sites = [
        Site(
            campaign=campaign,
            name=WANDA,
            kind=Site.Kind.FIXED,
            area=district,
            address="江海区万达广场",
            **_location(district, WANDA),
            desks=20,
            staff=60,
            opens_at=time(8, 30),
            closes_at=time(21, 0),
        )
    ]
    for community in communities:
        for n in range(1, count[community.code] + 1):
            kind = Site.Kind.BOOTH if n > 1 else Site.Kind.FIXED
            sites.append(
                Site(
                    campaign=campaign,
                    name=f"{community.name}采样点{n}",
                    kind=kind,
                    area=community,
                    address=f"{community.name}{'党群服务中心' if n == 1 else f'{n}号采样亭'}",
                    **_location(community, f"{community.name}采样点{n}"),
                    desks=rng.randint(2, 6),
                    staff=rng.randint(6, 18),
                    opens_at=time(8, 30),
                    closes_at=time(21, 0),
                )
            )
    return sites


def _location(area, name):
    """A point well inside the area's outline (the middle 60% of its bounding box: the demo's outlines are
    rectangles), or none when the area has no outline. Drawn from its own generator, seeded by the site's name, so
    the rest of the demo draws the same numbers as before sites had places."""
    if not area.boundary:
        return {}
    rng = random.Random(name)
    west, south, east, north = polygon_box(area.boundary)
    return {
        "longitude": Decimal(f"{west + (east - west) * rng.uniform(0.2, 0.8):.6f}"),
        "latitude": Decimal(f"{south + (north - south) * rng.uniform(0.2, 0.8):.6f}"),
    }
