"""Writes for donations. Pledges come from the public page (the system acts, see logistics.views); the plan,
drivers' steps, receipts at the sites and stock use are declared @writes with their permission."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import NotInScope, writes
from core.audit import audit_record
from core.context import current_actor
from core.models import AuditEvent
from logistics.allocation import largest_remainder
from logistics.models import Campaign, Delivery, MoneyDonation, Pledge, StockUse
from logistics.selectors import campaign_days, site_footfall


@writes("logistics.add_campaign")
def campaign_create(*, name, item, unit, goal, value_per_unit, starts_at, ends_at, first_day, days, sites):
    campaign = Campaign.objects.create(
        name=name,
        item=item,
        unit=unit,
        goal=goal,
        value_per_unit=value_per_unit,
        starts_at=starts_at,
        ends_at=ends_at,
        first_day=first_day,
        days=days,
    )
    campaign.sites.set(sites)
    audit_record(AuditEvent.Action.CREATE, target=campaign, summary=name)
    return campaign


def pledge_create(campaign, *, donor, phone, quantity, deliver_on, deliver_at, may_name):
    """认捐 from the public page, which calls it as the system (no login). Only an open campaign takes pledges."""
    now = timezone.now()
    if not campaign.starts_at <= now <= campaign.ends_at:
        raise ValidationError({"quantity": _("This campaign is not taking pledges now.")})
    pledge = Pledge.objects.create(
        campaign=campaign,
        donor=donor,
        phone=phone,
        quantity=quantity,
        deliver_on=deliver_on,
        deliver_at=deliver_at,
        may_name=may_name,
    )
    audit_record(AuditEvent.Action.CREATE, target=pledge, summary=f"{quantity} {campaign.unit}")
    return pledge


@writes("logistics.add_moneydonation")
def money_record(campaign, *, payer, amount, channel, receipt_number):
    if MoneyDonation.objects.filter(campaign=campaign, receipt_number=receipt_number).exists():
        raise ValidationError({"receipt_number": _("This receipt number is already recorded.")})
    donation = MoneyDonation.objects.create(
        campaign=campaign,
        payer=payer,
        amount=amount,
        channel=channel,
        receipt_number=receipt_number,
        recorded_by=current_actor().user,
    )
    audit_record(AuditEvent.Action.CREATE, target=donation, summary=f"{amount} {receipt_number}")
    return donation


KEPT = (Delivery.Status.PICKED_UP, Delivery.Status.DELIVERED, Delivery.Status.RECEIVED)


@writes("logistics.add_delivery")
def plan_build(campaign):
    """(Re)plans a campaign: every standing pledge's units to its sites and days, by the sites' footfall, with the
    largest-remainder rule. Lines already picked up, delivered or received stay as they are; only planned
    (undelivered) units move. Each site-day's target is its share of everything standing pledged; what it already
    has counts against it, and the rest is split by the largest remainder over what each still lacks."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        Delivery.all_objects.filter(campaign=campaign, status=Delivery.Status.PLANNED).delete()
        footfall = site_footfall(campaign)
        cells = [(site, day) for day in campaign_days(campaign) for site in footfall]
        pledges = list(campaign.pledges.filter(status=Pledge.Status.PLEDGED).order_by("deliver_on", "deliver_at", "pk"))
        kept = defaultdict(int)
        kept_of_pledge = defaultdict(int)
        for line in Delivery.all_objects.filter(campaign=campaign, status__in=KEPT):
            kept[(line.site_id, line.day)] += line.quantity
            kept_of_pledge[line.pledge_id] += line.quantity
        total = sum(p.quantity for p in pledges) + sum(
            q for pid, q in kept_of_pledge.items() if pid not in {p.pk for p in pledges}
        )
        targets = largest_remainder(total, [footfall[site][0] for site, _day in cells])
        lacking = [max(0, t - kept[(site.pk, day)]) for t, (site, day) in zip(targets, cells, strict=True)]
        remaining = [(p, p.quantity - kept_of_pledge[p.pk]) for p in pledges if p.quantity > kept_of_pledge[p.pk]]
        to_plan = sum(q for _p, q in remaining)
        amounts = largest_remainder(to_plan, lacking) if cells else []
        lines = _fill(campaign, cells, amounts, remaining)
        Delivery.all_objects.bulk_create(lines)
    audit_record(AuditEvent.Action.UPDATE, target=campaign, summary=f"{to_plan} planned in {len(lines)} lines")
    return lines


