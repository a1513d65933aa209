"""The screening pages: each shows the right numbers, keeps to the user's area (404 outside it), writes through
the services and stays within a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from screening import services
from screening.models import Alert, HomeSamplingRequest, KnockOutcome, Tube

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(areas):
    now = timezone.now()
    return services.campaign_create(
        name="区域核酸筛查", scope_codes=["440704"], rounds=[(now - timedelta(hours=3), now + timedelta(hours=9))]
    )


@pytest.fixture
def round_(campaign):
    return campaign.rounds.get()


@pytest.fixture
def site(campaign, areas):
    return services.site_create(campaign, name="万达广场", area=areas["lile"], desks=2)


@pytest.fixture
def people(make_person):
    """Four persons in grid A (two doors), two in grid B, one in D."""
    return {key: [make_person(key) for _ in range(n)] for key, n in (("A", 4), ("B", 2), ("D", 1))}


def register(round_, site, persons, code, pool_size=None):
    item = {
        "client_key": f"k-{code}",
        "round": round_.pk,
        "site": site.pk,
        "tube_code": code,
        "pool_size": pool_size or (1 if len(persons) == 1 else 5),
        "closed_at": timezone.now().isoformat(),
        "persons": [{"person_id": p.pk} for p in persons],
    }
    status, answer = services.tube_register(item)
    assert status == 201, answer
    return Tube.objects.get(code=code)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_coverage_of_a_community_counts_its_grids(
    client, users, areas, round_, site, people, django_assert_max_num_queries
):
    register(round_, site, people["A"][:3], "T1")
    login(client, users["dana"])
    with django_assert_max_num_queries(24):
        response = client.get(reverse("screening:coverage_area", args=[round_.pk, areas["zhongfu"].code]))
    assert response.status_code == 200
    numbers = response.context["numbers"]
    assert (numbers["expected"], numbers["sampled"], numbers["missing"]) == (6, 3, 3)
    rows = {c["name"]: c["missing"] for c in numbers["children"]}
    assert rows == {areas["A"].name: 1, areas["B"].name: 2}
    assert b"<svg" in response.content


def test_community_staff_see_their_communitys_coverage(client, users, areas, round_, site, people):
    register(round_, site, people["A"][:3], "T1")
    login(client, users["cora"])
    response = client.get(reverse("screening:coverage_area", args=[round_.pk, areas["zhongfu"].code]))
    assert response.context["numbers"]["sampled"] == 3


def test_coverage_htmx_refresh_returns_the_body_only(client, users, areas, round_, people):
    login(client, users["cora"])
    response = client.get(
        reverse("screening:coverage_area", args=[round_.pk, areas["zhongfu"].code]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b"<html" not in response.content and b"figure" in response.content


def test_coverage_drills_down_to_building_and_household(client, users, areas, round_, site, people):
    register(round_, site, people["A"][:1], "T2")
    person = people["A"][0]
    login(client, users["gwen"])
    grid_page = client.get(reverse("screening:coverage_area", args=[round_.pk, areas["A"].code]))
    building_id = grid_page.context["numbers"]["children"][0]["key"]
    building = client.get(reverse("screening:coverage_building", args=[round_.pk, building_id]))
    assert building.status_code == 200 and building.context["numbers"]["sampled"] == 1
    door = client.get(reverse("screening:coverage_household", args=[round_.pk, person.household_id]))
    assert door.status_code == 200
    assert door.context["rows"][0]["state"] == "sampled"
    assert person.id_number.encode() not in door.content and person.masked_id_number.encode() in door.content


def test_coverage_outside_the_users_area_is_404(client, users, areas, round_, people):
    login(client, users["gwen"])
    assert client.get(reverse("screening:coverage_area", args=[round_.pk, areas["B"].code])).status_code == 404
    assert client.get(reverse("screening:coverage_area", args=[round_.pk, areas["district"].code])).status_code == 404
    other = people["B"][0]
    assert client.get(reverse("screening:coverage_household", args=[round_.pk, other.household_id])).status_code == 404
    assert (
        client.get(reverse("screening:coverage_building", args=[round_.pk, other.household.building_id])).status_code
        == 404
    )


def test_knock_list_orders_doors_and_hides_the_sampled(
    client, users, areas, round_, site, people, django_assert_max_num_queries
):
    register(round_, site, people["A"][:1], "T3", pool_size=1)
    login(client, users["gwen"])
    with django_assert_max_num_queries(14):  # 12 for the list, 2 for its live counters (selectors.knock_counts)
        response = client.get(reverse("screening:knock_list", args=[round_.pk, areas["A"].code]))
    assert response.status_code == 200
    assert response.context["counts"]["missing"] == 3
    body = response.content.decode()
    assert people["A"][0].name not in body
    positions = [body.index(p.name) for p in people["A"][1:]]
    assert positions == sorted(positions)


def test_knock_list_of_a_neighbouring_grid_is_404(client, users, areas, round_, people):
    login(client, users["greg"])
    assert client.get(reverse("screening:knock_list", args=[round_.pk, areas["A"].code])).status_code == 404
    assert client.get(reverse("screening:knock_sheet", args=[round_.pk, areas["A"].code])).status_code == 404
    household = people["A"][0].household
    url = reverse("screening:knock_record", args=[round_.pk, household.pk])
    assert client.post(url, {"outcome": "not_home"}).status_code == 404
    assert not KnockOutcome.all_objects.exists()


def test_knock_outcome_not_home_stays_and_away_leaves_the_list(client, users, areas, round_, people):
    first, second = people["A"][0], people["A"][1]
    login(client, users["gwen"])
    row = client.post(
        reverse("screening:knock_record", args=[round_.pk, first.household_id]),
        {"outcome": "not_home", "person": first.pk},
        HTTP_HX_REQUEST="true",
    )
    assert row.status_code == 200 and first.name in row.content.decode()
    row = client.post(
        reverse("screening:knock_record", args=[round_.pk, second.household_id]),
        {"outcome": "away", "person": second.pk, "where": "广州", "until": "2030-01-01"},
    )
    assert row.status_code == 200
    listing = client.get(reverse("screening:knock_list", args=[round_.pk, areas["A"].code])).content.decode()
    assert first.name in listing and second.name not in listing
    assert KnockOutcome.objects.filter(outcome="away", where="广州").count() == 1


def test_knock_of_a_person_of_another_door_is_refused(client, users, round_, people):
    first, second = people["A"][0], people["A"][1]
    login(client, users["gwen"])
    response = client.post(
        reverse("screening:knock_record", args=[round_.pk, first.household_id]),
        {"outcome": "refused", "person": second.pk},
    )
    assert response.status_code == 400
    assert not KnockOutcome.all_objects.exists()


def test_phone_list_is_the_silent_and_ack_removes_them(client, users, areas, round_, people):
    first = people["A"][0]
    login(client, users["gwen"])
    url = reverse("screening:knock_list", args=[round_.pk, areas["A"].code]) + "?show=phone"
    assert len(client.get(url).context["persons"]) == 4
    ack = client.post(reverse("screening:notice_ack", args=[round_.pk, first.pk]) + "?from=phone")
    assert ack.status_code == 200
    assert first not in list(client.get(url).context["persons"])


def test_knock_sheet_is_a_pdf(client, users, areas, round_, people):
    login(client, users["gwen"])
    response = client.get(reverse("screening:knock_sheet", args=[round_.pk, areas["A"].code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"STSong-Light" in response.content


def test_missed_rounds_lists_who_missed(client, users, areas, campaign, round_, site, people):
    register(round_, site, people["A"][:1], "T4", pool_size=1)
    login(client, users["gwen"])
    response = client.get(reverse("screening:missed", args=[round_.pk]))
    assert response.status_code == 200
    names = [r["person"].name for r in response.context["page"]]
    assert sorted(names) == sorted(p.name for p in people["A"][1:])


def test_numbers_show_per_site_counts_and_charts(client, users, round_, site, people, django_assert_max_num_queries):
    register(round_, site, people["A"][:4] + people["B"][:1], "T5")
    login(client, users["dana"])
    with django_assert_max_num_queries(30):
        response = client.get(reverse("screening:numbers", args=[round_.pk]))
    assert response.status_code == 200
    assert response.context["totals"]["samples"] == 5
    assert response.content.count(b"<svg") == 2


def test_positive_pool_screen_shows_the_clock_and_states(client, users, round_, site, people):
    tube = register(round_, site, people["A"][:4] + people["B"][:1], "T6")
    services.results_record(
        [{"tube_code": "T6", "result": "positive", "resulted_at": timezone.now().isoformat(), "lab": "江门检测"}]
    )
    login(client, users["cora"])
    response = client.get(reverse("screening:holds", args=[round_.pk]))
    assert response.status_code == 200
    pool = response.context["pools"][0]
    assert pool["tube"] == tube and pool["open"] == 5 and b"data-since" in response.content
    login(client, users["gwen"])
    mine = client.get(reverse("screening:holds", args=[round_.pk])).context["pools"][0]
    assert len(mine["holds"]) == 4  # grid B's person is not gwen's


def test_home_sampling_plan_assign_and_finish(client, users, areas, round_, site, people):
    register(round_, site, people["A"][:2], "T7", pool_size=5)
    services.results_record(
        [{"tube_code": "T7", "result": "positive", "resulted_at": timezone.now().isoformat(), "lab": "L"}]
    )
    services.home_team_create(
        round_, name="上门1队", area=areas["zhongfu"], medic=users["mia"], grid_worker=users["gwen"]
    )
    login(client, users["cora"])
    client.post(reverse("screening:home_plan", args=[round_.pk]))
    page = client.get(reverse("screening:home_list", args=[round_.pk]))
    requests = page.context["requests"]
    assert [r.route_order for r in requests] == [1, 2] and all(r.status == "assigned" for r in requests)
    assert requests[0].age_minutes == 0 and requests[0].single_tube
    assert page.content.decode().count('class="tag bad"') == 2  # each marked "single tube"
    row = client.post(reverse("screening:home_finish", args=[requests[0].pk]), {"done": "1"})
    assert row.status_code == 200
    assert HomeSamplingRequest.objects.get(pk=requests[0].pk).status == "done"


def test_home_request_of_another_grid_is_404(client, users, round_, site, people):
    register(round_, site, people["B"][:1], "T8", pool_size=1)
    request_ = services.home_request_create(round_, people["B"][0], source="grid_worker")
    login(client, users["gwen"])
    assert client.post(reverse("screening:home_finish", args=[request_.pk]), {"done": "1"}).status_code == 404
    assert HomeSamplingRequest.all_objects.get(pk=request_.pk).status == "open"


def test_alerts_for_the_grid_and_acknowledge(client, users, round_, site, people):
    register(round_, site, people["A"][:2] + people["D"][:1], "T9")
    services.results_record(
        [{"tube_code": "T9", "result": "positive", "resulted_at": timezone.now().isoformat(), "lab": "L"}]
    )
    login(client, users["gwen"])
    page = client.get(reverse("screening:alerts"))
    mine = list(page.context["alerts"])
    assert mine and all(a.area.code.startswith("440704001001") or a.area.code == "440704" for a in mine)
    theirs = Alert.all_objects.filter(area__code__startswith="440704002").first()
    assert client.post(reverse("screening:alert_ack", args=[theirs.pk])).status_code == 404
    grid_alert = next(a for a in mine if a.area.level == 4)
    assert client.post(reverse("screening:alert_ack", args=[grid_alert.pk])).status_code == 200
    assert Alert.all_objects.get(pk=grid_alert.pk).acknowledged_at is not None


def test_sites_show_sizing_and_the_poster_a_qr_code(client, users, round_, site, people):
    login(client, users["dana"])
    page = client.get(reverse("screening:sites", args=[round_.pk]))
    assert page.status_code == 200
    assert page.context["sites"][0].sizing["population"] == 6  # grids A, B (礼乐); C is empty
    poster = client.get(reverse("screening:site_poster", args=[site.pk]))
    assert b"<svg" in poster.content and "万达广场" in poster.content.decode()
    client.logout()
    public = client.get(reverse("screening:site_public", args=[site.pk]))
    assert public.status_code == 200 and "万达广场" in public.content.decode()


def test_sizing_counts_the_whole_area_served_whoever_looks(client, users, round_, site, people):
    """A grid worker of grid A sees the same advice for the 礼乐 site as the district: A and B's six people."""
    login(client, users["gwen"])
    page = client.get(reverse("screening:sites", args=[round_.pk]))
    assert page.context["sites"][0].sizing["population"] == 6


def test_index_links_a_grid_worker_to_their_knock_list(client, users, areas, round_):
    login(client, users["gwen"])
    body = client.get(reverse("screening:index")).content.decode()
    assert reverse("screening:knock_list", args=[round_.pk, areas["A"].code]) in body


def test_volunteer_lead_sees_no_screening_pages(client, users, round_):
    login(client, users["vic"])
    for name in ("screening:index", "screening:alerts"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("screening:numbers", args=[round_.pk])).status_code == 403


def test_community_staff_add_a_home_team_in_their_area_only(client, users, areas, round_):
    login(client, users["cora"])
    page = client.get(reverse("screening:home_list", args=[round_.pk]))
    assert set(page.context["team_form"].fields["area"].queryset) == {areas["zhongfu"], areas["A"], areas["B"]}
    url = reverse("screening:home_team_add", args=[round_.pk])
    client.post(
        url, {"name": "上门1队", "area": areas["A"].pk, "medic": users["mia"].pk, "grid_worker": users["gwen"].pk}
    )
    client.post(url, {"name": "越界队", "area": areas["D"].pk, "medic": users["mia"].pk})
    assert list(round_.home_teams.values_list("name", "area__code")) == [("上门1队", areas["A"].code)]
