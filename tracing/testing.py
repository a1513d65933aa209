"""Tracing rows for a person, for the project-wide leak and write walkers (gridcare/tests/test_leaks.py,
test_writes.py). Each part offers its own `leak_<part>` and `write_cases_<part>`; the top-level functions join them."""

from datetime import timedelta

from django.utils import timezone

from core.context import system_actor
from tracing.models import EntryAlert, Venue

# --- venues ---

# The public scan page is named by the venue's code and shows the venue, nothing of a person.
SHARED_KWARGS_VENUES = {"venue_code"}


def leak_venues(person):
    """A venue in the person's community and the person's scan there."""
    from tracing.services import venue_create, venue_visit_scan

    community = person.grid.parent
    with system_actor():
        venue = venue_create(area=community, name="隔壁网格商店", kind=Venue.Kind.SHOP)
        venue_visit_scan(venue, person)
    return {
        "shared": SHARED_KWARGS_VENUES,
        "venue_id": venue.pk,
        "venue_code": venue.code,
        "tracing:area_id": community.pk,
    }


def write_cases_venues(values):
    from django.urls import reverse

    from gridcare.tests.writes import WriteCase
    from registry.models import Person

    grid_id = Person.all_objects.get(pk=values["person_id"]).grid_id
    return [
        WriteCase(
            "tracing:venue_new",
            reverse("tracing:venue_new"),
            "tracing.add_venue",
            data={"name": "新店", "kind": "shop", "area": grid_id},
        ),
        WriteCase(
            "tracing:venue_edit",
            reverse("tracing:venue_edit", args=[values["venue_id"]]),
            "tracing.change_venue",
            data={"name": "改名商店", "kind": "shop", "area": grid_id, "active": "on"},
        ),
    ]


PUBLIC_WRITE_ROUTES_VENUES = ["tracing:venue_scan"]


# --- gate ---


def leak_gate(person):
    """A gate in the person's grid and an entry of theirs there with a fever and a red code, so an entry alert
    exists. Returns {"venue_id", "visit_id", "alert_id", "entryalert_id"}."""
    from tracing.services import gate_entries_record

    venue = Venue.all_objects.create(
        name=f"测试卡口{person.pk}", kind=Venue.Kind.COMPOUND_GATE, area=person.grid, code=f"leakgate{person.pk}"
    )
    with system_actor():
        ((status, answer),) = gate_entries_record([_entry(f"leak-gate-{person.pk}", venue, person, "red", "38.5")])
    assert status == 201, answer
    alert = EntryAlert.all_objects.get(pk=answer["alert_id"])
    return {"venue_id": venue.pk, "visit_id": answer["visit_id"], "alert_id": alert.pk, "entryalert_id": alert.pk}


def write_cases_gate(values):
    from django.urls import reverse

    from gridcare.tests.writes import WriteCase
    from registry.models import Person

    person = Person.all_objects.get(pk=values["person_id"])
    venue = Venue.all_objects.get(pk=values["tracing:venue_id"])
    alert = values["tracing:alert_id"]
    return [
        WriteCase(
            "tracing:entry_alert_ack",
            reverse("tracing:entry_alert_ack", args=[alert]),
            "tracing.change_entryalert",
        ),
        # The gate is in grid B: a checkpoint of the next community may not log entries there (422, nothing stored).
        WriteCase(
            "POST /api/v1/tracing/entries",
            "/api/v1/tracing/entries",
            "tracing.add_venuevisit",
            data={"entries": [_entry("walk-gate-1", venue, person, "green", None)]},
            json=True,
        ),
        WriteCase(
            "POST /api/v1/tracing/entry-alerts/{alert_id}/ack",
            f"/api/v1/tracing/entry-alerts/{alert}/ack",
            "tracing.change_entryalert",
            json=True,
        ),
    ]


def _entry(key, venue, person, colour, temperature):
    return {
        "client_key": key,
        "venue": venue.pk,
        "person": person.id_number,
        "code_colour": colour,
        "direction": "in",
        "temperature": temperature,
        "at": timezone.now().isoformat(),
    }


def leak_gate_kwargs(person):
    # Keys prefixed "tracing:" so they fill only tracing's routes (another app's `alert_id` is its own).
    with system_actor():
        found = leak_gate(person)
    return {**{f"tracing:{k}": v for k, v in found.items()}, "entryalert_id": found["entryalert_id"]}


