from django.urls import reverse

from care.models import FollowUp, HelpRequest


def test_followup_post_is_idempotent_on_client_key(login, paired):
    person = paired()
    client = login("gwen")
    body = {"person_id": person.pk, "outcome": "well", "client_key": "device-1:42"}
    first = client.post("/api/v1/care/followups", body, content_type="application/json")
    again = client.post("/api/v1/care/followups", body, content_type="application/json")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert FollowUp.objects.filter(person=person).count() == 1
    other = client.post("/api/v1/care/followups", {**body, "outcome": "not_reached"}, content_type="application/json")
    assert other.status_code == 409 and FollowUp.objects.filter(person=person).count() == 1


def test_api_is_scoped_and_masked(login, paired):
    person = paired("B", "greg")
    client = login("gwen")
    response = client.post(
        "/api/v1/care/followups", {"person_id": person.pk, "outcome": "well"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert client.get("/api/v1/care/ledger").json() == []
    entries = login("greg").get("/api/v1/care/ledger").json()
    assert [e["person_id"] for e in entries] == [person.pk] and person.id_number not in str(entries)
    assert [t["person_id"] for t in login("greg").get("/api/v1/care/today").json()] == [person.pk]


def test_request_create_and_step_through_the_api(login, areas, users):
    client = login("cora")
    body = {
        "kind": "supplies",
        "area_code": areas["A"].code,
        "requester_name": "x",
        "description": "米",
        "client_key": "k1",
    }
    created = client.post("/api/v1/care/requests", body, content_type="application/json")
    assert created.status_code == 201
    assert (
        client.post("/api/v1/care/requests", body, content_type="application/json").json()["id"] == created.json()["id"]
    )
    step = client.post(
        f"/api/v1/care/requests/{created.json()['id']}/steps",
        {"step": "assign", "assigned_to_id": users["gwen"].pk},
        content_type="application/json",
    )
    assert step.status_code == 200 and step.json()["status"] == "assigned"
    bad = client.post(
        f"/api/v1/care/requests/{created.json()['id']}/steps", {"step": "confirm"}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert HelpRequest.objects.count() == 1
    assert reverse("care:requests")
