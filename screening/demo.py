"""Demo screening data: the page's campaign "区域核酸筛查 9月5日-7日" (three daily rounds, 08:30–21:00), about 50
sampling sites (one or more per community by population, plus 万达广场 serving the whole district), pooling rules
by area, the demo medics assigned to every site, and round 1's home-sampling requests from the standing list. No samples: `gridcare simulate-screening`
drives the API for those. A few queries and bulk inserts, so the 365,000-resident build slows by well under a
second."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.db.models.functions import Substr

from registry.models import Area, Person
from screening.models import Site
from screening.services import campaign_create, home_requests_standing

CAMPAIGN_NAME = "区域核酸筛查 9月5日-7日"
FIRST_DAY = datetime(2022, 9, 5, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
SITES = 50
WANDA = "万达广场采样点"


def build_demo(*, rng, stdout):
    district = Area.all_objects.filter(level=Area.Level.DISTRICT).order_by("code").first()
    if district is None:
        return
    streets = {a.name: a for a in Area.all_objects.filter(level=Area.Level.STREET)}
    sealed_grid = Area.all_objects.filter(level=Area.Level.GRID, parent__name="中福社区").order_by("code").first()
    pooling = []
    if "外海街道" in streets:
        pooling.append((streets["外海街道"].code, 20, "elsewhere"))
    if sealed_grid is not None:
        pooling.append((sealed_grid.code, 1, "sealed"))
    campaign = campaign_create(
        name=CAMPAIGN_NAME,
        scope_codes=[district.code],
        rounds=[(FIRST_DAY + timedelta(days=d), FIRST_DAY + timedelta(days=d, hours=12, minutes=30)) for d in range(3)],
        pooling=pooling,
        default_pool_size=10,
    )
    sites = _sites(campaign, district, rng)
    Site.objects.bulk_create(sites)
    _assign_medics(campaign)
    requests = home_requests_standing(campaign.rounds.get(number=1))
    stdout.write(f"  screening: campaign with 3 rounds, {len(sites)} sites, {requests} standing home-sampling requests")
    return campaign


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
                    desks=rng.randint(2, 6),
                    staff=rng.randint(6, 18),
                    opens_at=time(8, 30),
                    closes_at=time(21, 0),
                )
            )
    return sites
