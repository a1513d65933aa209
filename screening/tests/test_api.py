import json

import pytest

from accounts.services import token_issue
from screening.models import Hold, HomeSamplingRequest, Sample, Tube


def _auth(user):
    _token, raw = token_issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, url, body, user):
    return client.post(url, json.dumps(body), content_type="application/json", **_auth(user))


def test_create_a_campaign_and_read_it_back_with_round_ids(client, users, areas):
    body = {
        "client_key": "c-1",
        "name": "区域核酸筛查 9月5日-7日",
        "type": "nucleic_acid",
        "scope": ["440704"],
        "rounds": [
            {"starts_at": f"2022-09-0{d}T08:30:00+08:00", "ends_at": f"2022-09-0{d}T21:00:00+08:00"} for d in (5, 6, 7)
        ],
        "pooling": [{"area": areas["D"].code, "pool_size": 1, "zone": "sealed"}],
    }
    response = _post(client, "/api/v1/screening/campaigns", body, users["dana"])
    assert response.status_code == 201, response.content
    created = response.json()
    assert [r["number"] for r in created["rounds"]] == [1, 2, 3]
    again = _post(client, "/api/v1/screening/campaigns", body, users["dana"])
    assert again.status_code == 201 and again.json()["id"] == created["id"]
    detail = client.get(f"/api/v1/screening/campaigns/{created['id']}", **_auth(users["mia"]))
    assert detail.status_code == 200
    assert [r["id"] for r in detail.json()["rounds"]] == [r["id"] for r in created["rounds"]]
    assert detail.json()["pooling"] == [{"area": areas["D"].code, "pool_size": 1, "zone": "sealed"}]


def test_a_campaign_with_an_unknown_area_is_422(client, users):
    body = {
        "name": "x",
        "scope": ["999999"],
        "rounds": [{"starts_at": "2022-09-05T08:00:00Z", "ends_at": "2022-09-05T20:00:00Z"}],
    }
    response = _post(client, "/api/v1/screening/campaigns", body, users["dana"])
    assert response.status_code == 422 and "scope" in response.json()["errors"]


def test_a_medic_registers_a_tube_and_a_retry_is_the_same_answer(client, users, make_person, tube_item):
    item = tube_item([make_person("A"), make_person("B")], key="desk7-1")
    first = _post(client, "/api/v1/screening/tubes", item, users["mia"])
    assert first.status_code == 201, first.content
    second = _post(client, "/api/v1/screening/tubes", item, users["mia"])
    assert second.status_code == 201 and second.json() == first.json()
    assert Sample.objects.count() == 2
    conflict = _post(client, "/api/v1/screening/tubes", dict(item, tube_code="OTHER"), users["mia"])
    assert conflict.status_code == 409 and "client_key" in conflict.json()["errors"]


def test_a_volunteer_lead_may_not_register_tubes(client, users, make_person, tube_item):
    response = _post(client, "/api/v1/screening/tubes", tube_item([make_person("A")]), users["vic"])
    assert response.status_code == 403


def test_the_batch_answers_per_tube(client, users, make_person, tube_item):
    people = [make_person("A") for _ in range(3)]
    body = {"tubes": [tube_item(people[:2]), tube_item([{"id_number": "4407041980010112"}]), tube_item(people[2:])]}
    response = _post(client, "/api/v1/screening/tubes/batch", body, users["mia"])
    assert response.status_code == 200
    data = response.json()
    assert (data["accepted"], data["rejected"]) == (2, 1)
    assert [r["http_status"] for r in data["results"]] == [201, 422, 201]
    assert list(data["results"][1]["errors"]) == ["persons[0].id_number"]


def test_results_by_api_one_or_many(client, users, make_person, tube_item):
    from screening.services import tube_register

    tube_register(tube_item([make_person("A") for _ in range(10)], code="P10"))
    tube_register(tube_item([make_person("A")], code="N1"))
    one = _post(
        client, "/api/v1/screening/results", {"tube_code": "N1", "result": "negative", "lab": "lab"}, users["lena"]
    )
    assert one.status_code == 200 and one.json()["results"][0]["result"] == "negative"
    many = _post(
        client,
        "/api/v1/screening/results",
        {"results": [{"tube_code": "P10", "result": "positive", "lab": "lab"}]},
        users["lena"],
    )
    assert many.json()["results"][0]["holds"] == 10
    assert Hold.objects.count() == 10 and HomeSamplingRequest.objects.count() == 10
    holds = client.get("/api/v1/screening/holds", **_auth(users["gwen"])).json()
    assert len(holds) == 10 and {h["state"] for h in holds} == {"held"}
    assert Tube.objects.get(code="N1").result == "negative"


