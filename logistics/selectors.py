"""Reads for donations: totals as the public page shows them, each site's expected footfall (the weights of the
plan), the plan with its explanation, stock per site."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from logistics.allocation import quotas
from logistics.models import Delivery, MoneyDonation, Pledge, StockUse
from registry.models import Person
from screening.models import Sample

RECENT_HOURS = 24  # "recent samples per hour": the last day of sampling at the site


def campaign_totals(campaign):
    """Pledged units, donors, their value and money received, counting pledges that still stand."""
    pledges = campaign.pledges.filter(status=Pledge.Status.PLEDGED).aggregate(units=Sum("quantity"), donors=Count("id"))
    money = MoneyDonation.objects.filter(campaign=campaign).aggregate(yuan=Sum("amount"), n=Count("id"))
    units = pledges["units"] or 0
    goods_value = units * campaign.value_per_unit
    return {
        "units": units,
        "donors": pledges["donors"],
        "goods_value": goods_value,
        "money": money["yuan"] or 0,
        "money_donations": money["n"],
        "value": goods_value + (money["yuan"] or 0),
        "percent": min(100, round(100 * units / campaign.goal)) if campaign.goal else 0,
    }


def named_donors(campaign):
    """Only donors who agreed to be named, and only their name and quantity."""
    return list(campaign.pledges.filter(status=Pledge.Status.PLEDGED, may_name=True).values_list("donor", "quantity"))


def campaign_days(campaign):
    return [campaign.first_day + timedelta(days=n) for n in range(campaign.days)]


def site_footfall(campaign, now=None):
    """{site: (people per day expected, basis)}: samples per hour over the last RECENT_HOURS where the site has
    sampled (what it really sees), else the population of the area it serves, shared by the campaign's sites that
    serve the same area (a community's booths split its people)."""
    now = now or timezone.now()
    sites = list(campaign.sites.select_related("area").order_by("area__code", "name"))
    since = now - timedelta(hours=RECENT_HOURS)
    sampled = dict(
        Sample.all_objects.filter(tube__site__in=sites, sampled_at__gte=since)
        .values_list("tube__site")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_grid = Person.all_objects.values_list("grid__code").annotate(n=Count("id")).order_by()
    sharing = defaultdict(int)
    for site in sites:
        sharing[site.area_id] += 1
    footfall = {}
    for site in sites:
        if sampled.get(site.pk):
            footfall[site] = (sampled[site.pk] / RECENT_HOURS, "samples")
        else:
            people = sum(n for code, n in per_grid if code.startswith(site.area.code))
            footfall[site] = (people / sharing[site.area_id], "population")
    return footfall


def plan_explained(campaign):
    """Each site-day of the plan: the site's footfall and its basis, its exact share of what stands pledged, what
    it was given and from which pledges."""
    footfall = site_footfall(campaign)
    days = campaign_days(campaign)
    cells = [(site, day) for day in days for site in footfall]
    total = campaign_totals(campaign)["units"]
    exact = quotas(total, [footfall[site][0] for site, _day in cells])
    lines = defaultdict(list)
    for line in Delivery.all_objects.filter(campaign=campaign).select_related("pledge").order_by("pk"):
        lines[(line.site_id, line.day)].append(line)
    weight_sum = sum(w for w, _b in footfall.values()) or 1
    rows = []
    for (site, day), share in zip(cells, exact, strict=True):
        planned = lines[(site.pk, day)]
        rows.append(
            {
                "site": site,
                "day": day,
                "footfall": footfall[site][0],
                "basis": footfall[site][1],
                "weight_percent": 100 * footfall[site][0] / weight_sum,
                "share": float(share),
                "quantity": sum(line.quantity for line in planned),
                "lines": planned,
            }
        )
    return rows


def delivery_list(*, day=None):
    """The deliveries the user's scope covers (a street or community: its own sites)."""
    qs = Delivery.objects.select_related("site", "pledge", "campaign")
    if day:
        qs = qs.filter(day=day)
    return qs.order_by("day", "site__name", "pk")


def site_stock(campaign, day=None):
    """Per site in the user's scope: received, used, stock and that day's planned need; `short` (the shortage
    alert) when the stock and what is still coming that day do not cover what the day still needs."""
    day = day or timezone.localdate()
    received = defaultdict(int)
    need = defaultdict(int)
    coming = defaultdict(int)
    sites = {}
    for line in Delivery.objects.filter(campaign=campaign).select_related("site"):
        sites[line.site_id] = line.site
        received[line.site_id] += line.received_quantity or 0
        if line.day == day:
            need[line.site_id] += line.quantity
            if line.status != Delivery.Status.RECEIVED:
                coming[line.site_id] += line.quantity
    used = dict(StockUse.objects.filter(campaign=campaign).values_list("site").annotate(n=Sum("quantity")).order_by())
    used_today = dict(
        StockUse.objects.filter(campaign=campaign, day=day).values_list("site").annotate(n=Sum("quantity")).order_by()
    )
    rows = []
    for site_id, site in sorted(sites.items(), key=lambda item: item[1].name):
        stock = received[site_id] - used.get(site_id, 0)
        still_needed = max(0, need[site_id] - used_today.get(site_id, 0))
        rows.append(
            {
                "site": site,
                "received": received[site_id],
                "used": used.get(site_id, 0),
                "stock": stock,
                "need": need[site_id],
                "short": stock + coming[site_id] < still_needed,
            }
        )
    return rows


def pledges_standing(campaign):
    return campaign.pledges.filter(~Q(status=Pledge.Status.FELL_THROUGH))
