import random
from io import StringIO

from core.context import system_actor
from logistics.demo import build_demo
from logistics.models import Campaign, Delivery, StockUse
from logistics.selectors import campaign_totals


def test_demo_has_the_pages_campaign_with_pledges_a_plan_and_deliveries(sites):
    with system_actor():
        build_demo(rng=random.Random(1), stdout=StringIO())
    campaign = Campaign.objects.get()
    assert (campaign.goal, campaign.sites.count(), campaign.days) == (3000, 50, 3)
    totals = campaign_totals(campaign)
    assert (totals["units"], totals["donors"]) == (3522, 127)
    assert totals["value"] > 80_000
    assert sum(Delivery.all_objects.values_list("quantity", flat=True)) == 3522
    assert Delivery.all_objects.filter(status=Delivery.Status.RECEIVED).exists()
    assert StockUse.all_objects.exists()