def _fill(campaign, cells, amounts, remaining):
    """Pours the pledges, in the order they can deliver, into the site-days in day order: a site-day may take
    several pledges and a pledge may serve several site-days."""
    lines = []
    queue = [[pledge, quantity] for pledge, quantity in remaining]
    index = 0
    for (site, day), amount in zip(cells, amounts, strict=True):
        while amount > 0 and index < len(queue):
            pledge, left = queue[index]
            take = min(amount, left)
            lines.append(Delivery(campaign=campaign, pledge=pledge, site=site, day=day, quantity=take))
            amount -= take
            queue[index][1] -= take
            if queue[index][1] == 0:
                index += 1
    return lines


@writes("logistics.change_pledge")
def pledge_fall_through(pledge):
    """A donor cannot deliver: the pledge no longer counts, and the plan is rebuilt (its delivered lines stay)."""
    with transaction.atomic():
        updated = Pledge.objects.filter(pk=pledge.pk, status=Pledge.Status.PLEDGED).update(
            status=Pledge.Status.FELL_THROUGH
        )
        if not updated:
            raise ValidationError({"pledge": _("This pledge has already fallen through.")})
        audit_record(AuditEvent.Action.UPDATE, target=pledge, summary=f"fell through: {pledge.donor}")
        plan_build(pledge.campaign)


def _step(delivery, allowed_from, **changes):
    """One conditional update: 0 rows means someone else moved the line first (or it is not in a state to)."""
    updated = Delivery.objects.filter(pk=delivery.pk, status__in=allowed_from).update(**changes)
    if not updated:
        raise ValidationError({"status": _("This delivery cannot take that step now.")})
    audit_record(AuditEvent.Action.UPDATE, target=delivery, summary=f"{changes['status']}: {delivery.quantity}")
    delivery.refresh_from_db()
    return delivery


@writes("logistics.change_delivery")
def delivery_pick_up(delivery):
    return _step(
        delivery,
        [Delivery.Status.PLANNED],
        status=Delivery.Status.PICKED_UP,
        driver=current_actor().user,
        picked_up_at=timezone.now(),
    )


@writes("logistics.change_delivery")
def delivery_deliver(delivery):
    return _step(
        delivery,
        [Delivery.Status.PLANNED, Delivery.Status.PICKED_UP],
        status=Delivery.Status.DELIVERED,
        driver=delivery.driver or current_actor().user,
        delivered_at=timezone.now(),
    )


@writes("logistics.receive_delivery")
def delivery_receive(delivery, *, received_quantity):
    """The site confirms what arrived; a smaller number records the shortfall. A driver who forgot a step does not
    stop the site from confirming."""
    if received_quantity < 0 or received_quantity > delivery.quantity:
        raise ValidationError({"received_quantity": _("Enter between 0 and %(n)s.") % {"n": delivery.quantity}})
    return _step(
        delivery,
        [Delivery.Status.PLANNED, Delivery.Status.PICKED_UP, Delivery.Status.DELIVERED],
        status=Delivery.Status.RECEIVED,
        received_quantity=received_quantity,
        received_by=current_actor().user,
        received_at=timezone.now(),
    )


@writes("logistics.add_stockuse")
def stock_use_record(campaign, site, *, quantity, day=None):
    """Hands-out at a site. The site must be one of the user's: checked through the deliveries it received."""
    if not Delivery.objects.filter(campaign=campaign, site=site).exists():
        raise NotInScope("site not in your area")
    use = StockUse.objects.create(
        campaign=campaign,
        site=site,
        day=day or timezone.localdate(),
        quantity=quantity,
        recorded_by=current_actor().user,
    )
    audit_record(AuditEvent.Action.CREATE, target=use, summary=f"{site.name} {quantity}")
    return use
