"""A person's own data (PIPL): the subject-access export holds every app's section, masked unless revealed with a
reason, always audited; erasure is refused while the response needs the data, and otherwise leaves no name or ID
number of the person anywhere in the database."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from core.models import AuditEvent
from notices.models import Delivery, Notice
from registry.models import Person
from screening.services import tubes_register
from screening.tests.conftest import campaign, round1, site, tube_item  # noqa: F401 (fixtures)
from tracing.models import ArrivalReport, Division, Venue, VenueVisit
from tracing.services import case_create, isolation_open, venue_create

NAME, PHONE = "隐私甲乙", "13712345678"


@pytest.fixture
def resident(make_person, areas, tube_item, round1):  # noqa: F811
    """A person with a trail in every app: a sample (resulted), a venue visit, an arrival, a message."""
    from screening.models import Sample, Tube

    person = make_person("A", name=NAME, phone=PHONE)
    tubes_register([tube_item([person])])
    Tube.objects.update(result=Tube.Result.NEGATIVE)
    Sample.all_objects.update(result=Tube.Result.NEGATIVE)
    venue = venue_create(area=areas["zhongfu"], name="中福超市", kind=Venue.Kind.SHOP)
    VenueVisit.all_objects.create(venue=venue, person=person, grid=person.grid, visited_at=timezone.now())
    ArrivalReport.all_objects.create(
        person=person, grid=person.grid, channel="worker", name=NAME, id_number=person.id_number, phone=PHONE,
        origin=Division.objects.create(code="44", name="广东省", level=1), arrived_at=timezone.now() - timedelta(days=9),
        transport="car", address="中福路1号", receipt="R1",
    )  # fmt: skip
    notice = Notice.all_objects.create(
        area=areas["A"], title="核酸通知", body="请参加", audience="area", phone_after_hours=2, knock_after_hours=6
    )
    Delivery.all_objects.create(notice=notice, person=person, grid=person.grid, channel="sms", body=f"{NAME}您好")
    return person


def logged_in(client, username):
    client.login(username=username, password=PASSWORD)
    return client


def export(client, person, **data):
    return client.post(reverse("registry:person_data_export", args=[person.pk]), data)


def test_the_export_holds_each_apps_section_masked_and_is_audited(client, users, resident):
    response = export(logged_in(client, "stella"), resident)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    document = json.loads(text)
    sections = {section["key"]: len(section["rows"]) for section in document["sections"]}
    for key in ("registry.person", "registry.household", "screening.sample", "tracing.venuevisit"):
        assert sections[key] == 1, key
    assert sections["tracing.arrivalreport"] == 1 and sections["notices.delivery"] == 1
    assert resident.id_number not in text and PHONE not in text and resident.masked_id_number in text
    assert NAME in text
    audit = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, target_id=str(resident.pk))
    assert audit.detail["unmasked"] is False and audit.detail["sections"]["screening.sample"] == 1
    assert resident.id_number not in json.dumps(audit.detail) + audit.summary


def test_full_numbers_need_the_reveal_permission_and_a_reason(client, users, resident):
    dana = logged_in(client, "dana")
    assert export(dana, resident, reveal_reason="x").status_code == 400  # too short: the form again, with why
    text = export(dana, resident, reveal_reason="本人申请查阅").content.decode()
    assert resident.id_number in text and PHONE in text
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, detail__unmasked=True).detail["reason"]


def test_the_export_is_refused_without_the_permission_and_outside_the_area(client, users, resident, make_person):
    assert export(logged_in(client, "cora"), resident).status_code == 403  # community staff: not theirs
    assert export(logged_in(client, "gwen"), resident).status_code == 403
    other = make_person("D")  # Waihai: outside Lile's street staff
    assert export(logged_in(client, "stella"), other).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def erase(client, person, reason="本人书面申请 2026-12-01", confirm="yes"):
    return client.post(reverse("registry:person_erase", args=[person.pk]), {"reason": reason, "confirm": confirm})


def test_erasure_is_refused_for_a_case_naming_why_in_the_users_language(client, users, resident):
    case_create(resident, sampled_on=timezone.localdate())
    dana = logged_in(client, "dana")
    page = dana.get(reverse("registry:person_erase", args=[resident.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "病例" in page.content.decode()
    assert 'name="confirm"' not in page.content.decode(), "no erase button while the erasure is refused"
    response = erase(dana, resident)
    assert response.status_code == 400 and "病例" in response.content.decode()
    en = dana.post(
        reverse("registry:person_erase", args=[resident.pk]),
        {"reason": "own request", "confirm": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "recorded case" in en.content.decode()
    assert Person.all_objects.get(pk=resident.pk).name == NAME


def test_erasure_is_refused_during_isolation_and_with_a_pending_sample(client, users, resident, tube_item):  # noqa: F811
    from tracing.models import Isolation

    isolation_open(resident, kind=Isolation.Kind.CLOSE)
    response = erase(logged_in(client, "dana"), resident)
    assert response.status_code == 400 and "隔离" in response.content.decode()
    Isolation.all_objects.update(stage=Isolation.Stage.RELEASED, released_at=timezone.now())
    tubes_register([tube_item([resident])])  # a second tube, its result pending
    assert "结果" in erase(client, resident).content.decode()


def test_erasure_needs_confirmation_and_the_district_admin(client, users, resident):
    assert erase(logged_in(client, "dana"), resident, confirm="").status_code == 400
    assert erase(logged_in(client, "stella"), resident).status_code == 403
    assert Person.all_objects.get(pk=resident.pk).name == NAME


def text_columns():
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
        if fields:
            yield model, fields


def holding(value, *, skip=()):
    """Every (model, field) whose value contains `value`, searched over every text column of every table."""
    found = []
    for model, fields in text_columns():
        if model._meta.label in skip:
            continue
        manager = getattr(model, "all_objects", model._base_manager)
        for name in fields:
            if manager.filter(**{f"{name}__contains": value}).exists():
                found.append(f"{model._meta.label}.{name}")
    return found


def test_erasure_anonymises_the_person_deletes_their_trail_and_keeps_the_counts(client, users, resident):
    from screening.models import Sample

    id_number = resident.id_number
    samples = Sample.all_objects.filter(person=resident).count()
    response = erase(logged_in(client, "dana"), resident)
    assert response.status_code == 302
    person = Person.all_objects.get(pk=resident.pk)
    assert person.residence_status == Person.ResidenceStatus.ERASED and person.household_id is None
    assert person.birth_date is None and person.phone == ""
    assert not VenueVisit.all_objects.filter(person=person).exists()
    assert ArrivalReport.all_objects.filter(person=None, name="").count() == 1  # the count stays
    assert Sample.all_objects.filter(person=person).count() == samples  # coverage's rows stay, anonymous
    assert holding(id_number) == [] and holding(id_number[-8:]) == [] and holding(PHONE) == []
    # the audit log is append-only: the rows written before (a creation names the person) stay, as the law keeps
    # logs; nothing else holds the name
    assert holding(NAME, skip={"core.AuditEvent"}) == []
    audit = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, target_id=str(person.pk)).get()
    assert NAME not in audit.summary + json.dumps(audit.detail, ensure_ascii=False) and audit.detail["reason"]
    assert audit.detail["trail"]["tracing.VenueVisit"] == 1


def test_an_erased_person_drops_out_of_new_campaigns_and_notices(resident):
    from registry.services import person_erase
    from screening.services import campaign_create

    person_erase(resident, reason="本人申请")
    new = campaign_create(
        name="新一轮",
        scope_codes=["440704"],
        rounds=[(timezone.now() + timedelta(days=1), timezone.now() + timedelta(days=1, hours=8))],
    )
    from screening.selectors import expected_persons

    assert resident.pk not in set(expected_persons(new.rounds.get(), resident.grid).values_list("pk", flat=True))
    from notices.models import Notice
    from notices.selectors import audience_persons

    assert resident.pk not in {p.pk for p in audience_persons(resident.grid, Notice.Audience.AREA, {})}
    from registry.selectors import grid_unhoused

    assert resident.pk not in {p.pk for p in grid_unhoused(resident.grid)}