# --- arrivals ---


def _arrival_divisions():
    """广东省 › 广州市 › 越秀区, a low-risk area from 2022 (the full table comes from `gridcare load-divisions`)."""
    from datetime import date

    from tracing.models import Division, RiskArea

    gd, _ = Division.objects.get_or_create(code="44", defaults={"name": "广东省", "level": 1})
    gz, _ = Division.objects.get_or_create(code="4401", defaults={"name": "广州市", "level": 2, "parent": gd})
    yuexiu, created = Division.objects.get_or_create(
        code="440104", defaults={"name": "越秀区", "level": 3, "parent": gz}
    )
    if created:
        RiskArea.objects.create(division=yuexiu, level="low", starts_on=date(2022, 1, 1))
    return yuexiu


def leak_arrivals(person):
    """An arrival report of `person` (with its tests), an antigen test, a key group of their grid with them in it,
    and a special venue of their grid with an inspection; returns the URL kwargs naming them."""
    import secrets

    from django.utils import timezone

    from tracing.models import ArrivalReport, KeyGroup, Venue
    from tracing.services import (
        antigen_test_record,
        arrival_report_create,
        inspection_record,
        key_group_member_add,
    )

    report = arrival_report_create(
        grid=person.grid,
        channel=ArrivalReport.Channel.WORKER,
        name=person.name,
        id_number=person.id_number,
        phone=person.phone or "13800138000",
        origin=_arrival_divisions(),
        arrived_at=timezone.now(),
        transport="train",
        transport_number="G6001",
        address="中福路1号",
    )
    antigen_test_record(person, result="negative")
    group = KeyGroup.objects.create(name="快递小哥", kind=KeyGroup.Kind.COURIERS, area=person.grid)
    key_group_member_add(group, person)
    venue = Venue.objects.create(
        name="颐康养老院",
        kind=Venue.Kind.SPECIAL,
        special_kind="care_home",
        area=person.grid,
        code=secrets.token_urlsafe(16),
    )
    inspection_record(venue, inspected_on=timezone.localdate(), findings="消毒记录不全")
    return {"report_id": report.pk, "receipt": report.receipt, "group_id": group.pk, "venue_id": venue.pk}


def write_cases_arrivals(values):
    """One case per write page of arrivals; targets in grid B (the walked person's)."""
    from django.urls import reverse
    from django.utils import timezone

    from gridcare.tests.writes import WriteCase
    from registry.models import Person
    from registry.services import person_create
    from registry.testing import synthetic_id_number
    from tracing.models import ArrivalReport, KeyGroup, Venue

    person = Person.all_objects.get(pk=values["person_id"])
    unmatched = ArrivalReport.all_objects.create(
        grid=person.grid,
        channel=ArrivalReport.Channel.PUBLIC,
        name="外来人",
        id_number=synthetic_id_number(91_000),
        phone="13900000000",
        origin=_arrival_divisions(),
        arrived_at=timezone.now(),
        transport="car",
        address="中福路2号",
        receipt=f"AR-WALK-{person.pk}",
    )
    newcomer = person_create(
        grid=person.grid, household=person.household, name="新成员", id_number=synthetic_id_number(91_001)
    )
    group = KeyGroup.all_objects.get(pk=values["group_id"])
    venue = Venue.all_objects.get(pk=values["venue_id"])
    arrival = {
        "name": person.name,
        "id_number": person.id_number,
        "phone": "13800138000",
        "province": "44",
        "city": "4401",
        "district": "440104",
        "arrived_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "transport": "train",
        "address": "中福路1号",
        "grid": person.grid_id,
    }
    return [
        WriteCase("tracing:arrival_new", reverse("tracing:arrival_new"), "tracing.add_arrivalreport", data=arrival),
        WriteCase(
            "tracing:arrival_resolve",
            reverse("tracing:arrival_resolve", args=[unmatched.pk]),
            "tracing.change_arrivalreport",
            data={"person_id": person.pk},
        ),
        WriteCase(
            "tracing:antigen_record",
            reverse("tracing:antigen_record", args=[person.pk]),
            "tracing.add_antigentest",
            data={"result": "negative"},
        ),
        WriteCase(
            "tracing:key_group_member_add",
            reverse("tracing:key_group_member_add", args=[group.pk]),
            "tracing.add_keygroupmember",
            data={"id_number": newcomer.id_number},
        ),
        WriteCase(
            "tracing:inspection_new",
            reverse("tracing:inspection_new", args=[venue.pk]),
            "tracing.add_inspection",
            data={"inspected_on": timezone.localdate().isoformat(), "findings": "已整改"},
        ),
    ]


