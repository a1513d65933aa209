"""The gate: entries by API (one answer per entry, idempotent), the alerts they raise to the person's grid and
what the gate is told to do, the staff's entry log and the grid worker's acknowledgement."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from screening.codes import person_code
from tracing.models import Control, EntryAlert, Isolation, ProtocolVersion, Venue, VenueVisit

pytestmark = pytest.mark.django_db

URL = "/api/v1/tracing/entries"


@pytest.fixture
def gate(areas):
    return Venue.objects.create(
        name="明泰城北门", kind=Venue.Kind.COMPOUND_GATE, area=areas["zhongfu"], code="g-mingtai"
    )


@pytest.fixture
def cato(areas, django_user_model):
    """Checkpoint staff of the next community, 新创村."""
    return django_user_model.objects.create_user("cato", role="checkpoint_staff", area=areas["xinchuang"])


def entry(key, gate, person, colour="green", temperature=None, direction="in", at=None, via="id"):
    return {
        "client_key": key,
        "venue": gate.pk,
        "person": person.id_number if via == "id" else person_code(person),
        "code_colour": colour,
        "direction": direction,
        "temperature": temperature,
        "at": (at or timezone.now()).isoformat(),
    }


def post(client, entries, language="en"):
    return client.post(
        URL, json.dumps({"entries": entries}), content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )


def test_an_entry_is_a_gate_visit_and_a_resend_stores_nothing_twice(client, users, make_person, gate):
    resident, visitor = make_person("B"), make_person("D")  # a visitor from another street is admitted too
    client.force_login(users["cass"])
    batch = [entry("k1", gate, resident), entry("k2", gate, visitor, direction="out", via="code")]
    first = post(client, batch)
    assert first.status_code == 200, first.content
    assert first.json()["accepted"] == 2
    assert [r["reasons"] for r in first.json()["results"]] == [[], []]
    again = post(client, batch)  # the answer was lost: the gate sends its queue again
    assert again.json()["results"] == first.json()["results"]
    visits = VenueVisit.all_objects.order_by("pk")
    assert visits.count() == 2
    assert [(v.person_id, v.grid_id, v.source, v.direction, v.code_colour, v.recorded_by_id) for v in visits] == [
        (resident.pk, resident.grid_id, "gate", "in", "green", users["cass"].pk),
        (visitor.pk, visitor.grid_id, "gate", "out", "green", users["cass"].pk),
    ]
    assert resident.id_number not in first.content.decode()
    assert not EntryAlert.all_objects.exists()
    reused = post(client, [entry("k1", gate, resident, "red")], language="zh-hans").json()["results"][0]
    assert (reused["http_status"], reused["status"], set(reused["errors"])) == (409, "conflict", {"client_key"})
    assert "客户端编号" in reused["errors"]["client_key"]
    assert VenueVisit.all_objects.count() == 2


def test_a_fever_and_a_red_code_alert_the_grid_and_tell_the_gate_what_to_do(client, users, make_person, gate):
    fever, red, normal = make_person("B"), make_person("A"), make_person("B")
    client.force_login(users["cass"])
    answer = post(
        client,
        [
            entry("f", gate, fever, temperature="37.3"),
            entry("r", gate, red, "red"),
            entry("n", gate, normal, temperature="37.2"),
        ],
        language="zh-hans",
    ).json()
    fever_answer, red_answer, normal_answer = answer["results"]
    assert fever_answer["reasons"] == ["fever"] and "发热门诊" in fever_answer["advice"][0]
    assert red_answer["reasons"] == ["colour"] and "联系社区" in red_answer["advice"][0]
    assert normal_answer["reasons"] == [] and normal_answer["alert_id"] is None
    alerts = {a.person_id: a for a in EntryAlert.all_objects.all()}
    assert set(alerts) == {fever.pk, red.pk}
    assert alerts[fever.pk].fever and alerts[fever.pk].grid_id == fever.grid_id
    assert alerts[red.pk].code_colour == "red" and not alerts[red.pk].fever


def test_a_person_in_isolation_or_under_a_sealed_compound_raises_an_alert_with_a_green_code(
    client, users, make_person, gate, areas
):
    isolated, sealed, free = make_person("B"), make_person("A"), make_person("D")  # one building per grid
    Isolation.all_objects.create(
        person=isolated,
        grid=isolated.grid,
        kind="close",
        protocol=ProtocolVersion.objects.first(),
        identified_at=timezone.now() - timedelta(hours=3),
    )
    Control.all_objects.create(
        level="sealed",
        community=areas["zhongfu"],
        building=sealed.household.building,
        starts_at=timezone.now() - timedelta(days=1),
    )
    Control.all_objects.create(  # lifted: no longer counts
        level="sealed",
        community=areas["zhongfu"],
        building=free.household.building,
        starts_at=timezone.now() - timedelta(days=3),
        lifted_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(users["cass"])
    results = post(client, [entry("i", gate, isolated), entry("s", gate, sealed), entry("f", gate, free)]).json()
    assert [r["reasons"] for r in results["results"]] == [["control"], ["control"], []]
    assert "isolation" in results["results"][0]["advice"][0]
    assert "sealed" in results["results"][1]["advice"][0]
    assert EntryAlert.all_objects.filter(under_control=True).count() == 2


def test_a_bad_entry_is_refused_with_its_reason_and_never_holds_back_the_others(client, users, make_person, gate):
    person = make_person("B")
    typo = person.id_number[:-1] + ("0" if person.id_number[-1] != "0" else "1")
    client.force_login(users["cass"])
    results = post(
        client,
        [
            entry("ok", gate, person),
            {**entry("typo", gate, person), "person": typo},
            {**entry("hot", gate, person), "temperature": "45"},
            {**entry("late", gate, person), "at": (timezone.now() + timedelta(hours=2)).isoformat()},
            {**entry("", gate, person)},
        ],
        language="zh-hans",
    ).json()["results"]
    assert [r["http_status"] for r in results] == [201, 422, 422, 422, 422]
    assert set(results[1]["errors"]) == {"person"} and "校验" in results[1]["errors"]["person"]
    assert set(results[2]["errors"]) == {"temperature"} and "34" in results[2]["errors"]["temperature"]
    assert set(results[3]["errors"]) == {"at"}
    assert set(results[4]["errors"]) == {"client_key"}
    assert VenueVisit.all_objects.count() == 1
    # A refused entry corrected and resent under the same key is stored.
    fixed = post(client, [entry("hot", gate, person, temperature="38.0")]).json()["results"][0]
    assert fixed["http_status"] == 201 and fixed["reasons"] == ["fever"]


def test_a_gate_of_another_community_is_refused_and_other_roles_may_not_log(client, users, make_person, gate, cato):
    person = make_person("B")
    client.force_login(cato)  # checkpoint staff of 新创村
    refused = post(client, [entry("x", gate, person)])
    assert refused.status_code == 422 and set(refused.json()["results"][0]["errors"]) == {"venue"}
    client.force_login(users["greg"])
    assert post(client, [entry("y", gate, person)]).status_code == 403
    assert not VenueVisit.all_objects.exists()


def test_the_grid_worker_sees_the_alert_on_the_home_page_and_acknowledges_it_once(client, users, make_person, gate):
    person = make_person("B")
    client.force_login(users["cass"])
    alert_id = post(client, [entry("f", gate, person, temperature="38.6")]).json()["results"][0]["alert_id"]
    client.force_login(users["gwen"])  # the neighbouring grid sees nothing
    assert client.get("/api/v1/tracing/entry-alerts").json() == []
    assert client.post(f"/tracing/gate/alerts/{alert_id}/ack/").status_code == 404
    client.force_login(users["greg"])
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "gate alerts not acknowledged" in home
    page = client.get("/tracing/gate/alerts/").content.decode()
    assert person.name in page and person.id_number not in page
    assert client.post(f"/tracing/gate/alerts/{alert_id}/ack/").status_code == 200
    assert EntryAlert.all_objects.get(pk=alert_id).acknowledged_by == users["greg"]
    again = client.post(f"/api/v1/tracing/entry-alerts/{alert_id}/ack", content_type="application/json")
    assert again.status_code == 409


def test_the_entry_log_counts_today_by_colour_and_fever_masked_and_scoped(
    client, users, make_person, gate, areas, cato, django_assert_max_num_queries
):
    persons = [make_person("B") for _ in range(4)]
    other_gate = Venue.objects.create(
        name="新创村卡口", kind=Venue.Kind.CHECKPOINT, area=areas["xinchuang"], code="g-x"
    )
    client.force_login(users["cass"])
    post(
        client,
        [
            entry("1", gate, persons[0]),
            entry("2", gate, persons[1], "yellow"),
            entry("3", gate, persons[2], temperature="38.1"),
            entry("4", gate, persons[3], at=timezone.now() - timedelta(days=2)),  # not today
        ],
    )
    with django_assert_max_num_queries(12):
        page = client.get("/tracing/gate/log/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    counts = page.context["counts"]
    assert (counts["total"], counts["green"], counts["yellow"], counts["fevers"], counts["alerts"]) == (3, 2, 1, 1, 2)
    assert persons[0].masked_id_number in text and persons[0].id_number not in text
    assert persons[3].name not in text
    assert client.get(f"/tracing/gate/log/?venue={other_gate.pk}").status_code == 404
    client.force_login(cato)
    assert client.get("/tracing/gate/log/").context["counts"]["total"] == 0


def test_the_checkpoint_home_leads_to_the_gate(client, users, gate):
    client.force_login(users["cass"])
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "明泰城北门" in home and "/tracing/gate/" in home
    page = client.get("/tracing/gate/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "明泰城北门" in page.content.decode()
    client.force_login(users["greg"])
    assert client.get("/tracing/gate/").status_code == 403


def test_the_gate_is_told_our_records_colour_when_it_says_more_than_the_code_shown(client, users, make_person, gate):
    """A released close contact shows a green code; our records say yellow until cleared: the gate is told."""
    contact, neighbour = make_person("B"), make_person("B")
    now = timezone.now()
    Isolation.all_objects.create(
        person=contact,
        grid=contact.grid,
        kind=Isolation.Kind.CLOSE,
        protocol=ProtocolVersion.objects.first(),
        stage=Isolation.Stage.RELEASED,
        identified_at=now - timedelta(days=10),
        released_at=now - timedelta(hours=2),
    )
    client.force_login(users["cass"])
    results = post(client, [entry("r1", gate, contact), entry("r2", gate, neighbour)]).json()["results"]
    assert [r["record_colour"] for r in results] == ["yellow", "green"]
    assert any("yellow-code testing point" in line for line in results[0]["advice"])
    assert results[1]["advice"] == []
