import pytest

from accounts.services import token_issue, token_revoke
from registry.models import PersonGroup, SpecialGroup


@pytest.fixture
def people(make_person):
    a = [make_person("A", name=f"甲{i}") for i in range(3)]
    PersonGroup.all_objects.create(person=a[0], group=SpecialGroup.objects.get(code="pregnant"))
    return {"A": a, "B": make_person("B", name="乙"), "D": make_person("D", name="丁")}


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user, 'test')[1]}"}


def test_openapi_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/areas", "/api/v1/areas/{code}", "/api/v1/persons", "/api/v1/persons/{person_id}"):
        assert path in schema["paths"]


def test_grid_worker_lists_exactly_their_grids_persons(client, users, people, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        response = client.get("/api/v1/persons", **bearer(users["gwen"]))
    body = response.json()
    assert {p["name"] for p in body["items"]} == {"甲0", "甲1", "甲2"}
    assert body["count"] == 3
    first = next(p for p in body["items"] if p["name"] == "甲0")
    assert first["special_groups"] == ["pregnant"]
    assert first["masked_id_number"].startswith("440704") and "*" in first["masked_id_number"]
    assert "id_number" not in first and "phone" not in first


def test_persons_paginate(client, users, people):
    page = client.get("/api/v1/persons?page=1&page_size=2", **bearer(users["dana"])).json()
    assert page["count"] == 5 and len(page["items"]) == 2


def test_area_filter_and_search_stay_in_scope(client, users, areas, people):
    auth = bearer(users["cora"])
    assert {p["name"] for p in client.get(f"/api/v1/persons?area={areas['B'].code}", **auth).json()["items"]} == {"乙"}
    assert client.get(f"/api/v1/persons?area={areas['D'].code}", **auth).status_code == 404
    assert client.get("/api/v1/persons?q=丁", **auth).json()["items"] == []
    assert [p["name"] for p in client.get("/api/v1/persons?q=乙", **auth).json()["items"]] == ["乙"]


def test_person_detail_and_404_outside_scope(client, users, people):
    auth = bearer(users["gwen"])
    mine = client.get(f"/api/v1/persons/{people['A'][0].pk}", **auth)
    assert mine.status_code == 200 and mine.json()["address"]
    assert client.get(f"/api/v1/persons/{people['B'].pk}", **auth).status_code == 404


def test_area_detail_counts(client, users, areas, people):
    body = client.get(f"/api/v1/areas/{areas['zhongfu'].code}", **bearer(users["stella"])).json()
    assert body["persons"] == 4
    assert {c["code"]: c["persons"] for c in body["children"]} == {areas["A"].code: 3, areas["B"].code: 1}
    assert {g["code"]: g["count"] for g in body["groups"]}["pregnant"] == 1
    assert client.get(f"/api/v1/areas/{areas['yinquan'].code}", **bearer(users["stella"])).status_code == 404


def test_area_list_is_scoped(client, users, areas):
    codes = [a["code"] for a in client.get("/api/v1/areas", **bearer(users["cora"])).json()["items"]]
    assert codes == [areas["zhongfu"].code, areas["A"].code, areas["B"].code]


def test_revoked_and_missing_tokens_are_refused(client, users, people):
    token, raw = token_issue(users["gwen"], "phone")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/persons", **auth).status_code == 200
    token_revoke(token)
    assert client.get("/api/v1/persons", **auth).status_code == 401
    assert client.get("/api/v1/persons").status_code == 401


def test_token_from_password_then_reads(client, users, people):
    from conftest import PASSWORD

    raw = client.post(
        "/api/v1/auth/token", {"username": "gwen", "password": PASSWORD}, content_type="application/json"
    ).json()["token"]
    response = client.get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.json()["count"] == 3


def test_search_through_the_api_pins_queries(client, users, people, django_assert_max_num_queries):
    auth = bearer(users["dana"])
    with django_assert_max_num_queries(9):
        body = client.get("/api/v1/persons?q=甲", **auth).json()
    assert body["count"] == 3 and {p["special_groups"][0] for p in body["items"] if p["special_groups"]} == {"pregnant"}
