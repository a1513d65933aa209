"""Donation rows for tests and the project-wide walkers: a campaign serving a site in the walked person's grid,
pledges, a plan and money."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.context import system_actor
from logistics.models import Delivery
from logistics.services import campaign_create, money_record, plan_build, pledge_create

# Campaigns and pledges are district-wide (donors are not residents; pledges are the logistics staff's); receipts
# are the donor's public link. Deliveries and stock are scoped by their site's area.
SHARED_KWARGS = {"logistics:campaign_id", "campaign_id", "pledge_id", "receipt"}


def donation_campaign(sites, *, name="捐赠饮用水", goal=3000, now=None):
    """An open campaign for `sites`, deliveries from today for 3 days."""
    now = now or timezone.now()
    with system_actor():
        return campaign_create(
            name=name,
            item="饮用水",
            unit="箱",
            goal=goal,
            value_per_unit=Decimal("20"),
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=3),
            first_day=timezone.localdate(now),
            days=3,
            sites=sites,
        )


def pledge(campaign, quantity, *, donor="爱心企业", phone="13800001111", may_name=True):
    with system_actor():
        return pledge_create(
            campaign,
            donor=donor,
            phone=phone,
            quantity=quantity,
            deliver_on=campaign.first_day,
            deliver_at=timezone.localtime().time().replace(microsecond=0),
            may_name=may_name,
        )


def leak_objects(person):
    from screening.models import Site

    site = Site.objects.get(name="leak test site", area=person.grid)  # screening's leak_objects made it
    campaign = donation_campaign([site], name=f"leak test water {person.pk}")
    standing = pledge(campaign, 30, donor="泄漏测试捐赠人", phone="13911112222")
    with system_actor():
        plan_build(campaign)
        money_record(campaign, payer="泄漏测试", amount=Decimal("100"), channel="bank", receipt_number=f"L{person.pk}")
    delivery = Delivery.all_objects.filter(campaign=campaign).first()
    return {
        "shared": SHARED_KWARGS,
        "logistics:campaign_id": campaign.pk,
        "pledge_id": standing.pk,
        "receipt": standing.receipt,
        "delivery_id": delivery.pk,
        "step": "pick-up",
    }


def write_cases(values):
    """Logistics' write routes for the write walker, on the rows leak_objects made (a site in grid B)."""
    from django.urls import reverse

    from gridcare.tests.writes import WriteCase

    campaign, delivery = values["logistics:campaign_id"], values["delivery_id"]
    line = Delivery.all_objects.get(pk=delivery)

    def step(name):
        return reverse("logistics:delivery_step", args=[delivery, name])

    return [
        WriteCase(
            "logistics:money_new",
            reverse("logistics:money_new", args=[campaign]),
            "logistics.add_moneydonation",
            area="district",
            data={"payer": "某公司", "amount": "2000.00", "channel": "bank", "receipt_number": "R-2"},
        ),
        WriteCase(
            "logistics:pledge_fall_through",
            reverse("logistics:pledge_fall_through", args=[values["pledge_id"]]),
            "logistics.change_pledge",
            area="district",
        ),
        WriteCase(
            "logistics:plan_build",
            reverse("logistics:plan_build", args=[campaign]),
            "logistics.add_delivery",
            area="district",
        ),
        WriteCase("logistics:delivery_step", step("pick-up"), "logistics.change_delivery"),
        WriteCase("logistics:delivery_step deliver", step("deliver"), "logistics.change_delivery"),
        WriteCase(
            "logistics:delivery_step receive",
            step("receive"),
            "logistics.receive_delivery",
            data={"received_quantity": line.quantity - 1},  # one short, to be seen changed
        ),
        WriteCase(
            "logistics:stock_use",
            reverse("logistics:stock_use", args=[campaign]),
            "logistics.add_stockuse",
            data={"site": line.site_id, "quantity": 5},
        ),
    ]


PUBLIC_WRITE_ROUTES = ["logistics:pledge_new"]
