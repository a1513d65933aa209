"""The menu links each role's pages, its entries open, and breadcrumbs link only the user's own areas."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from screening.models import Campaign
from screening.services import campaign_create


def menu(client, user, path="/"):
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(path)
    assert response.status_code == 200
    return {item["url"] for item in response.context["nav_items"]}


@pytest.fixture
def rounds(areas):
    """Yesterday's round (ended) and today's (running)."""
    now = timezone.now()
    campaign = campaign_create(
        name="筛查",
        kind=Campaign.Kind.NUCLEIC_ACID,
        scope_codes=[areas["district"].code],
        rounds=[
            (now - timedelta(days=1, hours=2), now - timedelta(days=1)),
            (now - timedelta(hours=1), now + timedelta(hours=8)),
        ],
    )
    return list(campaign.rounds.order_by("number"))


def test_staff_menus_link_import_and_the_back_office(client, users):
    for name in ("dana", "stella", "cora"):
        urls = menu(client, users[name])
        assert {reverse("imports:upload"), reverse("admin:index"), reverse("registry:my_area")} <= urls, name
    for name in ("gwen", "mia", "lena", "vic"):
        urls = menu(client, users[name])
        assert reverse("admin:index") not in urls and reverse("imports:upload") not in urls, name


def test_every_role_has_a_menu_and_each_entry_opens(client, users, rounds):
    for name, user in users.items():
        urls = menu(client, user)
        assert urls, name
        for url in urls:
            assert client.get(url, follow=True).status_code == 200, (name, url)


def test_grid_workers_knock_list_is_the_running_rounds_for_their_grid(client, users, areas, rounds):
    assert reverse("screening:knock_list_current") in menu(client, users["gwen"])
    response = client.get(reverse("screening:knock_list_current"))
    assert response["Location"] == reverse("screening:knock_list", args=[rounds[1].pk, areas["A"].code])
    assert reverse("screening:knock_list_current") not in menu(client, users["cora"])
    assert client.get(reverse("screening:knock_list_current")).status_code == 404


def test_knock_list_without_any_round_goes_to_the_screening_page(client, users):
    menu(client, users["gwen"])
    assert client.get(reverse("screening:knock_list_current"))["Location"] == reverse("screening:index")


def test_my_area_opens_the_users_own_area(client, users, areas):
    menu(client, users["gwen"])
    assert client.get(reverse("registry:my_area"))["Location"] == reverse("registry:grid", args=[areas["A"].code])
    menu(client, users["vic"])  # may see areas, not persons: the community page, not a grid's
    assert client.get(reverse("registry:my_area"))["Location"] == reverse("registry:area", args=[areas["zhongfu"].code])


def test_the_current_page_is_marked_once(client, users):
    assert client.login(username="gwen", password=PASSWORD)
    items = client.get(reverse("care:today")).context["nav_items"]
    assert [i["url"] for i in items if i["current"]] == [reverse("care:today")]


def test_crumbs_link_only_areas_inside_the_users_own(client, users, areas):
    assert client.login(username="cora", password=PASSWORD)
    html = client.get(reverse("registry:grid", args=[areas["A"].code])).content.decode()
    crumbs = html[html.index('<nav class="crumbs">') :].split("</nav>")[0]
    assert "<span>江海区</span>" in crumbs and "<span>礼乐街道</span>" in crumbs
    assert f'href="{reverse("registry:area", args=[areas["zhongfu"].code])}"' in crumbs
    assert reverse("registry:area", args=[areas["lile"].code]) not in crumbs


def test_phone_menu_and_desktop_row_carry_the_same_entries(client, users):
    assert client.login(username="gwen", password=PASSWORD)
    html = client.get("/").content.decode()
    phone = html[html.index('class="phone-menu"') :].split("</nav>")[0]
    row = html[html.index('<nav class="menu"') :].split("</nav>")[0]
    assert phone.count("<a ") == row.count("<a ") > 5
