"""Screening writes: least privilege in the services themselves (core.access.writes), results by the lab only with
audited corrections, desks that sample whoever comes but learn nothing outside their area, per-user client keys."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied

from accounts.roles import Role
from accounts.services import actor_for, token_issue
from conftest import PASSWORD
from core.context import acting_as
from core.models import AuditEvent
from registry.models import Household, Person
from registry.testing import synthetic_id_number
from screening import services
from screening.models import Alert, Campaign, Hold, HomeSamplingRequest, HomeSamplingTeam, Site, TraceEntry, Tube

API = "/api/v1/screening"


def _auth(user):
    _token, raw = token_issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, url, body, user):
    return client.post(API + url, json.dumps(body), content_type="application/json", **_auth(user))


@pytest.fixture
def mina(users, areas, site, django_user_model):
    """A medic of 中福 community, working the 中福 site's desks (a desk sampling whoever comes)."""
    user = django_user_model.objects.create_user("mina", password=PASSWORD, role=Role.MEDIC, area=areas["zhongfu"])
    site.medics.add(user)
    return user


def _campaign_body(key="c-1"):
    return {
        "client_key": key,
        "name": "越权筛查",
        "scope": ["440704"],
        "rounds": [{"starts_at": "2022-09-05T08:30:00+08:00", "ends_at": "2022-09-05T21:00:00+08:00"}],
    }


def _result(code, result="positive", **extra):
    return {"tube_code": code, "result": result, "lab": "江门市中心医院", **extra}


# --- finding 2: district settings, teams and results are not a grid worker's -----------------------------------


def test_a_grid_worker_with_a_token_may_not_create_campaigns_sites_teams_or_results(
    client, users, areas, campaign, round1, make_person, tube_item
):
    gwen = users["gwen"]
    services.tube_register(tube_item([make_person("B")], code="GB1"))
    assert _post(client, "/campaigns", _campaign_body(), gwen).status_code == 403
    site = {"name": "网格A自设点", "area": areas["A"].code}
    assert _post(client, f"/campaigns/{campaign.pk}/sites", site, gwen).status_code == 403
    team = {"name": "A队", "area": areas["A"].code, "medic": "mia"}
    assert _post(client, f"/rounds/{round1.pk}/home-teams", team, gwen).status_code == 403
    assert _post(client, "/results", _result("GB1"), gwen).status_code == 403
    assert Campaign.objects.count() == 1 and Site.objects.count() == 2
    assert not HomeSamplingTeam.objects.exists()
    assert Tube.objects.get(code="GB1").result == Tube.Result.PENDING and not Hold.objects.exists()


def test_the_check_lives_in_the_service_whoever_calls_it(users, areas, campaign):
    with acting_as(actor_for(users["gwen"])), pytest.raises(PermissionDenied):
        services.campaign_create(name="x", scope_codes=["440704"], rounds=[])
    with acting_as(actor_for(users["cora"])), pytest.raises(PermissionDenied):
        services.site_create(campaign, name="社区自设点", area=areas["zhongfu"])
    assert Campaign.objects.count() == 1 and Site.objects.count() == 2


def test_a_medic_may_not_post_a_result(client, users, make_person, tube_item):
    services.tube_register(tube_item([make_person("A")], code="M1"))
    response = _post(client, "/results", _result("M1"), users["mia"])
    assert response.status_code == 403
    assert Tube.objects.get(code="M1").result == Tube.Result.PENDING


def test_the_lab_posts_a_positive_and_the_holds_follow(client, users, make_person, tube_item):
    services.tube_register(tube_item([make_person("A") for _ in range(4)], code="L1"))
    response = _post(client, "/results", _result("L1"), users["lena"])
    assert response.status_code == 200
    assert response.json()["results"][0]["holds"] == 4
    assert Hold.objects.filter(tube__code="L1", state=Hold.State.HELD).count() == 4
    again = _post(client, "/results", _result("L1"), users["lena"])
    assert again.json() == response.json() and Hold.objects.count() == 4


