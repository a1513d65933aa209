"""Demo tracing data. Venues (场所码) for the demo district — a gate per compound, shops and workplaces per
community by population, bus lines, the sampling sites — and `venue_scans` visits over the last 7 days: each
visit's hour follows a day's curve (morning, lunch and evening peaks, quiet nights), most visits are at the
resident's own compound gate or a venue of their community, some anywhere in the district. Visits are written in
bulk (COPY on PostgreSQL, executemany elsewhere), so millions take a minute, not an hour; they are purged by the
retention job like any."""

import secrets
import time
from datetime import UTC, timedelta
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from core.context import acting_as, current_actor, system_actor
from core.partitions import partitions_cover
from registry.demo import bulk_load_settings, insert_rows
from registry.models import Area, Building, Compound, Person
from tracing.models import Control, Venue, VenueVisit

VENUE_SCANS = 20_000  # the default of `gridcare demo --venue-scans`
DAYS = 7
SHOP_PER_RESIDENTS = 250
WORKPLACE_PER_RESIDENTS = 1_500
BUS_LINES = 30
# Share of a resident's visits at their own compound's gate, at a venue of their community, anywhere else.
AT_OWN_GATE, IN_COMMUNITY = 0.35, 0.45
# Relative visits per hour of the day (local time).
DAY_CURVE = [0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 4, 5, 4, 4, 5, 6, 4, 3, 3, 4, 6, 7, 5, 4, 2, 1, 0.5]
CHUNK = 250_000
VISIT_COLUMNS = ["venue_id", "person_id", "grid_id", "visited_at", "source", "direction", "code_colour"]


def build_demo(*, rng, stdout, venue_scans=VENUE_SCANS, now=None):
    if not Area.all_objects.filter(level=Area.Level.DISTRICT).exists():
        return
    started = time.perf_counter()
    venues = venues_build(rng)
    made = time.perf_counter()
    visits = visits_build(rng, venue_scans, now=now)
    entries = gate_entries_build(rng)
    arrivals = _arrivals(rng)
    stdout.write(
        f"tracing: {venues:,} venues, {visits:,} venue visits over {DAYS} days "
        f"(venues {made - started:.1f} s, visits {time.perf_counter() - made:.1f} s, "
        f"{visits / max(time.perf_counter() - made, 1e-9):,.0f} visits/s); {entries} entries at gates this morning"
    )
    stdout.write(
        f"tracing: {arrivals['divisions']} divisions, {arrivals['reports']} arrival reports "
        f"({arrivals['unmatched']} unmatched), {arrivals['members']} key-group members "
        f"({arrivals['due']} tests due today), {arrivals['venues']} special venues"
    )
    with system_actor():
        cases, contacts = _cases(rng)
    stdout.write(f"tracing: {cases} cases, {contacts} contacts, 1 person waiting to be traced")
    stdout.write(_isolation(rng))
    stdout.write(f"tracing: {_controls()}")