def test_coverage_and_missing_by_api(client, users, areas, make_person, tube_item, round1):
    from screening.services import tube_register

    a = [make_person("A") for _ in range(3)]
    make_person("B")
    tube_register(tube_item(a[:2]))
    response = client.get(
        f"/api/v1/screening/rounds/{round1.pk}/coverage?area={areas['zhongfu'].code}", **_auth(users["cora"])
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["expected"], data["sampled"], data["missing"]) == (4, 2, 2)
    assert {c["code"]: c["missing"] for c in data["children"]} == {areas["A"].code: 1, areas["B"].code: 1}
    missing = client.get(f"/api/v1/screening/rounds/{round1.pk}/missing?area={areas['A'].code}", **_auth(users["gwen"]))
    assert missing.status_code == 200
    body = missing.json()
    assert body["count"] == 1 and body["items"][0]["id"] == a[2].pk
    assert a[2].id_number not in missing.content.decode() and "*" in body["items"][0]["masked_id_number"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/screening/rounds/{round}/coverage?area={B}",
        "/api/v1/screening/rounds/{round}/missing?area={B}",
        "/api/v1/screening/rounds/{round}/knock-list?grid={B}",
        "/api/v1/screening/rounds/{round}/home-requests?area={B}",
    ],
)
def test_a_grid_worker_of_another_grid_gets_404(client, users, areas, round1, url):
    response = client.get(url.format(round=round1.pk, B=areas["B"].code), **_auth(users["gwen"]))
    assert response.status_code == 404


def test_knock_by_api_and_the_list_for_the_grid_worker(client, users, areas, make_person, round1):
    a = make_person("A")
    other = make_person("B")
    url = f"/api/v1/screening/rounds/{round1.pk}/knock-list"
    doors = client.get(url, **_auth(users["gwen"])).json()
    assert [d["household_id"] for d in doors] == [a.household_id]
    body = {"client_key": "k1", "household_id": a.household_id, "outcome": "not_home"}
    knock_url = f"/api/v1/screening/rounds/{round1.pk}/knocks"
    assert _post(client, knock_url, body, users["gwen"]).status_code == 201
    assert _post(client, knock_url, body, users["gwen"]).status_code == 201
    from screening.models import KnockOutcome

    assert KnockOutcome.objects.count() == 1
    doors = client.get(url, **_auth(users["gwen"])).json()
    assert doors[0]["last_outcome"] == "not_home"
    wrong = _post(client, knock_url, {"household_id": other.household_id, "outcome": "refused"}, users["gwen"])
    assert wrong.status_code == 404


def test_numbers_for_the_command_centre(client, users, make_person, tube_item, round1, site):
    from screening.services import results_record, tube_register

    tube_register(tube_item([make_person("A") for _ in range(4)], code="Q1"))
    results_record([{"tube_code": "Q1", "result": "negative", "resulted_at": "2022-09-05T12:31:00+08:00"}])
    rows = client.get(f"/api/v1/screening/rounds/{round1.pk}/numbers", **_auth(users["dana"])).json()
    row = next(r for r in rows if r["site_id"] == site.pk)
    assert row["samples"] == 4 and row["tubes_closed"] == 1 and row["tubes_resulted"] == 1
    assert row["turnaround_minutes"] == 240.0


def test_openapi_describes_the_screening_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/screening/campaigns",
        "/api/v1/screening/campaigns/{campaign_id}",
        "/api/v1/screening/tubes",
        "/api/v1/screening/tubes/batch",
        "/api/v1/screening/results",
        "/api/v1/screening/rounds/{round_id}/coverage",
        "/api/v1/screening/rounds/{round_id}/missing",
    ):
        assert path in paths


def test_phone_list_teams_assignment_and_sizing(client, users, areas, make_person, round1, site):
    a, b = make_person("A"), make_person("A", mobility="bedridden")
    from screening.services import notice_acknowledge

    notice_acknowledge(round1, a)
    phone = client.get(f"/api/v1/screening/rounds/{round1.pk}/phone-list", **_auth(users["gwen"])).json()
    assert [p["id"] for p in phone] == [b.pk]
    team = {"name": "中福上门1队", "area": areas["zhongfu"].code, "medic": "mia", "grid_worker": "gwen"}
    assert _post(client, f"/api/v1/screening/rounds/{round1.pk}/home-teams", team, users["cora"]).status_code == 201
    assigned = _post(client, f"/api/v1/screening/rounds/{round1.pk}/home-requests/assign", {}, users["cora"]).json()
    assert assigned == {"standing_added": 1, "assigned": 1}
    requests = client.get(f"/api/v1/screening/rounds/{round1.pk}/home-requests", **_auth(users["gwen"])).json()
    assert [(r["person_id"], r["team"], r["route_order"]) for r in requests] == [(b.pk, "中福上门1队", 1)]
    sizing = client.get(f"/api/v1/screening/sites/{site.pk}/sizing", **_auth(users["dana"])).json()
    assert sizing["population"] == 2 and sizing["desks"] == 1