PUBLIC_WRITE_ROUTES_ARRIVALS = ["tracing:arrival_public"]


# --- cases ---


def leak_cases(person):
    """Cases rows naming `person` (in grid B): a to-trace row of theirs from a positive single tube (not a case
    yet), and the case of a household member with `person` proposed as its household contact; a second member is
    registered but not yet proposed, so re-running the proposals (or adding by hand) has someone to add."""
    from registry.services import person_create
    from registry.testing import synthetic_id_number
    from screening.models import Campaign, TraceEntry
    from screening.services import campaign_create, results_record, site_create, tube_register
    from tracing.models import Case, Contact

    with system_actor():
        start = timezone.now() - timedelta(hours=1)
        campaign = campaign_create(
            name=f"cases leak test {person.pk}",
            kind=Campaign.Kind.NUCLEIC_ACID,
            scope_codes=[person.grid.code[:6]],
            rounds=[(start, start + timedelta(hours=12))],
        )
        site = site_create(campaign, name="cases leak test site", area=person.grid)
        code = f"CASE{person.pk:08d}"
        status, answer = tube_register(
            {
                "client_key": f"cases-leak-{person.pk}",
                "round": campaign.rounds.get().pk,
                "site": site.pk,
                "tube_code": code,
                "pool_size": 1,
                "closed_at": timezone.now().isoformat(),
                "persons": [{"person_id": person.pk}],
            }
        )
        assert status == 201, answer
        results_record(
            [{"tube_code": code, "result": "positive", "resulted_at": timezone.now().isoformat(), "lab": ""}]
        )
        members = [
            person_create(
                grid=person.grid,
                household=person.household,
                name=name,
                id_number=synthetic_id_number(900000 + 2 * person.pk + n),
            )
            for n, name in enumerate(["流调同户甲", "流调同户乙"])
        ]
        case = Case.all_objects.create(person=members[0], grid=person.grid, sampled_on=timezone.localdate())
        contact = Contact.all_objects.create(
            case=case, person=person, grid=person.grid, relation=Contact.Relation.HOUSEHOLD
        )
    return {
        "trace_id": TraceEntry.all_objects.get(tube__code=code, person=person).pk,
        "case_id": case.pk,
        "contact_id": contact.pk,
        "tracing:unproposed_id_number": members[1].id_number,
    }


def write_cases_cases(values):
    from django.urls import reverse

    from gridcare.tests.writes import WriteCase

    def page(name, *args):
        return reverse(f"tracing:{name}", args=args)

    today = timezone.localdate().isoformat()
    case_id, contact_id = values["case_id"], values["contact_id"]
    return [
        WriteCase(
            "tracing:case_open", page("case_open", values["trace_id"]), "tracing.add_case", data={"asymptomatic": "1"}
        ),
        WriteCase(
            "tracing:case_add",
            page("case_add"),
            "tracing.add_case",
            data={"person": values["person_id"], "sampled_on": today, "asymptomatic": "1"},
        ),
        WriteCase("tracing:case_propose", page("case_propose", case_id), "tracing.add_contact"),
        WriteCase(
            "tracing:contact_add",
            page("contact_add", case_id),
            "tracing.add_contact",
            data={"id_number": values["tracing:unproposed_id_number"], "relation": "meal", "note": "同桌吃饭"},
        ),
        WriteCase("tracing:contact_confirm", page("contact_confirm", contact_id), "tracing.change_contact"),
        WriteCase(
            "tracing:contact_dismiss",
            page("contact_dismiss", contact_id),
            "tracing.change_contact",
            data={"reason": "x"},
        ),
    ]


# --- isolation ---


