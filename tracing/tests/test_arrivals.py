"""Arrivals: a report matched to the register creates the tests its origin's risk level owes (or an isolation);
samples from screening and antigen tests fulfil them, 24 h apart; due and overdue with a frozen clock."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from screening.services import tube_register
from tracing.models import ArrivalReport, Isolation
from tracing.models import TestObligation as Obligation
from tracing.services import (
    antigen_test_record,
    arrival_report_create,
    arrival_report_resolve,
    key_group_obligations_for,
    obligations_fulfil,
    origin_risk,
)
from tracing.tests.conftest import DAY1

ARRIVED = DAY1 - timedelta(hours=2)  # 5 Sept 2022 06:30, the morning of round 1


def report(person_or_none, origin, *, grid, id_number=None, **extra):
    fields = {
        "grid": grid,
        "channel": ArrivalReport.Channel.WORKER,
        "name": person_or_none.name if person_or_none else "外来人",
        "id_number": id_number or person_or_none.id_number,
        "phone": "13800138000",
        "origin": origin,
        "arrived_at": ARRIVED,
        "transport": "train",
        "transport_number": "g6001",
        "address": "中福路1号",
    } | extra
    return arrival_report_create(**fields)


@pytest.fixture(autouse=True)
def _on_round_1():
    with time_machine.travel(ARRIVED + timedelta(minutes=5), tick=False):
        yield


def test_origin_risk_covers_divisions_above_and_below(divisions):
    day = ARRIVED.date()
    assert origin_risk(divisions["tianhe"], day) == "medium"
    assert origin_risk(divisions["jiangan"], day) == "high"  # inside high-risk Wuhan
    assert origin_risk(divisions["guangzhou"], day) == "medium"  # a city with a medium-risk district
    assert origin_risk(divisions["hubei"], day) == "high"
    assert origin_risk(divisions["tianhe"], day - timedelta(days=10)) == ""  # before it was declared


def test_a_low_risk_arrival_owes_two_tests_within_3_days_the_second_24_h_after_the_first(divisions, make_person, areas):
    person = make_person("A")
    r = report(person, divisions["yuexiu"], grid=areas["A"])
    assert (r.person, r.grid, r.risk_level, r.transport_number) == (person, areas["A"], "low", "G6001")
    first, second = Obligation.objects.filter(arrival=r).order_by("due_from")
    assert (first.reason, first.kind, first.due_from, first.due_by) == (
        "arrival",
        "nucleic",
        ARRIVED,
        ARRIVED + timedelta(days=3),
    )
    assert (second.follows, second.hours_after, second.due_by) == (first, 24, ARRIVED + timedelta(days=3))
    assert not Isolation.objects.filter(person=person).exists()


def test_a_medium_risk_arrival_is_monitored_at_home_and_owes_the_rules_tests(divisions, make_person, areas):
    r = report(make_person("A"), divisions["tianhe"], grid=areas["A"])
    assert r.home_monitoring_until == ARRIVED.date() + timedelta(days=7)  # 9th edition: 7 days
    assert Obligation.objects.filter(arrival=r).count() == 3


def test_a_high_risk_arrival_opens_an_arrival_isolation_instead_of_tests(divisions, make_person, areas):
    person = make_person("A")
    r = report(person, divisions["jiangan"], grid=areas["A"])
    assert Isolation.objects.get(person=person).kind == Isolation.Kind.ARRIVAL
    assert not Obligation.objects.filter(arrival=r).exists()


def test_no_risk_area_owes_nothing(divisions, make_person, areas):
    r = report(
        make_person("A"), divisions["hubei"].children.create(code="4202", name="黄石市", level=2), grid=areas["A"]
    )
    assert r.risk_level == "" and not Obligation.objects.filter(arrival=r).exists()


def test_an_unmatched_report_waits_then_resolving_it_creates_the_tests(divisions, make_person, areas):
    from registry.testing import synthetic_id_number

    stranger_id = synthetic_id_number(9_999)
    r = report(None, divisions["yuexiu"], grid=areas["B"], id_number=stranger_id)
    assert r.person is None and r.grid == areas["B"] and not Obligation.objects.exists()
    person = make_person("A", id_number=synthetic_id_number(9_998))
    arrival_report_resolve(r, person)
    r.refresh_from_db()
    assert (r.person, r.grid) == (person, areas["A"]) and r.resolved_at
    assert Obligation.objects.filter(arrival=r, person=person).count() == 2
    with pytest.raises(ValidationError):
        arrival_report_resolve(r, person)


def test_bad_numbers_are_refused_naming_the_field(divisions, areas):
    with pytest.raises(ValidationError) as refused:
        report(None, divisions["yuexiu"], grid=areas["A"], id_number="440704198001011234", phone="12345")
    assert set(refused.value.message_dict) == {"id_number", "phone"}
    with pytest.raises(ValidationError) as refused:
        report(
            None,
            divisions["yuexiu"],
            grid=areas["A"],
            id_number="11010519491231002X",
            arrived_at=ARRIVED + timedelta(days=5),
        )
    assert set(refused.value.message_dict) == {"arrived_at"}


def test_the_same_client_key_makes_one_report(divisions, make_person, areas):
    person = make_person("A")
    one = report(person, divisions["yuexiu"], grid=areas["A"], client_key="k1")
    two = report(person, divisions["yuexiu"], grid=areas["A"], client_key="k1")
    assert one.pk == two.pk and ArrivalReport.objects.count() == 1 and Obligation.objects.count() == 2


def test_samples_fulfil_the_tests_24_h_apart(divisions, make_person, areas, tube_item, users, campaign):
    person = make_person("A")
    r = report(person, divisions["yuexiu"], grid=areas["A"])
    first, second = Obligation.objects.filter(arrival=r).order_by("due_from")

    def sampled(at, round_number):
        item = tube_item([person], closed_at=at) | {"round": campaign.rounds.get(number=round_number).pk}
        with time_machine.travel(at + timedelta(minutes=1), tick=False):
            assert tube_register(item, user=users["mia"])[0] == 201

    sampled(DAY1 + timedelta(hours=1), 1)
    first.refresh_from_db(), second.refresh_from_db()
    assert first.fulfilled_at == DAY1 + timedelta(hours=1) and first.sample.person == person
    assert second.fulfilled_at is None and second.due_from == DAY1 + timedelta(hours=25)  # 24 h after the first
    sampled(DAY1 + timedelta(hours=4), 1)  # the same round again, 3 hours later: too soon for the second test
    second.refresh_from_db()
    assert second.fulfilled_at is None
    sampled(DAY1 + timedelta(days=1, hours=2), 2)
    second.refresh_from_db()
    assert second.fulfilled_at == DAY1 + timedelta(days=1, hours=2)


def test_a_sample_fulfils_any_reasons_test_and_an_antigen_test_only_antigen(divisions, make_person, areas, users):
    person = make_person("A")
    start = ARRIVED
    iso = Obligation.objects.create(
        person=person,
        grid=areas["A"],
        kind="nucleic",
        reason="isolation",
        due_from=start,
        due_by=start + timedelta(days=1),
    )
    antigen = Obligation.objects.create(
        person=person,
        grid=areas["A"],
        kind="antigen",
        reason="key_group",
        due_from=start,
        due_by=start + timedelta(days=1),
    )
    assert obligations_fulfil(person.pk, kind="nucleic", at=start + timedelta(hours=1)) == iso
    antigen_test_record(person, result="negative")
    antigen.refresh_from_db()
    assert antigen.fulfilled_at and antigen.antigen_test.result == "negative"
    assert obligations_fulfil(person.pk, kind="nucleic", at=start + timedelta(hours=2)) is None  # nothing open


def test_the_key_group_job_creates_each_days_tests_once(make_person, areas, users):
    from tracing.models import KeyGroup
    from tracing.services import key_group_member_add

    group = KeyGroup.objects.create(name="中福快递", kind="couriers", area=areas["zhongfu"], nucleic_every_days=3)
    a, b = make_person("A"), make_person("B")
    today = ARRIVED.date()
    key_group_member_add(group, a, joined_on=today)
    key_group_member_add(group, b, joined_on=today - timedelta(days=1))
    assert key_group_obligations_for(today) == 3  # a: antigen + nucleic (day 0); b: antigen (day 1)
    assert key_group_obligations_for(today) == 0  # run twice: nothing new
    assert Obligation.objects.filter(person=a).count() == 2
    assert Obligation.objects.filter(person=b, kind="antigen").count() == 1
    assert key_group_obligations_for(today + timedelta(days=2)) == 3  # b's third day: antigen + nucleic; a: antigen
