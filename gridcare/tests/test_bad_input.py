"""Bad input answers 4xx (or the page), never 500: out-of-range characters in a search, page numbers and offsets
past what a database column holds, negative limits, the admin's login page for an anonymous visitor, adding a
medicine schedule in the admin, a round spanning decades charted at 5-minute steps, and strings longer than the
model's column in the API."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import token_issue

pytestmark = pytest.mark.django_db

NASTY_Q = ["\U0010ffff", "\x00", "a\x00b", "\ud800", "x" * 5000]


def bearer(user):
    _token, raw = token_issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize("q", ["%F4%8F%BF%BF", "%00", "%ED%A0%80", "%FF"])
def test_search_page_with_out_of_range_characters(client, users, make_person, q):
    make_person("A")
    client.force_login(users["gwen"])
    assert client.get(f"/registry/search/?q={q}").status_code == 200


@pytest.mark.parametrize("q", ["%F4%8F%BF%BF", "%00", "%ED%A0%80"])
def test_persons_api_with_out_of_range_characters(client, users, make_person, q):
    make_person("A")
    response = client.get(f"/api/v1/persons?q={q}", **bearer(users["gwen"]))
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=0", "page=-1", "page_size=-5", "page=1000001"])
def test_paginated_api_refuses_pages_out_of_bounds(client, users, make_person, query):
    make_person("A")
    response = client.get(f"/api/v1/persons?{query}", **bearer(users["gwen"]))
    assert response.status_code == 422


@pytest.mark.parametrize(
    "query", ["limit=-5", "offset=-1", "offset=99999999999999999999", "limit=99999999999999999999"]
)
def test_limit_offset_lists_clamp(client, users, query):
    for url in ("/api/v1/care/ledger", "/api/v1/care/requests"):
        response = client.get(f"{url}?{query}", **bearer(users["dana"]))
        assert response.status_code in (200, 422), (url, response.status_code)


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "abc", "1e400"])
def test_paginated_pages_show_a_page(client, users, page):
    client.force_login(users["dana"])
    assert client.get(reverse("care:requests"), {"page": page}).status_code == 200


def test_admin_login_for_an_anonymous_visitor(client, users):
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/admin/").status_code == 302


def test_adding_a_medicine_schedule_in_the_admin(client, users, make_person):
    from care.models import MedicineSchedule

    person = make_person("A")
    client.force_login(users["dana"])
    url = reverse("admin:care_medicineschedule_add")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"person": person.pk, "medicine": "二甲双胍", "every_days": 30, "next_on": "2026-12-01", "active": "on"}
    )
    assert response.status_code == 302
    assert MedicineSchedule.all_objects.get().grid_id == person.grid_id


def test_a_round_spanning_decades_is_charted_in_bounded_points(client, users, areas):
    from screening import selectors, services

    now = timezone.now()
    campaign = services.campaign_create(
        name="long", scope_codes=["440704"], rounds=[(now - timedelta(days=365 * 30), now + timedelta(hours=1))]
    )
    round_ = campaign.rounds.get()
    points = selectors.coverage_over_time(round_, areas["district"], step_minutes=5)
    assert 2 <= len(points) <= selectors.MAX_POINTS
    response = client.get(
        f"/api/v1/screening/rounds/{round_.pk}/coverage-over-time?step_minutes=5", **bearer(users["dana"])
    )
    assert response.status_code in (200, 404)


def test_a_100000_character_note_is_422(client, users, make_person):
    person = make_person("A")
    body = {"person_id": person.pk, "outcome": "well", "note": "x" * 100_000}
    response = client.post(
        "/api/v1/care/followups", json.dumps(body), content_type="application/json", **bearer(users["gwen"])
    )
    assert response.status_code == 422
    from care.models import FollowUp

    assert not FollowUp.all_objects.exists()


def test_a_nul_in_a_client_key_is_422_not_a_database_error(client, users):
    """PostgreSQL refuses NUL in text; the schema refuses it first, naming the field."""
    entry = {"client_key": "k\x00", "venue": 1, "person": "", "code_colour": "green", "direction": "in", "at": 0}
    response = client.post(
        "/api/v1/tracing/entries",
        json.dumps({"entries": [entry]}),
        content_type="application/json",
        **bearer(users["cass"]),
    )
    assert response.status_code == 422
    assert "client_key" in response.content.decode() and "string_pattern_mismatch" in response.content.decode()


def _strings_without_max_length(schema, components, path, seen):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _strings_without_max_length(components[name], components, f"{path}→{name}", seen | {name})
    found = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _strings_without_max_length(sub, components, path, seen)
    if schema.get("type") == "string" and "maxLength" not in schema and "enum" not in schema:
        if schema.get("format") not in ("date-time", "date", "binary"):
            found.append(path)
    for name, sub in schema.get("properties", {}).items():
        found += _strings_without_max_length(sub, components, f"{path}.{name}", seen)
    if "items" in schema:
        found += _strings_without_max_length(schema["items"], components, f"{path}[]", seen)
    return found


def test_every_string_an_api_client_sends_has_a_max_length(client):
    """Walks every request body in the OpenAPI document: each string field carries maxLength (from its model)."""
    document = json.loads(client.get("/api/v1/openapi.json").content)
    components = document["components"]["schemas"]
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                missing += _strings_without_max_length(content["schema"], components, f"{method} {path}", set())
    assert missing == []


def test_schema_lengths_are_the_models():
    from care.api import FollowUpIn, HelpRequestIn
    from care.models import FollowUp, HelpRequest

    assert (
        FollowUpIn.model_json_schema()["properties"]["note"]["maxLength"] == FollowUp._meta.get_field("note").max_length
    )
    described = HelpRequestIn.model_json_schema()["properties"]["description"]
    assert described["maxLength"] == HelpRequest._meta.get_field("description").max_length
