"""Donations and stock for the command centre (core.tiles), one set of figures per donation campaign still
delivering, each in its own unit (boxes of water and bags of rice do not add up): what donors pledged and gave
(campaign-wide), what reached the area's sites and what they hold now."""

from datetime import timedelta

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tiles import Figure, Tile, words
from logistics.models import Campaign, Delivery, StockUse
from logistics.selectors import campaign_totals


def _campaigns(day):
    """Campaigns open for pledges on `day` or with a delivery day still to come."""
    return [
        c
        for c in Campaign.objects.order_by("first_day", "pk")
        if c.starts_at.date() <= day <= max(timezone.localdate(c.ends_at), c.first_day + timedelta(days=c.days - 1))
    ]


def donation_figures(area, day):
    figures = []
    for campaign in _campaigns(day):
        totals = campaign_totals(campaign)
        at_sites = {"site__area__code__startswith": area.code}
        received = (
            Delivery.objects.filter(campaign=campaign, **at_sites).aggregate(n=Sum("received_quantity"))["n"] or 0
        )
        used = StockUse.objects.filter(campaign=campaign, **at_sites).aggregate(n=Sum("quantity"))["n"] or 0
        url = reverse("logistics:campaign", args=[campaign.pk])
        key = f"campaign_{campaign.pk}"
        figures += [
            Figure(
                f"{key}_pledged",
                words(_("%(item)s pledged (goal %(goal)s)"), item=campaign.item, goal=campaign.goal),
                totals["units"],
                campaign.unit,
                url,
            ),
            Figure(
                f"{key}_value",
                words(_("%(item)s: value of gifts and money"), item=campaign.item),
                float(totals["value"]),
                _("yuan"),
                url,
            ),
            Figure(
                f"{key}_received",
                words(_("%(item)s received at sites"), item=campaign.item),
                received,
                campaign.unit,
                reverse("logistics:stock", args=[campaign.pk]),
            ),
            Figure(
                f"{key}_stock",
                words(_("%(item)s in stock at sites"), item=campaign.item),
                received - used,
                campaign.unit,
                reverse("logistics:stock", args=[campaign.pk]),
            ),
        ]
    return figures


TILES = [Tile("logistics.donations", _("Donations and stock"), "logistics.view_campaign", donation_figures, order=60)]
