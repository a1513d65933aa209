"""API tokens: they expire, die with a password change or deactivation, and may be narrowed to read-only or a
desk and to a sub-area (finding 5, tokens)."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import token_issue
from care.models import FollowUp
from conftest import PASSWORD
from core.models import AuditEvent


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def exchange(client, username, **extra):
    body = {"username": username, "password": PASSWORD, **extra}
    return client.post("/api/v1/auth/token", body, content_type="application/json")


@pytest.fixture
def persons(make_person):
    return {
        "A": make_person("A", name="甲在A"),
        "B": make_person("B", name="乙在B"),
        "D": make_person("D", name="丁在D"),
    }


def test_a_token_expires_after_api_token_days(client, users, persons):
    with override_settings(API_TOKEN_DAYS=2):
        token, raw = token_issue(users["gwen"], "phone")
    assert token.expires_at - token.created_at < timedelta(days=2, seconds=5)
    assert client.get("/api/v1/persons", **bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/persons", **bearer(raw)).status_code == 401


def test_a_password_change_kills_the_token(client, users, persons):
    gwen = users["gwen"]
    _, raw = token_issue(gwen, "phone")
    gwen.set_password("another-horse-10")
    gwen.save()
    assert client.get("/api/v1/persons", **bearer(raw)).status_code == 401


def test_deactivation_kills_the_token(client, users, persons):
    gwen = users["gwen"]
    _, raw = token_issue(gwen, "phone")
    gwen.is_active = False
    gwen.save()
    assert client.get("/api/v1/persons", **bearer(raw)).status_code == 401


def test_a_read_only_token_reads_but_cannot_write(client, users, persons):
    response = exchange(client, "gwen", mode="read_only")
    assert response.status_code == 200 and response.json()["mode"] == "read_only"
    auth = bearer(response.json()["token"])
    assert client.get("/api/v1/persons", **auth).status_code == 200
    body = {"person_id": persons["A"].pk, "outcome": "well"}
    response = client.post("/api/v1/care/followups", body, content_type="application/json", **auth)
    assert response.status_code == 403
    assert not FollowUp.all_objects.exists()
    _, full = token_issue(users["gwen"], "full")
    response = client.post("/api/v1/care/followups", body, content_type="application/json", **bearer(full))
    assert response.status_code == 201


def test_a_sub_area_token_sees_only_the_sub_area(client, users, areas, persons):
    response = exchange(client, "cora", area=areas["A"].code)
    assert response.status_code == 200 and response.json()["area_code"] == areas["A"].code
    auth = bearer(response.json()["token"])
    names = {p["name"] for p in client.get("/api/v1/persons", **auth).json()["items"]}
    assert names == {"甲在A"}
    assert client.get(f"/api/v1/persons/{persons['B'].pk}", **auth).status_code == 404
    _, full = token_issue(users["cora"], "full")
    names = {p["name"] for p in client.get("/api/v1/persons", **bearer(full)).json()["items"]}
    assert names == {"甲在A", "乙在B"}


def test_a_token_cannot_be_narrowed_to_an_area_outside_the_users(client, users, areas):
    response = exchange(client, "cora", area=areas["D"].code)
    assert response.status_code == 422
    assert not ApiToken.objects.filter(user=users["cora"]).exists()


def test_a_desk_token_registers_tubes_but_reads_no_care(client, users, persons):
    auth = bearer(exchange(client, "gwen", mode="desk").json()["token"])
    assert client.get("/api/v1/care/today", **auth).status_code == 403
    assert client.get(f"/api/v1/persons/{persons['A'].pk}", **auth).status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer junk", "Bearer ", "Basic abc"])
def test_revoking_without_a_live_token_is_401_not_500(client, users, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    assert client.delete("/api/v1/auth/token", **extra).status_code == 401
    client.force_login(users["gwen"])  # a session does not stand in for the token to revoke
    assert client.delete("/api/v1/auth/token", **extra).status_code == 401


def test_issue_is_audited_with_mode_and_area(client, users, areas):
    exchange(client, "cora", mode="read_only", area=areas["A"].code)
    event = AuditEvent.objects.get(action=AuditEvent.Action.TOKEN_ISSUED)
    assert "read_only" in event.summary and areas["A"].code in event.summary