def test_a_grid_workers_negative_no_longer_blocks_the_labs_positive(client, users, make_person, tube_item):
    services.tube_register(tube_item([make_person("A") for _ in range(3)], code="NB1"))
    refused = _post(client, "/results", _result("NB1", "negative"), users["gwen"])
    assert refused.status_code == 403
    lab = _post(client, "/results", _result("NB1", "positive"), users["lena"])
    assert lab.status_code == 200 and lab.json()["results"][0]["http_status"] == 200
    assert lab.json()["results"][0]["status"] == "recorded"
    assert Tube.objects.get(code="NB1").result == Tube.Result.POSITIVE and Hold.objects.count() == 3


def test_another_result_for_a_resulted_tube_is_refused_without_a_reason(client, users, make_person, tube_item):
    services.tube_register(tube_item([make_person("A") for _ in range(2)], code="R1"))
    _post(client, "/results", _result("R1", "positive", resulted_at="2022-09-05T18:00:00+08:00"), users["lena"])
    other = _post(client, "/results", _result("R1", "negative", resulted_at="2022-09-05T19:00:00+08:00"), users["lena"])
    assert other.json()["results"][0]["http_status"] == 409
    no_reason = _post(client, "/results/R1/correction", {"result": "negative", "reason": " "}, users["lena"])
    assert no_reason.status_code == 422 and "correction_reason" in no_reason.json()["errors"]
    assert Tube.objects.get(code="R1").result == Tube.Result.POSITIVE
    assert Hold.objects.filter(state=Hold.State.HELD).count() == 2
    assert not AuditEvent.objects.filter(summary__startswith="result corrected").exists()


def test_a_correction_with_a_reason_is_audited_and_releases_the_holds(client, users, make_person, tube_item):
    people = [make_person("A") for _ in range(3)]
    services.tube_register(tube_item(people, code="C1"))
    _post(client, "/results", _result("C1"), users["lena"])
    assert Alert.objects.filter(tube__code="C1").count() == 4  # 3 persons' grid + their community
    body = {"result": "negative", "reason": "录入错误：阴性误录为阳性"}
    response = _post(client, "/results/C1/correction", body, users["lena"])
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "corrected" and response.json()["released"] == 3
    tube = Tube.objects.get(code="C1")
    assert tube.result == Tube.Result.NEGATIVE
    assert set(Hold.objects.filter(tube=tube).values_list("state", flat=True)) == {Hold.State.RELEASED}
    assert not Alert.objects.filter(tube=tube, withdrawn_at__isnull=True).exists()
    assert not HomeSamplingRequest.objects.filter(status__in=["open", "assigned"]).exists()
    event = AuditEvent.objects.get(target_type="screening.tube", target_id=str(tube.pk))
    assert event.actor == users["lena"] and event.detail["result"] == {"old": "positive", "new": "negative"}
    assert event.detail["reason"] == body["reason"]
    alerts = client.get(API + "/alerts", **_auth(users["gwen"])).json()
    assert not [a for a in alerts if a["tube_code"] == "C1"]


def test_a_correction_to_positive_holds_as_a_first_positive_would(client, users, make_person, tube_item):
    services.tube_register(tube_item([make_person("A") for _ in range(2)], code="C2"))
    services.tube_register(tube_item([make_person("B")], code="S1", pool_size=1))
    _post(client, "/results", {"results": [_result("C2", "negative"), _result("S1", "negative")]}, users["lena"])
    correction = {"result": "positive", "reason": "复核阳性"}
    assert _post(client, "/results/C2/correction", correction, users["lena"]).json()["holds"] == 2
    assert _post(client, "/results/S1/correction", correction, users["lena"]).json()["to_trace"] == 1
    assert Hold.objects.filter(tube__code="C2", state=Hold.State.HELD).count() == 2
    assert TraceEntry.objects.filter(tube__code="S1").count() == 1
    back = _post(client, "/results/S1/correction", {"result": "negative", "reason": "复核阴性"}, users["lena"])
    assert back.status_code == 200 and not TraceEntry.objects.exists()


def test_a_correction_needs_the_permission_to_correct(users, make_person, tube_item):
    services.tube_register(tube_item([make_person("A")], code="C3"))
    services.results_record([_result("C3")])
    lab_without_corrections = actor_for(users["lena"]).replace(allowed=frozenset({"screening.record_result"}))
    with acting_as(lab_without_corrections):
        [(status, answer)] = services.results_record([_result("C3", "negative", correction_reason="重测")])
    assert status == 403 and "correction_reason" in answer["errors"]
    assert Tube.objects.get(code="C3").result == Tube.Result.POSITIVE and Hold.objects.get().state == "held"


