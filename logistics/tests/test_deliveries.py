"""Drivers and sites: pick-up, delivery and receipt with a shortfall; another area's delivery is not found; stock
is received less used, and a site whose stock does not cover the day's need is flagged."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from core.context import system_actor
from logistics.models import Delivery, StockUse
from logistics.selectors import site_stock
from logistics.services import plan_build
from logistics.testing import pledge


def _planned(campaign, quantity=300):
    pledge(campaign, quantity)
    with system_actor():
        plan_build(campaign)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_driver_picks_up_and_delivers_the_site_confirms_a_shortfall(campaign, users, areas):
    _planned(campaign, 3000)
    line = Delivery.all_objects.filter(site__area=areas["B"], day=campaign.first_day).order_by("-quantity").first()
    assert line.quantity >= 2
    lou, cora = _client(users["lou"]), _client(users["cora"])
    assert lou.post(reverse("logistics:delivery_step", args=[line.pk, "pick-up"])).status_code == 302
    assert lou.post(reverse("logistics:delivery_step", args=[line.pk, "deliver"])).status_code == 302
    # community staff may not drive, but confirm what arrived at their site
    assert cora.post(reverse("logistics:delivery_step", args=[line.pk, "pick-up"])).status_code == 403
    cora.post(reverse("logistics:delivery_step", args=[line.pk, "receive"]), {"received_quantity": line.quantity - 2})
    line.refresh_from_db()
    assert line.status == Delivery.Status.RECEIVED and line.shortfall == 2 and line.driver == users["lou"]
    page = cora.get(reverse("logistics:deliveries") + f"?day={line.day}").content.decode()
    assert f">{line.site.name} <" in page


def test_another_communitys_delivery_is_not_found(campaign, users, areas, django_user_model):
    _planned(campaign)
    line = Delivery.all_objects.filter(site__area=areas["B"]).first()
    cleo = django_user_model.objects.create_user("cleo", role="community_staff", area=areas["xinchuang"])
    response = _client(cleo).post(
        reverse("logistics:delivery_step", args=[line.pk, "receive"]), {"received_quantity": 1}
    )
    assert response.status_code == 404
    assert Delivery.all_objects.get(pk=line.pk).status == Delivery.Status.PLANNED
    page = _client(cleo).get(reverse("logistics:deliveries") + f"?day={line.day}").content.decode()
    assert f">{line.site.name} <" not in page


def test_stock_is_received_less_used_and_a_short_site_is_flagged(campaign, users, areas):
    _planned(campaign)
    site = Delivery.all_objects.filter(site__area=areas["B"], day=campaign.first_day).first().site
    lines = list(Delivery.all_objects.filter(site=site, day=campaign.first_day))
    need = sum(x.quantity for x in lines)
    cora = _client(users["cora"])
    for line in lines:
        cora.post(reverse("logistics:delivery_step", args=[line.pk, "receive"]), {"received_quantity": line.quantity})
    cora.post(reverse("logistics:stock_use", args=[campaign.pk]), {"site": site.pk, "quantity": 1})
    with system_actor():
        row = next(r for r in site_stock(campaign) if r["site"] == site)
    assert (row["received"], row["used"], row["stock"], row["need"], row["short"]) == (need, 1, need - 1, need, False)
    # Boxes handed out the day before (recorded late) leave less than today still needs: the alert.
    StockUse.all_objects.create(
        campaign=campaign, site=site, day=campaign.first_day - timedelta(days=1), quantity=2, recorded_by=users["cora"]
    )
    with system_actor():
        row = next(r for r in site_stock(campaign) if r["site"] == site)
    assert row["stock"] == need - 3 and row["short"] is True
    assert "短缺" in cora.get(reverse("logistics:stock", args=[campaign.pk])).content.decode()
