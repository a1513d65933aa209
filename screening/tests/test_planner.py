"""The round planner: the queue against a hand computation, desks and the recommendation, the page's permissions
and planned against actual."""

from datetime import time, timedelta

import pytest
from django.urls import reverse

from conftest import PASSWORD
from core.context import system_actor
from screening import planner, services
from screening.models import RoundPlan
from screening.tests.conftest import DAY1

pytestmark = pytest.mark.django_db


def test_one_desk_equals_the_hand_computation():
    # Arrivals at 0, 0, 10, 100 s, 15 s each at one desk: starts 0, 15, 30, 100; ends 15, 30, 45, 115.
    result = planner.queue([0, 0, 10, 100], 1, 15)
    assert result["starts"] == [0, 15, 30, 100]
    assert result["finish"] == 115
    assert result["waits"] == [0, 15, 20, 0]
    # Waiting: 1 on [0,10), 2 on [10,15), 1 on [15,30), 0 after: peak 2, area 10 + 10 + 15 = 35 over 115 s.
    assert result["max_queue"] == 2
    assert result["mean_queue"] == pytest.approx(35 / 115)


def test_two_desks_and_per_person_service():
    result = planner.queue([0, 0, 0], 2, [10, 20, 5])
    assert result["starts"] == [0, 0, 10]
    assert result["finish"] == 20


def test_more_desks_finish_earlier(settings):
    pieces = [(0.0, 8 * 3600.0, 1.0)]
    finishes = [planner.predict(2000, d, pieces, 60)["finish"] for d in (2, 4, 8)]
    assert finishes[0] > finishes[1] > finishes[2]


def test_curve_quantiles_follow_the_weights(settings):
    pieces = [(0.0, 3600.0, 3.0), (3600.0, 7200.0, 1.0)]
    assert planner.arrival_at(pieces, 0.75) == pytest.approx(3600)
    arrivals = planner.planned_arrivals(pieces, 4)
    assert sum(a < 3600 for a in arrivals) == 3


def test_recommendation_makes_the_finish_fit():
    pieces = [(0.0, 4 * 3600.0, 1.0)]
    n, service, limit = 1500, 60, 4 * 3600 + 900
    assert planner.predict(n, 2, pieces, service)["finish"] > limit
    desks = planner.desks_to_fit(n, 2, pieces, service, limit)
    assert planner.predict(n, desks, pieces, service)["finish"] <= limit
    assert planner.predict(n, desks - 1, pieces, service)["finish"] > limit


def test_a_district_wide_site_does_not_double_count(areas, campaign):
    wide = services.site_create(campaign, name="万达广场", area=areas["district"], desks=10)
    sites = list(campaign.sites.select_related("area"))
    per_grid = {areas[k].code: 100 for k in "ABCD"}
    people = planner.site_people(sites, per_grid, 1.0)
    assert sum(sum(g.values()) for g in people.values()) == pytest.approx(400)
    # Grid C has no community site: all of it goes to the square.
    assert people[wide.pk][areas["C"].code] == pytest.approx(100)
    assert people[wide.pk][areas["A"].code] == pytest.approx(10)


def test_plan_figures_for_a_busy_site(areas, campaign, round1, make_person, settings):
    settings.SCREENING_PLANNER = {**settings.SCREENING_PLANNER, "turnout": 1.0, "wide_share": 0.0}
    site = campaign.sites.get(name="中福社区广场")
    site.opens_at, site.closes_at, site.desks, site.staff = time(8, 30), time(9, 0), 1, 1
    site.save()
    for _ in range(60):
        make_person("A")
    with system_actor():
        rows = dict(planner.plan(round1))
    figures = rows[site]
    assert figures["people"] == 60
    assert figures["tubes"] == 6  # 10 in 1
    assert figures["samplers"] == 1
    # 60 people in 30 minutes at one desk of 60 s: an hour's work, the queue runs past closing.
    assert not figures["fits"]
    assert figures["add_desks"] >= 1
    assert figures["add_staff"] == (1 + figures["add_desks"]) * 3 - 1
    assert figures["finish_at"] > figures["closes_at"]


def _client(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def waihai_staff(areas, django_user_model):
    from accounts.roles import Role

    return django_user_model.objects.create_user(
        "wally", password=PASSWORD, role=Role.STREET_STAFF, area=areas["waihai"]
    )


def test_page_permissions(client, users, round1, waihai_staff, areas):
    url = reverse("screening:round_plan", args=[round1.pk])
    # A grid worker neither plans nor reads the plan.
    assert _client(client, users["gwen"]).post(url).status_code == 403
    assert client.get(url).status_code == 403
    assert not RoundPlan.all_objects.exists()
    # Another street's staff: the street is not theirs.
    _client(client, waihai_staff)
    assert client.get(url, {"area": areas["lile"].code}).status_code == 404
    assert client.post(url, {"area": areas["lile"].code}).status_code == 404
    assert not RoundPlan.all_objects.exists()
    # Community staff read but do not plan.
    assert _client(client, users["cora"]).get(url).status_code == 200
    assert client.post(url).status_code == 403
    # The street plans its sites (中福社区广场), not the other street's.
    response = _client(client, users["stella"]).post(url)
    assert response.status_code == 302
    assert list(RoundPlan.all_objects.values_list("site__name", flat=True)) == ["中福社区广场"]
    assert client.put(url).status_code == 405
    # The other street sees none of it.
    page = _client(client, waihai_staff).get(url).content.decode()
    assert "中福社区广场" not in page


def test_planned_vs_actual(client, users, round1, site, make_person, tube_item):
    persons = [make_person("A") for _ in range(3)]
    url = reverse("screening:round_plan", args=[round1.pk])
    _client(client, users["dana"]).post(url)
    page = client.get(url).content.decode()
    assert "中福社区广场" in page and "plan-data" in page and "screening/plan.js" in page
    with system_actor():
        status, answer = services.tube_register(tube_item(persons, closed_at=DAY1 + timedelta(hours=2)))
    assert status == 201, answer
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    plan = RoundPlan.all_objects.get(site=site)
    assert plan.people == 3  # 3 in grid A × 0.9 turnout, rounded
    assert "3 sampled" in page
    assert "last at 10:30" in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_fits_a_phone(live_server, users, round1, make_person, language):
    from core.tests.browser import chromium, log_in, set_viewport, skip_without_chromium

    skip_without_chromium()
    for key in "AABD":
        make_person(key)
    with system_actor():
        services.plan_round(round1)
    driver = chromium()
    try:
        log_in(driver, live_server.url, users["dana"], language)
        set_viewport(driver, 390, 844)
        driver.get(live_server.url + reverse("screening:round_plan", args=[round1.pk]))
        driver.execute_script("document.querySelectorAll('details.plan-chart-box').forEach(d => d.open = true)")
        drawn = driver.execute_script("return document.querySelectorAll('.plan-chart canvas, .plan-chart svg').length")
        width = driver.execute_script("return document.documentElement.scrollWidth")
    finally:
        driver.quit()
    assert width <= 390, width
    assert drawn >= 1