def test_the_results_import_takes_corrections_with_a_reason(users, make_person, tube_item):
    services.tube_register(tube_item([make_person("A") for _ in range(2)], code="I1"))
    with acting_as(actor_for(users["lena"])):
        services.results_record([_result("I1")])
        rows = "管码,结果,时间,检测机构,更正原因\nI1,阴性,2022-09-05T20:00:00+08:00,江门市中心医院,复核阴性\n"
        [(status, answer)] = services.results_import(io.BytesIO(rows.encode()), filename="lab.csv")
    assert status == 200 and answer["status"] == "corrected"
    assert set(Hold.objects.values_list("state", flat=True)) == {Hold.State.RELEASED}
    assert AuditEvent.objects.filter(summary="result corrected: positive → negative").count() == 1


# --- desks: assigned sites; whoever comes, but nothing learnt outside the area ----------------------------------


def test_a_medic_at_a_site_they_are_not_assigned_to_is_refused(client, users, campaign, make_person, tube_item):
    other = campaign.sites.get(name="银泉社区党群服务中心")
    other.medics.clear()
    item = dict(tube_item([make_person("D")], pool_size=1), site=other.pk)
    response = _post(client, "/tubes", item, users["mia"])
    assert response.status_code == 422
    assert "银泉社区党群服务中心" in response.json()["errors"]["site"]
    assert not Tube.objects.exists()


def test_a_desk_samples_an_out_of_area_person_by_id_number_but_learns_nothing_about_them(
    client, mina, users, make_person, tube_item
):
    from screening.models import PoolingRule

    PoolingRule.objects.all().delete()  # 银泉1网格 pools like everyone here: this test is about areas, not zones
    outsider = make_person("D")  # 银泉, another street
    neighbour = make_person("A")
    assert services.tube_register(tube_item([outsider, neighbour]))[0] == 201  # sampled once already this round
    item = tube_item([{"id_number": outsider.id_number}, {"id_number": neighbour.id_number}])
    response = _post(client, "/tubes", item, mina)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["samples"] == 2
    assert answer["repeat_person_ids"] == [neighbour.pk]  # inside 中福: the desk may know
    assert outsider.name not in response.content.decode() and str(outsider.pk) not in answer["repeat_person_ids"]


def test_a_desk_may_not_name_an_out_of_area_person_by_id(client, mina, make_person, tube_item):
    outsider = make_person("D")
    response = _post(client, "/tubes", tube_item([outsider]), mina)
    missing = _post(client, "/tubes", tube_item([{"person_id": 999999}]), mina)
    assert response.status_code == 422 and missing.status_code == 422
    assert response.json()["errors"] == missing.json()["errors"]  # "unknown person", as for an id that does not exist
    assert list(response.json()["errors"]) == ["persons[0].person_id"]
    assert not Tube.objects.exists()


def test_a_provisional_person_always_gets_a_household_and_the_grids_knock_page_works(
    client, mina, users, areas, round1, tube_item
):
    number = synthetic_id_number(9001)
    # mina names a grid of another street (外海): the person goes to her site's holding grid instead.
    item = tube_item([{"id_number": number, "name": "新来的", "grid": areas["D"].code}], pool_size=1)
    response = _post(client, "/tubes", item, mina)
    assert response.status_code == 201, response.content
    person = Person.objects.get(id_number=number)
    assert person.grid.code == areas["zhongfu"].code + services.UNPLACED_SUFFIX
    assert person.household is not None and person.household.grid_id == person.grid_id
    assert response.json()["provisional_person_ids"] == [person.pk]
    # mia (district) names grid C: the person lives there, in C's holding building.
    other = synthetic_id_number(9002)
    item = tube_item([{"id_number": other, "name": "新来的2", "grid": areas["C"].code}], pool_size=1)
    assert _post(client, "/tubes", item, users["mia"]).status_code == 201
    placed = Person.objects.get(id_number=other)
    assert placed.grid == areas["C"] and Household.objects.filter(pk=placed.household_id, grid=areas["C"]).exists()
    assert client.login(username="stella", password=PASSWORD)
    for grid in (person.grid, placed.grid):
        page = client.get(f"/screening/rounds/{round1.pk}/grids/{grid.code}/knock/")
        assert page.status_code == 200