def venues_build(rng):
    """The demo venues (once: a second build adds none)."""
    if Venue.all_objects.exists():
        return 0
    from screening.models import Site

    venues = []

    def add(name, kind, area_id, compound_id=None, address=""):
        venues.append(
            Venue(
                name=name[:100],
                kind=kind,
                area_id=area_id,
                compound_id=compound_id,
                address=address,
                code=secrets.token_urlsafe(16),
            )
        )

    for compound in Compound.all_objects.order_by("pk"):
        add(f"{compound.name}大门", Venue.Kind.COMPOUND_GATE, compound.community_id, compound.pk, compound.address)
    people = dict(
        Person.all_objects.values("grid__parent_id").annotate(n=Count("id")).values_list("grid__parent_id", "n")
    )
    for community in Area.all_objects.filter(level=Area.Level.COMMUNITY).order_by("code"):
        residents = people.get(community.pk, 0)
        for n in range(max(1, residents // SHOP_PER_RESIDENTS)):
            add(f"{community.name}{rng.choice(SHOP_NAMES)}{n + 1}号店", Venue.Kind.SHOP, community.pk)
        for n in range(max(1, residents // WORKPLACE_PER_RESIDENTS)):
            add(f"{community.name}{rng.choice(WORKPLACE_NAMES)}{n + 1}", Venue.Kind.WORKPLACE, community.pk)
    district = Area.all_objects.filter(level=Area.Level.DISTRICT).order_by("code").first()
    for n in range(BUS_LINES):
        add(f"江海{n + 1}路公交", Venue.Kind.TRANSPORT, district.pk)
    for site in Site.objects.order_by("pk"):
        add(site.name, Venue.Kind.SAMPLING_SITE, site.area_id, address=site.address)
    Venue.all_objects.bulk_create(venues, batch_size=2_000)
    return len(venues)


SHOP_NAMES = ["超市", "便利店", "药店", "菜市场", "面包店", "五金店", "理发店", "餐馆", "茶楼", "水果店"]
WORKPLACE_NAMES = ["工业园", "物流园", "写字楼", "工厂", "仓库"]


def visits_build(rng, count, *, now=None):
    """`count` visits over the last DAYS days up to `now`, in chunks written as they are made."""
    if count <= 0:
        return 0
    now = now or timezone.now()
    start = (timezone.localtime(now) - timedelta(days=DAYS)).replace(minute=0, second=0, microsecond=0)
    hours = DAYS * 24 + 1
    # Weights of each hour since `start`, none for hours not yet begun; the last (current) hour only so far.
    weights = [DAY_CURVE[(start + timedelta(hours=h)).hour] for h in range(hours)]
    cum = list(accumulate(weights))
    limit = int((now - start).total_seconds())
    moments = _moment_texts(start, hours)
    by_community, gates, anywhere = _venues_by_place()
    people = _residents(gates)
    partitions_cover(VenueVisit, start, now)  # PostgreSQL: each past day's partition, not DEFAULT
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        bulk_load_settings(cursor)
        # Millions of rows load several times faster into the bare table, the indexes built once after.
        indexes = _visit_indexes()
        for _create, drop in indexes:
            cursor.execute(drop)
        while written < count:
            n = min(CHUNK, count - written)
            rows = _visit_rows(rng, n, people, by_community, gates, anywhere, cum, limit, moments)
            insert_rows(cursor, VenueVisit._meta.db_table, VISIT_COLUMNS, rows)
            written += n
        if connection.vendor == "postgresql":
            # The foreign keys are checked at commit; PostgreSQL builds no index over rows with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for create, _drop in indexes:
            cursor.execute(create)
        if connection.vendor == "postgresql":
            # Back to Django's default for the rest of an enclosing transaction (a reset later in it deletes
            # tables in any order and relies on checks at commit).
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return written


def _visit_indexes():
    """[(CREATE INDEX sql, DROP INDEX sql)] of the visit table's declared indexes."""
    editor = connection.schema_editor(collect_sql=True)
    return [
        (str(index.create_sql(VenueVisit, editor)), f"DROP INDEX {connection.ops.quote_name(index.name)}")
        for index in VenueVisit._meta.indexes
    ]


def _moment_texts(start, hours):
    """seconds since `start` → the database's own text for that moment, from texts made once per minute: adapting
    5 million datetimes one by one would take longer than writing them."""
    base = start.astimezone(UTC).replace(tzinfo=None)
    zone = "+00" if connection.vendor == "postgresql" else ""
    minutes = [(base + timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M:") for m in range(hours * 60)]
    seconds = [f"{s:02d}{zone}" for s in range(60)]
    return lambda s: minutes[s // 60] + seconds[s % 60]


def _venues_by_place():
    by_community, gates, anywhere = {}, {}, []
    for pk, kind, area_id, compound_id in Venue.all_objects.filter(active=True).values_list(
        "pk", "kind", "area_id", "compound_id"
    ):
        if kind == Venue.Kind.COMPOUND_GATE and compound_id:
            gates[compound_id] = pk
        else:
            by_community.setdefault(area_id, []).append(pk)
            anywhere.append(pk)
    return by_community, gates, anywhere


def _residents(gates):
    """[(person id, grid id, community id, own gate id or None)] of every resident."""
    return [
        (pk, grid_id, community_id, gates.get(compound_id))
        for pk, grid_id, community_id, compound_id in Person.all_objects.values_list(
            "pk", "grid_id", "grid__parent_id", "household__building__compound_id"
        ).iterator(chunk_size=20_000)
    ]


def _visit_rows(rng, n, people, by_community, gates, anywhere, cum, limit, moments):
    who = rng.choices(people, k=n)
    hours = rng.choices(range(len(cum)), cum_weights=cum, k=n)
    random = rng.random
    rows = []
    for (person_id, grid_id, community_id, gate_id), hour in zip(who, hours, strict=True):
        seconds = min(hour * 3600 + int(random() * 3600), limit - 1)
        where = random()
        if gate_id and where < AT_OWN_GATE:
            rows.append(
                (gate_id, person_id, grid_id, moments(seconds), "gate", "in" if random() < 0.5 else "out", "green")
            )
            continue
        near = by_community.get(community_id)
        venue_id = rng.choice(near) if near and where < AT_OWN_GATE + IN_COMMUNITY else rng.choice(anywhere)
        rows.append((venue_id, person_id, grid_id, moments(seconds), "scan", "", ""))
    return rows


# --- gate ---

ENTRIES_PER_GATE = 40


def gate_entries_build(rng):
    """A morning's entries at the gates of 中福社区 (the demo checkpoint's community), through the gate's own
    service: mostly green, a few yellow, red, without a code, and a few fevers (which raise alerts)."""
    from tracing.services import gate_entries_record

    now = timezone.now()
    items = []
    gates = Venue.all_objects.filter(kind=Venue.Kind.COMPOUND_GATE, area__name="中福社区").order_by("pk")
    for venue in gates:
        residents = Person.all_objects.filter(household__building__compound=venue.compound_id).values_list(
            "id_number", flat=True
        )[:ENTRIES_PER_GATE]
        for n, id_number in enumerate(residents):
            colour = rng.choices(["green", "yellow", "red", "unknown"], weights=[90, 5, 1, 4])[0]
            fever = rng.random() < 0.03
            items.append(
                {
                    "client_key": f"demo-gate-{venue.pk}-{n}",
                    "venue": venue.pk,
                    "person": id_number,
                    "code_colour": colour,
                    "direction": rng.choice(["in", "out"]),
                    "temperature": f"{rng.uniform(37.3, 38.9):.1f}" if fever else None,
                    "at": (now - timedelta(minutes=rng.randint(1, 180))).isoformat(),
                }
            )
    with system_actor():
        answers = gate_entries_record(items)
    return sum(1 for status, _answer in answers if status == 201)


# --- arrivals ---

# Synthetic risk areas (not any real day's list): a medium and a high one, and a low one.
DEMO_RISK_AREAS = [("440106", "medium"), ("420102", "high"), ("440104", "low"), ("3101", "low")]


def _arrivals(rng):
    from tracing.models import ArrivalReport, Division, KeyGroup, RiskArea, SpecialVenueKind, Venue
    from tracing.services import (
        arrival_report_create,
        divisions_load,
        inspection_record,
        key_group_member_add,
        key_group_obligations_for,
    )

    _added, total = divisions_load()
    today = timezone.localdate()
    for code, level in DEMO_RISK_AREAS:
        division = Division.objects.filter(code=code).first()
        if division is not None:
            RiskArea.objects.get_or_create(
                division=division, level=level, defaults={"starts_on": today - timedelta(days=5)}
            )
    origins = list(Division.objects.filter(code__in=["440106", "440104", "420102", "310101", "440305"]))
    community = Area.all_objects.filter(name="中福社区").first() or Area.all_objects.filter(level=3).first()
    grids = list(Area.all_objects.filter(parent=community).order_by("code"))
    persons = list(Person.all_objects.filter(grid__in=grids).order_by("?")[:80])
    now = timezone.now()
    reports = unmatched = 0
    from registry.testing import synthetic_id_number
    from screening.services import unplaced_grid

    for n, person in enumerate(persons[:40]):
        arrival_report_create(
            grid=person.grid,
            channel=rng.choice(list(ArrivalReport.Channel)),
            name=person.name,
            id_number=person.id_number,
            phone=person.phone or "13800138000",
            origin=rng.choice(origins),
            arrived_at=now - timedelta(hours=rng.randint(1, 90)),
            transport=rng.choice(list(ArrivalReport.Transport)),
            transport_number=f"G{rng.randint(1000, 9999)}",
            address=f"{person.grid.name} {n + 1}号",
        )
        reports += 1
    for n in range(5):  # people not (yet) in the register
        arrival_report_create(
            grid=unplaced_grid(community),
            channel=ArrivalReport.Channel.PUBLIC,
            name=f"外来{n + 1}",
            id_number=synthetic_id_number(990_000 + n),
            phone=f"1390000{n:04d}",
            origin=rng.choice(origins),
            arrived_at=now - timedelta(hours=rng.randint(1, 30)),
            transport="car",
            address=f"中福路{n + 10}号",
        )
        reports += 1
        unmatched += 1
    group = KeyGroup.objects.create(
        name="中福快递外卖小哥", kind=KeyGroup.Kind.COURIERS, area=grids[0], antigen_every_days=1, nucleic_every_days=3
    )
    members = 0
    for person in Person.all_objects.filter(grid=grids[0]).exclude(pk__in=[p.pk for p in persons[:40]])[:20]:
        key_group_member_add(group, person, joined_on=today - timedelta(days=rng.randint(0, 6)))
        members += 1
    due = key_group_obligations_for(today)
    venues = 0
    for kind, area in zip(SpecialVenueKind, [g for g in grids * 8][:8], strict=True):
        venue = Venue.objects.create(
            name=f"{area.name}{kind.label}",
            kind=Venue.Kind.SPECIAL,
            special_kind=kind,
            area=area,
            code=secrets.token_urlsafe(16),
        )
        venues += 1
        days_ago = rng.choice([None, 2, 10])
        if days_ago is not None:
            inspection_record(
                venue,
                inspected_on=today - timedelta(days=days_ago),
                findings=rng.choice(["", "体温登记不全", "消毒记录缺失"]),
                follow_up_due=today + timedelta(days=rng.choice([-1, 3])),
            )
    return {
        "divisions": total,
        "reports": reports,
        "unmatched": unmatched,
        "members": members,
        "due": due,
        "venues": venues,
    }


# --- cases ---


def _cases(rng):
    """Two positive single tubes from the running round through screening's own path: one person's case is open with
    its household confirmed and one of them a second-generation case; the other waits in the tracer's inbox."""
    from screening.models import Round, TraceEntry
    from screening.selectors import round_current
    from screening.services import results_record, tube_register
    from tracing.models import Contact
    from tracing.services import case_create, case_open, contact_confirm

    round_ = round_current()
    site = round_.campaign.sites.order_by("pk").first() if round_ else None
    if round_ is None or site is None or round_.status_at(timezone.now()) != Round.Status.RUNNING:
        return 0, 0
    households = list(
        Person.all_objects.filter(grid__code__startswith=site.area.code, household__isnull=False)
        .values_list("household_id", flat=True)
        .distinct()[:2000]
    )
    families = []
    for household_id in rng.sample(households, min(len(households), 40)):
        members = list(Person.all_objects.filter(household_id=household_id).order_by("pk"))
        if len(members) >= 3:
            families.append(members)
        if len(families) == 2:
            break
    now = timezone.now()
    for n, members in enumerate(families):
        code = f"DEMO-R{round_.pk}-S{n + 1:04d}"  # tube codes and results are idempotent keys: new ones per build
        status, answer = tube_register(
            {
                "client_key": f"demo-trace-{round_.pk}-{n}",  # a rebuilt demo has a new round, its own keys
                "round": round_.pk,
                "site": site.pk,
                "tube_code": code,
                "pool_size": 1,
                "closed_at": (now - timedelta(minutes=30)).isoformat(),
                "persons": [{"person_id": members[0].pk}],
            }
        )
        if status != 201:
            raise RuntimeError(f"the demo's positive tube was refused: {answer}")
        results_record([{"tube_code": code, "result": "positive", "resulted_at": now.isoformat(), "lab": "区检测中心"}])
    if not families:
        return 0, 0
    entry = TraceEntry.all_objects.select_related("tube").get(tube__code=f"DEMO-R{round_.pk}-S0001")
    first = case_open(entry, onset_on=timezone.localdate() - timedelta(days=2))
    proposed = list(Contact.all_objects.filter(case=first))
    for contact in proposed:
        contact_confirm(contact)
    second_person = Person.all_objects.get(pk=proposed[0].person_id)
    case_create(second_person, sampled_on=timezone.localdate())
    return 2, Contact.all_objects.count()


# --- isolation ---


def _isolation(rng, count=40):
    """Risk persons at every stage over the last days, identified by the tracing demo user (so each is handed over
    to their community; a few accepted), with the steps spread the way a busy day spreads them."""
    from tracing.models import HandOver, Isolation
    from tracing.services import (
        handover_accept,
        isolation_isolate,
        isolation_notify,
        isolation_open,
        isolation_transfer,
    )

    tracer = get_user_model().objects.filter(role="tracing_staff").first()
    ids = list(Person.all_objects.order_by("?").values_list("pk", flat=True)[:count])
    now = timezone.now()
    with acting_as(current_actor().replace(user=tracer)):
        for n, person in enumerate(Person.all_objects.filter(pk__in=ids).select_related("grid")):
            identified = now - timedelta(hours=rng.randint(1, 72))
            kind = Isolation.Kind.CLOSE if n % 3 else Isolation.Kind.SECONDARY
            isolation = isolation_open(person, kind=kind, identified_at=identified)
            steps = n % 5  # 0 identified … 4 in isolation and accepted
            if steps >= 1:
                isolation_notify(isolation)
            if steps >= 2:
                place = Isolation.Place.CENTRAL if kind == Isolation.Kind.CLOSE else Isolation.Place.HOME
                isolation_transfer(isolation, place=place, site_name="江海区集中隔离点" if place == "central" else "")
            if steps >= 3:
                isolation_isolate(isolation)
            if steps >= 4 and (handover := HandOver.all_objects.filter(isolation=isolation).first()):
                handover_accept(handover)
            # Steps above were taken now; spread them after identification for the time-to-isolation figures.
            later = identified + timedelta(minutes=rng.randint(20, 300))
            Isolation.all_objects.filter(pk=isolation.pk, isolating_since__isnull=False).update(isolating_since=later)
    return f"tracing: {len(ids)} risk persons in isolation paths, {HandOver.all_objects.count()} hand-overs"


# --- control ---


def _controls():
    """明泰城 sealed since yesterday morning; one building of 海逸华庭 controlled since this morning."""
    now = timezone.localtime()
    made = []
    compound = Compound.all_objects.filter(name="明泰城").select_related("community").first()
    if compound is not None and not Control.all_objects.filter(compound=compound).exists():
        made.append(
            Control.all_objects.create(
                level=Control.Level.SEALED,
                community=compound.community,
                compound=compound,
                starts_at=(now - timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0),
                reason="确诊病例住址所在小区",
            )
        )
    building = Building.all_objects.filter(compound__name="海逸华庭").select_related("grid").order_by("pk").first()
    if building is not None and not Control.all_objects.filter(building=building).exists():
        made.append(
            Control.all_objects.create(
                level=Control.Level.CONTROLLED,
                community=building.grid.parent,
                building=building,
                starts_at=now.replace(hour=7, minute=0, second=0, microsecond=0),
                reason="密接人员所在楼栋",
            )
        )
    return f"{len(made)} temporary controls ({', '.join(str(c) for c in made) or 'already there'})"
