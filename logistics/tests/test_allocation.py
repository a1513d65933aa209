"""The largest-remainder split, and the plan built with it: sums exactly to what stands pledged, no site-day more
than one unit under its exact share, delivered units kept when a pledge falls through."""

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from core.context import system_actor
from logistics.allocation import largest_remainder, quotas
from logistics.models import Delivery, Pledge
from logistics.selectors import campaign_days, site_footfall
from logistics.services import delivery_deliver, plan_build, pledge_fall_through
from logistics.testing import pledge

CELLS = 50 * 3  # 50 sites × 3 days


@settings(max_examples=150, deadline=None)
@given(
    footfalls=st.lists(st.integers(min_value=0, max_value=20_000), min_size=CELLS, max_size=CELLS),
    pledged=st.lists(st.integers(min_value=1, max_value=500), min_size=1, max_size=150),
)
def test_split_sums_exactly_and_no_share_is_short_by_a_unit(footfalls, pledged):
    total = sum(pledged)
    shares = largest_remainder(total, footfalls)
    assert sum(shares) == total
    for share, exact in zip(shares, quotas(total, footfalls), strict=True):
        assert exact - 1 < share < exact + 1


def test_largest_remainder_gives_the_leftover_to_the_largest_fractions():
    # 10 by 1:1:1 → 3.33 each; the one left goes to the first (ties to the earlier entry)
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    # 7 by 5:3:2 → 3.5, 2.1, 1.4: floors 3, 2, 1, the leftover 1 to .5
    assert largest_remainder(7, [5, 3, 2]) == [4, 2, 1]


def _per_cell():
    cells = defaultdict(int)
    for line in Delivery.all_objects.all():
        cells[(line.site_id, line.day)] += line.quantity
    return cells


def test_plan_over_50_sites_and_3_days_sums_to_the_pledges_and_follows_the_shares(campaign):
    for n, quantity in enumerate([120, 35, 600, 7, 1000, 58, 1702]):  # 3,522 as on the page
        pledge(campaign, quantity, donor=f"捐赠人{n}")
    with system_actor():
        plan_build(campaign)
    footfall = site_footfall(campaign)
    cells = [(site.pk, day) for day in campaign_days(campaign) for site in footfall]
    assert len(cells) == 150
    exact = quotas(3522, [footfall[s][0] for s in footfall] * 3)
    planned = _per_cell()
    assert sum(planned.values()) == 3522
    for cell, share in zip(cells, exact, strict=True):
        assert share - 1 < planned[cell] < share + 1, cell
    # Every pledge is planned exactly once over.
    for p in Pledge.objects.all():
        assert sum(line.quantity for line in p.deliveries.all()) == p.quantity
    # Footfall is the population served: a grid with 5 residents weighs more than one with 1.
    weights = {site.area.code: w for site, (w, basis) in footfall.items()}
    assert weights["440704002001001"] > weights["440704001001002"]


def test_replanning_after_a_pledge_falls_through_keeps_what_was_delivered(campaign):
    first = pledge(campaign, 300, donor="甲")
    second = pledge(campaign, 200, donor="乙")
    with system_actor():
        plan_build(campaign)
        delivered = list(Delivery.all_objects.filter(pledge=first).order_by("pk")[:5])
        for line in delivered:
            delivery_deliver(line)
        kept = {(line.pk, line.site_id, line.day, line.quantity) for line in delivered}
        pledge_fall_through(first)
    lines = Delivery.all_objects.all()
    assert {(x.pk, x.site_id, x.day, x.quantity) for x in lines.filter(pledge=first)} == kept
    assert sum(x.quantity for x in lines.filter(pledge=second)) == 200
    # What is planned is what still stands pledged plus what already went out.
    assert sum(x.quantity for x in lines) == 200 + sum(q for *_, q in kept)