# --- home sampling: the plan is staff's, inside their area --------------------------------------------------------


def test_a_grid_worker_may_not_plan_home_sampling_and_staff_plan_only_their_area(
    client, users, areas, round1, make_person
):
    mine, theirs = make_person("A", mobility="bedridden"), make_person("D", mobility="bedridden")
    for person in (mine, theirs):
        services.home_request_create(round1, person, source=HomeSamplingRequest.Source.GRID_WORKER)
    services.home_team_create(round1, name="区上门队", area=areas["district"], medic=users["mia"])
    refused = _post(client, f"/rounds/{round1.pk}/home-requests/assign", {}, users["gwen"])
    assert refused.status_code == 403
    assert not HomeSamplingRequest.objects.filter(team__isnull=False).exists()
    planned = _post(client, f"/rounds/{round1.pk}/home-requests/assign", {}, users["cora"])
    assert planned.status_code == 200 and planned.json()["assigned"] == 1
    assert HomeSamplingRequest.objects.get(person=mine).team is not None
    assert HomeSamplingRequest.objects.get(person=theirs).team is None  # 银泉 is not cora's


def test_a_team_for_another_area_is_not_found(client, users, areas, round1):
    team = {"name": "越界队", "area": areas["D"].code, "medic": "mia"}
    assert _post(client, f"/rounds/{round1.pk}/home-teams", team, users["cora"]).status_code == 404
    assert not HomeSamplingTeam.objects.exists()


def test_finishing_a_home_request_twice_is_409(client, users, round1, make_person):
    request = services.home_request_create(round1, make_person("A"), source=HomeSamplingRequest.Source.KNOCK)
    first = _post(client, f"/home-requests/{request.pk}/finish", {"done": True}, users["mia"])
    second = _post(client, f"/home-requests/{request.pk}/finish", {"done": False}, users["gwen"])
    assert first.status_code == 200 and second.status_code == 409
    request.refresh_from_db()
    assert request.status == HomeSamplingRequest.Status.DONE


def test_acknowledging_an_alert_twice_is_409_and_another_grids_alert_is_404(client, users, make_person, tube_item):
    services.tube_register(tube_item([make_person("A")], code="AL1"))
    services.results_record([_result("AL1")])
    alert = Alert.objects.get(tube__code="AL1", area__code__endswith="001001001")
    assert _post(client, f"/alerts/{alert.pk}/ack", {}, users["greg"]).status_code == 404
    assert _post(client, f"/alerts/{alert.pk}/ack", {}, users["gwen"]).status_code == 200
    assert _post(client, f"/alerts/{alert.pk}/ack", {}, users["gwen"]).status_code == 409
    alert.refresh_from_db()
    assert alert.acknowledged_by == users["gwen"]


# --- finding 12: client keys are the acting user's ----------------------------------------------------------------


def test_another_medic_replaying_a_tube_key_never_gets_the_first_medics_answer(
    client, users, site, django_user_model, make_person, tube_item
):
    max_ = django_user_model.objects.create_user("max", password=PASSWORD, role=Role.MEDIC, area=users["mia"].area)
    site.medics.add(max_)
    item = tube_item([make_person("A"), make_person("A")], key="desk1-77", code="KEY1")
    first = _post(client, "/tubes", item, users["mia"])
    assert first.status_code == 201
    replay = _post(client, "/tubes", item, max_)
    assert replay.status_code in (409, 422) and replay.json() != first.json()
    assert "tube_id" not in replay.json() or replay.json()["tube_id"] is None
    assert Tube.objects.count() == 1


def test_another_lab_user_replaying_a_result_gets_its_own_answer(
    client, users, areas, django_user_model, make_person, tube_item
):
    lars = django_user_model.objects.create_user("lars", password=PASSWORD, role=Role.LAB, area=areas["district"])
    services.tube_register(tube_item([make_person("A")], code="K2"))
    first = _post(client, "/results", _result("K2", resulted_at="2022-09-05T18:00:00+08:00"), users["lena"])
    assert first.json()["results"][0]["status"] == "recorded"
    replay = _post(client, "/results", _result("K2", resulted_at="2022-09-05T18:00:00+08:00"), lars)
    assert replay.json()["results"][0]["status"] == "unchanged"
    assert Hold.objects.count() == 1
