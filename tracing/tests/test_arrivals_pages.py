"""Arrivals' pages: the public self-report (field errors in the reader's language, never a 500, the same answer
whether or not the person is registered, one report per one-time key, rate-limited), the grid worker's form and
the tests-due list with a frozen clock; another area's rows are not found."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from registry.testing import synthetic_id_number
from tracing.models import ArrivalReport, TestObligation, TracingSettings

NOW = datetime(2022, 9, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PUBLIC = reverse("tracing:arrival_public")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def form(areas, divisions, **extra):
    return {
        "phone": "13912345678",
        "name": "返乡人",
        "id_number": synthetic_id_number(7_001),
        "province": "44",
        "city": "4401",
        "district": "440104",
        "arrived_at": "2022-09-05T08:00",
        "transport": "train",
        "transport_number": "G6001",
        "community": areas["zhongfu"].pk,
        "address": "中福路8号",
        "client_key": "one-time-key-1",
    } | extra


def test_a_self_report_gets_a_receipt_and_creates_the_tests_of_a_registered_person(
    client, areas, divisions, make_person
):
    person = make_person("A", id_number=synthetic_id_number(7_001))
    response = client.post(PUBLIC, form(areas, divisions))
    report = ArrivalReport.objects.get()
    assert response.status_code == 302 and response.url == reverse("tracing:arrival_receipt", args=[report.receipt])
    page = client.get(response.url).content.decode()
    assert report.receipt in page and person.name not in page and person.id_number not in page
    assert (report.person, report.grid, report.channel) == (person, areas["A"], "public")
    assert TestObligation.objects.filter(person=person, reason="arrival").count() == 2
    assert Client().get(response.url).status_code == 404  # another browser is not shown the receipt page


def test_an_unregistered_person_gets_the_same_answer_and_waits_unmatched(client, areas, divisions, make_person):
    make_person("A", id_number=synthetic_id_number(7_001))
    registered = client.post(PUBLIC, form(areas, divisions))
    stranger = Client().post(PUBLIC, form(areas, divisions, id_number=synthetic_id_number(7_002), client_key="k2"))
    assert registered.status_code == stranger.status_code == 302
    other = ArrivalReport.objects.get(client_key="k2")
    assert other.person is None and other.grid.parent == areas["zhongfu"]  # the community's unplaced grid
    assert not TestObligation.objects.filter(arrival=other).exists()


def test_a_resent_form_makes_one_report(client, areas, divisions):
    first = client.post(PUBLIC, form(areas, divisions))
    second = client.post(PUBLIC, form(areas, divisions))
    assert first.url == second.url and ArrivalReport.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "id_error", "phone_error"),
    [
        ("zh-hans", "身份证号码校验位错误", "不是有效的大陆电话号码"),
        ("en", "ID number check digit is wrong", "not a valid mainland number"),
    ],
)
def test_bad_input_names_the_field_in_the_readers_language(client, areas, divisions, language, id_error, phone_error):
    bad_id = synthetic_id_number(7_001)[:-1] + ("0" if synthetic_id_number(7_001)[-1] != "0" else "1")
    response = client.post(
        PUBLIC,
        form(areas, divisions, id_number=bad_id, phone="12", arrived_at="yesterday"),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200 and not ArrivalReport.objects.exists()
    errors = response.context["form"].errors
    assert "arrived_at" in errors
    page = response.content.decode()
    assert id_error in page and phone_error in page


@pytest.mark.parametrize(
    "broken",
    [
        {"province": "99"},
        {"district": "110101"},  # not in the chosen city
        {"community": "999999"},
        {"transport": "rocket"},
        {"name": ""},
        {"arrived_at": "2022-10-30T08:00"},  # far ahead
        {"phone": "１３９１２３４５６７８" * 3},
    ],
)
def test_hostile_input_is_a_form_error_never_a_500(client, areas, divisions, broken):
    response = client.post(PUBLIC, form(areas, divisions, **broken))
    assert response.status_code == 200 and not ArrivalReport.objects.exists()
    assert response.context["form"].errors


def test_self_reports_are_limited_per_address(client, areas, divisions):
    settings = TracingSettings.current()
    settings.arrival_reports_per_hour = 2
    settings.save()
    statuses = [
        client.post(
            PUBLIC, form(areas, divisions, client_key=f"k{n}", id_number=synthetic_id_number(7_100 + n))
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429] and ArrivalReport.objects.count() == 2


def test_the_origin_pickers_list_the_divisions_under_the_choice(client, divisions):
    cities = client.get(reverse("tracing:division_options"), {"province": "44"}).content.decode()
    assert "广州市" in cities and "武汉市" not in cities
    districts = client.get(reverse("tracing:division_options"), {"city": "4401"}).content.decode()
    assert "天河区" in districts and "越秀区" in districts


def test_the_grid_worker_records_an_arrival_and_sees_who_is_due_and_overdue(
    client, users, areas, divisions, make_person
):
    person = make_person("B", id_number=synthetic_id_number(7_001))
    client.force_login(users["greg"])
    response = client.post(
        reverse("tracing:arrival_new"), form(areas, divisions, grid=areas["B"].pk, arrived_at="2022-09-01T08:00")
    )
    report = ArrivalReport.objects.get()
    assert response.status_code == 302 and report.person == person and report.created_by == users["greg"]
    # Arrived 1 Sept from a low-risk area: 2 tests by 4 Sept 08:00. On 5 Sept both are overdue, none due.
    page = client.get(reverse("tracing:tests_due"))
    assert page.context["counts"] == {"due": 0, "overdue": 2}
    assert person.name in page.content.decode() and person.phone not in page.content.decode()
    # On 3 Sept only the first was due: the second waits for it.
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        assert client.get(reverse("tracing:tests_due")).context["counts"] == {"due": 1, "overdue": 0}
    # The neighbouring grid's worker sees none of it.
    client.force_login(users["gwen"])
    assert client.get(reverse("tracing:tests_due")).context["counts"] == {"due": 0, "overdue": 0}
    assert client.get(reverse("tracing:arrival_detail", args=[report.pk])).status_code == 404


def test_community_staff_see_counts_per_grid_and_match_an_unmatched_report(
    client, users, areas, divisions, make_person
):
    Client().post(PUBLIC, form(areas, divisions))  # nobody registered with this number yet
    report = ArrivalReport.objects.get()
    person = make_person("B", name="返乡人")
    client.force_login(users["cora"])
    detail = client.get(reverse("tracing:arrival_detail", args=[report.pk]))
    assert person in detail.context["candidates"]
    client.post(reverse("tracing:arrival_resolve", args=[report.pk]), {"person_id": person.pk})
    report.refresh_from_db()
    assert report.person == person and report.grid == areas["B"]
    rows = client.get(reverse("tracing:tests_due")).context["by_grid"]
    assert [(row["grid"], row["due"]) for row in rows] == [(areas["B"], 1)]


def test_the_person_page_shows_the_arrival_and_the_tests_owed(client, users, areas, divisions, make_person):
    person = make_person("B", id_number=synthetic_id_number(7_001))
    Client().post(PUBLIC, form(areas, divisions))
    client.force_login(users["greg"])
    page = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    assert "广东省广州市越秀区" in page and "居家监测" not in page and page.count("截止") == 2


def test_the_grid_workers_home_counts_tests_due_and_overdue(client, users, areas, divisions, make_person):
    make_person("B", id_number=synthetic_id_number(7_001))
    Client().post(PUBLIC, form(areas, divisions))
    client.force_login(users["greg"])
    assert client.get(reverse("home")).context["tests"] == {"due": 1, "overdue": 0}


def test_divisions_are_loaded_from_the_package_once(db):
    from tracing.models import Division
    from tracing.services import divisions_load

    added, total = divisions_load()
    assert added == total > 3000
    assert Division.objects.get(code="440704").full_name == "广东省江门市江海区"
    assert Division.objects.get(code="110105").parent.code == "11"  # a municipality's districts hang on it
    assert divisions_load() == (0, total)
