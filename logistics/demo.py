"""Demo data for donations: the page's call for 3,000 boxes of water for the screening campaign's 50 sites over 3
days, opened at noon; the 127 pledges (3,522 boxes) of its first two hours, a few money donations (the page's
"over 80,000 yuan" by day 3 with the boxes at 20 yuan), the delivery plan, the first day's deliveries under way and
some boxes handed out."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from logistics.models import Delivery, Pledge
from logistics.selectors import campaign_totals
from logistics.services import (
    campaign_create,
    delivery_deliver,
    delivery_pick_up,
    delivery_receive,
    money_record,
    plan_build,
    stock_use_record,
)
from logistics.simulation import pledges_script
from screening.models import Campaign as ScreeningCampaign

MONEY = [("江门市某商会", "6000"), ("江海区某物业公司", "3000"), ("热心市民", "1500"), ("某车队", "2000")]


def build_demo(*, rng, stdout, now=None):
    screening = ScreeningCampaign.objects.order_by("-pk").first()
    if screening is None:
        return
    now = now or timezone.now()
    noon = timezone.make_aware(datetime.combine(timezone.localdate(now), time(12, 0)))
    campaign = campaign_create(
        name="支援核酸采样点饮用水",
        item="饮用水",
        unit="箱",
        goal=3000,
        value_per_unit=Decimal("20"),
        starts_at=noon,
        ends_at=noon + timedelta(days=3),
        first_day=timezone.localdate(now),
        days=3,
        sites=list(screening.sites.order_by("pk")[:50]),
    )
    script = pledges_script(seed=rng.randrange(1000))
    Pledge.objects.bulk_create(
        Pledge(
            campaign=campaign,
            donor=donor,
            phone=phone,
            quantity=quantity,
            deliver_on=campaign.first_day + timedelta(days=min(2, int(offset) % 3)),
            deliver_at=time(9 + int(offset) % 8, 0),
            may_name=may_name,
        )
        for offset, donor, phone, quantity, may_name in script
    )
    for (offset, *_rest), pledge in zip(script, campaign.pledges.order_by("pk"), strict=True):
        Pledge.objects.filter(pk=pledge.pk).update(created_at=noon + timedelta(seconds=offset))
    for n, (payer, amount) in enumerate(MONEY):
        money_record(campaign, payer=payer, amount=Decimal(amount), channel="bank", receipt_number=f"JH{n + 1:04d}")
    plan_build(campaign)
    first_day = list(Delivery.objects.filter(campaign=campaign, day=campaign.first_day).select_related("site"))
    for n, line in enumerate(first_day):
        if n % 3 == 2:
            continue  # still planned
        delivery_pick_up(line)
        if n % 3 == 0:
            delivery_deliver(line)
            delivery_receive(line, received_quantity=line.quantity - (1 if n % 9 == 0 else 0))
    received = {}
    for line in first_day:
        if line.received_quantity:
            site, before = received.get(line.site_id, (line.site, 0))
            received[line.site_id] = (site, before + line.received_quantity)
    for site, quantity in received.values():  # about half handed out by now
        stock_use_record(campaign, site, quantity=max(1, quantity // 2))
    totals = campaign_totals(campaign)
    stdout.write(
        f"logistics: {totals['units']} boxes from {totals['donors']} donors (goal {campaign.goal}), "
        f"{totals['value']:.0f} yuan, {len(first_day)} deliveries on day 1"
    )