def leak_isolation(person):
    """Puts `person` in isolation (identified by the system, so handed over to their community; tests due);
    returns the URL kwargs of the isolation pages."""
    from tracing.models import HandOver, Isolation
    from tracing.services import isolation_isolate, isolation_notify, isolation_open, isolation_transfer

    with system_actor():
        isolation = isolation_open(person, kind=Isolation.Kind.CLOSE)
        isolation_notify(isolation)
        isolation_transfer(isolation, place=Isolation.Place.HOME)
        isolation_isolate(isolation)
    return {"isolation_id": isolation.pk, "handover_id": HandOver.all_objects.get(isolation=isolation).pk}


def write_cases_isolation(values):
    """A step of a newly identified person of grid B (notify), and the acceptance of the walked person's
    hand-over."""
    from django.urls import reverse

    from gridcare.tests.writes import WriteCase
    from registry.models import Person
    from registry.services import person_create
    from registry.testing import synthetic_id_number
    from tracing.models import Isolation
    from tracing.services import isolation_open

    household = Person.all_objects.get(pk=values["person_id"]).household
    with system_actor():
        fresh = person_create(
            grid=household.grid,
            household=household,
            name="待通知",
            id_number=synthetic_id_number(81_000 + household.pk),
        )
        identified = isolation_open(fresh, kind=Isolation.Kind.CLOSE)
    return [
        WriteCase(
            "tracing:isolation_step",
            reverse("tracing:isolation_step", args=[identified.pk]),
            "tracing.change_isolation",
            data={"step": "notify"},
        ),
        WriteCase(
            "tracing:handover_accept",
            reverse("tracing:handover_accept", args=[values["handover_id"]]),
            "tracing.change_handover",
        ),
    ]


# --- control ---


def leak_control(person):
    """Puts the person's building under control and records a doorstep need; returns the control's id. The
    public notice names no person, so its id is shared. Controlled, not sealed: screening's walked tubes are
    5-in-1, which a sealed building's resident may not join (the pooling hook would refuse them)."""
    from datetime import timedelta

    from django.utils import timezone

    from core.context import system_actor
    from tracing.models import Control
    from tracing.services import control_need_record

    with system_actor():
        control = Control.all_objects.create(
            level=Control.Level.CONTROLLED,
            community=person.grid.parent,
            building=person.household.building,
            starts_at=timezone.now() - timedelta(days=1),
        )
        control_need_record(person, kind="supplies", description="米")
    return {"control_id": control.pk, "notice_id": control.pk, "shared": {"notice_id"}}


def write_cases_control(values):
    """Control's write routes; the targets are grid B's: a compound of B's community to seal, the control
    leak_control made to lift, and the walked person for a doorstep need."""
    from django.urls import reverse

    from gridcare.tests.writes import WriteCase
    from registry.models import Compound, Person

    person = Person.all_objects.select_related("grid").get(pk=values["person_id"])
    compound = Compound.all_objects.create(name="海逸华庭", community=person.grid.parent)
    return [
        WriteCase(
            "tracing:control_new",
            reverse("tracing:control_new"),
            "tracing.add_control",
            data={"level": "controlled", "compound": compound.pk, "reason": "病例"},
        ),
        WriteCase(
            "tracing:control_lift",
            reverse("tracing:control_lift", args=[values["control_id"]]),
            "tracing.change_control",
            data={"reason": "连续7天无新增"},
        ),
        WriteCase(
            "tracing:control_need",
            reverse("tracing:control_need", args=[person.pk]),
            "care.add_helprequest",
            data={"kind": "medical", "description": "降压药"},
        ),
    ]


# --- joined: every part's rows and cases ---

LEAK_PARTS = [leak_venues, leak_gate_kwargs, leak_arrivals, leak_cases, leak_isolation, leak_control]
WRITE_CASE_PARTS = [
    write_cases_venues,
    write_cases_gate,
    write_cases_arrivals,
    write_cases_cases,
    write_cases_isolation,
    write_cases_control,
]


def leak_objects(person):
    kwargs = {"shared": set()}
    for part in LEAK_PARTS:
        found = part(person)
        kwargs["shared"] |= found.pop("shared", set())
        kwargs.update(found)
    return kwargs


def write_cases(values):
    return [case for part in WRITE_CASE_PARTS for case in part(values)]


PUBLIC_WRITE_ROUTES = [*PUBLIC_WRITE_ROUTES_VENUES, *PUBLIC_WRITE_ROUTES_ARRIVALS]
