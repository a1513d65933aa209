"""Temporary control: who may put what under control, what it covers, the desk's pooling under it, the daily
lift-by-rule job, and the pages (staff's, the person's banner, the public notice)."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.services import token_issue
from care.models import HelpRequest
from core.context import Actor, Scope, acting_as
from core.models import AuditEvent
from registry.models import Building, Compound, Household, Person
from screening.models import Sample
from screening.tests.conftest import DAY1, campaign, round1, site, tube_item  # noqa: F401
from tracing.models import Case, Control, ControlNeed, TracingSettings
from tracing.selectors import control_for_household, control_for_person
from tracing.services import control_create, control_lift, controls_lift_by_rule

SHANGHAI = ZoneInfo("Asia/Shanghai")


def as_user(user):
    return acting_as(Actor(user=user, scope=Scope.of_area(user.area)))


@pytest.fixture
def compound(areas, make_person):
    """明泰城 in grid B with one building; returns (compound, [persons of two households])."""
    first = make_person("B", name="明泰甲")
    building = first.household.building
    compound = Compound.all_objects.create(name="明泰城", community=areas["zhongfu"])
    Building.all_objects.filter(pk=building.pk).update(compound=compound)
    second = make_person("B", name="明泰乙")
    household_mate = make_person("B", name="明泰甲家属")
    household_mate.household = first.household
    household_mate.save(update_fields=["household"])
    persons = Person.all_objects.select_related("household__building", "grid").in_bulk(
        [first.pk, household_mate.pk, second.pk]
    )
    return compound, [persons[first.pk], persons[household_mate.pk], persons[second.pk]]


def seal(user, **target):
    with as_user(user):
        return control_create(level=Control.Level.SEALED, starts_at=DAY1 - timedelta(days=1), **target)


# --- who may put what under control ---


def test_community_staff_seal_their_compound_audited(users, compound):
    control = seal(users["cora"], compound=compound[0], reason="确诊病例住址")
    assert control.community.code == "440704001001" and control.created_by == users["cora"]
    assert AuditEvent.objects.filter(target_type="tracing.control", target_id=str(control.pk), action="create").exists()


def test_the_rules_name_the_field(users, compound, areas):
    building = compound[1][0].household.building
    with as_user(users["cora"]), pytest.raises(ValidationError) as two:
        control_create(level="sealed", compound=compound[0], building=building)
    assert "target" in two.value.message_dict
    with as_user(users["cora"]), pytest.raises(ValidationError) as ends:
        control_create(level="sealed", compound=compound[0], starts_at=DAY1, ends_at=DAY1 - timedelta(hours=1))
    assert "ends_at" in ends.value.message_dict
    seal(users["cora"], compound=compound[0])
    with as_user(users["stella"]), pytest.raises(ValidationError) as again:
        control_create(level="controlled", compound=compound[0])
    assert "compound" in again.value.message_dict
    assert Control.all_objects.count() == 1


def test_outside_the_actors_area_is_not_found_and_grid_workers_may_not(users, compound, areas):
    with as_user(users["cleo"] if "cleo" in users else _cleo(areas)), pytest.raises(Http404):
        control_create(level="sealed", compound=compound[0])
    with as_user(users["cora"]), pytest.raises(Http404):
        control_create(level="controlled", area=areas["lile"])  # the street is wider than a community's staff
    with as_user(users["greg"]), pytest.raises(PermissionDenied):
        control_create(level="sealed", compound=compound[0])
    with as_user(users["stella"]):
        control_create(level="controlled", area=areas["zhongfu"])
    assert Control.all_objects.count() == 1


def _cleo(areas):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("cleo", role="community_staff", area=areas["xinchuang"])


# --- what a control covers ---


def test_the_most_restrictive_control_covering_a_household_wins(users, compound, areas, make_person):
    first = compound[1][0]
    with as_user(users["stella"]):
        wide = control_create(level="controlled", area=areas["zhongfu"], starts_at=DAY1)
    assert control_for_household(first.household) == wide
    sealed = seal(users["cora"], compound=compound[0])
    assert control_for_household(first.household) == sealed
    assert control_for_person(make_person("A")) == wide  # grid A: the community's control only
    assert control_for_person(make_person("D")) is None
    with as_user(users["cora"]):
        control_lift(sealed, reason="连续7天无新增")
    assert control_for_household(Household.all_objects.get(pk=first.household_id)) == wide
    assert control_for_household(first.household, at=DAY1 + timedelta(hours=1)) == sealed  # as it was then


def test_lifting_needs_a_reason_and_a_retry_changes_nothing(users, compound):
    control = seal(users["cora"], compound=compound[0])
    with as_user(users["cora"]), pytest.raises(ValidationError):
        control_lift(control, reason=" ")
    with as_user(users["cora"]):
        control_lift(control, reason="解除")
        first = Control.all_objects.get(pk=control.pk).lifted_at
        control_lift(control, reason="解除")
    assert Control.all_objects.get(pk=control.pk).lifted_at == first
    assert AuditEvent.objects.filter(target_type="tracing.control", action="update").count() == 1


# --- pooling at the desk ---


def _post(client, body, user):
    _token, raw = token_issue(user, "test")
    return client.post(
        "/api/v1/screening/tubes", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def test_a_sealed_residents_tube_single_then_10_in_1_after_lifting(client, users, compound, make_person, tube_item):  # noqa: F811
    resident, neighbour = compound[1][0], make_person("B")
    control = seal(users["cora"], compound=compound[0])
    refused = _post(client, tube_item([neighbour, resident], pool_size=10), users["mia"])
    assert refused.status_code == 422
    assert refused.json()["errors"]["persons[1]"] == "明泰城 已封控：仅可单采"
    assert _post(client, tube_item([resident], pool_size=1), users["mia"]).status_code == 201
    with as_user(users["cora"]):
        control_lift(control, reason="解除")
    assert _post(client, tube_item([neighbour, resident], pool_size=10), users["mia"]).status_code == 201
    assert Sample.objects.filter(person=resident).count() == 2


def test_one_tube_per_household_when_the_district_says_so(client, users, compound, tube_item):  # noqa: F811
    TracingSettings.objects.update_or_create(pk=1, defaults={"sealed_pooling": "household"})
    first, mate, other = compound[1]
    seal(users["cora"], compound=compound[0])
    assert _post(client, tube_item([first, mate], pool_size=10), users["mia"]).status_code == 201
    mixed = _post(client, tube_item([other, first], pool_size=10), users["mia"])
    assert mixed.status_code == 422 and "一户一管" in mixed.json()["errors"]["persons[0]"]


def test_the_desk_refuses_at_the_scan(client, users, compound, round1):  # noqa: F811
    resident = compound[1][0]
    seal(users["cora"], compound=compound[0])
    client.force_login(users["mia"])
    answer = client.post(
        "/screening/desk/lookup/", {"q": resident.id_number, "round": round1.pk, "pool_size": 10}
    ).json()
    assert answer["refused"] == "明泰城 已封控：仅可单采"


# --- lifted by rule ---


def test_sealed_steps_down_then_lifts_after_quiet_days(users, compound, areas):
    start = datetime(2022, 9, 5, 9, tzinfo=SHANGHAI)
    with as_user(users["cora"]):
        sealed = control_create(level="sealed", compound=compound[0], starts_at=start)
    with time_machine.travel(start + timedelta(days=3), tick=False):
        Case.all_objects.create(person=compound[1][2], grid=areas["B"], sampled_on=start.date())
    assert controls_lift_by_rule(start + timedelta(days=9)) == (0, 0)  # 6 days after the last case
    assert controls_lift_by_rule(start + timedelta(days=10, hours=1)) == (1, 0)
    successor = control_for_household(compound[1][0].household)
    assert successor.level == "controlled" and Control.all_objects.get(pk=sealed.pk).lifted_at is not None
    assert controls_lift_by_rule(start + timedelta(days=16)) == (0, 0)
    assert controls_lift_by_rule(start + timedelta(days=17, hours=2)) == (0, 1)
    assert control_for_household(compound[1][0].household) is None


def test_the_job_runs_from_the_scheduler(users, compound):
    from core.scheduler import registered_jobs

    assert "tracing.controls_lift_by_rule" in {job.name for job in registered_jobs()}


# --- pages ---


def test_staff_pages_and_the_neighbours_404(client, users, compound, areas):
    control = seal(users["cora"], compound=compound[0])
    client.force_login(users["cora"])
    listing = client.get("/tracing/controls/")
    assert listing.status_code == 200 and "明泰城" in listing.content.decode()
    detail = client.get(f"/tracing/controls/{control.pk}/").content.decode()
    assert "明泰甲" in detail and compound[1][0].phone not in detail and compound[1][0].masked_phone in detail
    client.force_login(_cleo(areas))
    assert client.get(f"/tracing/controls/{control.pk}/").status_code == 404
    client.force_login(users["greg"])
    assert client.get("/tracing/controls/").status_code == 403


def test_create_and_lift_through_the_pages(client, users, compound):
    client.force_login(users["cora"])
    bad = client.post("/tracing/controls/new/", {"level": "sealed"})
    assert bad.status_code == 400 and Control.all_objects.count() == 0
    made = client.post("/tracing/controls/new/", {"level": "sealed", "compound": compound[0].pk, "reason": "病例"})
    control = Control.all_objects.get()
    assert made.status_code == 302 and control.level == "sealed"
    assert client.post(f"/tracing/controls/{control.pk}/lift/", {"reason": "解除"}).status_code == 302
    assert Control.all_objects.get().lifted_by == users["cora"]


def test_the_person_page_says_sealed_since(client, users, compound):
    seal(users["cora"], compound=compound[0])
    client.force_login(users["greg"])
    page = client.get(f"/registry/persons/{compound[1][0].pk}/").content.decode()
    assert "明泰城 自 2022-09-04 08:30 起封控" in page


def test_the_public_notice_names_no_person(client, users, compound):
    control = seal(users["cora"], compound=compound[0])
    page = client.get(f"/tracing/notice/{control.pk}/").content.decode()
    assert "明泰城" in page and "<svg" in page and "明泰甲" not in page
    assert "/care/help/" in page


def _in_another_building(grid):
    from registry.services import person_create
    from registry.testing import synthetic_id_number

    building = Building.all_objects.create(grid=grid, name="9栋", address="外街9号")
    household = Household.all_objects.create(building=building, grid=grid, unit=1, floor=1, room="101")
    return person_create(grid=grid, household=household, name="楼外人", id_number=synthetic_id_number(999))


def test_a_doorstep_need_becomes_a_marked_help_request(client, users, compound, areas):
    resident = compound[1][0]
    control = seal(users["cora"], compound=compound[0])
    client.force_login(users["greg"])
    answer = client.post(f"/tracing/persons/{resident.pk}/need/", {"kind": "supplies", "description": "米和油"})
    assert answer.status_code == 302
    need = ControlNeed.all_objects.select_related("help_request").get()
    assert need.control == control and need.help_request.person == resident
    assert need.help_request.channel == HelpRequest.Channel.GRID_WORKER and need.help_request.kind == "supplies"
    outside = _in_another_building(areas["B"])
    client.post(f"/tracing/persons/{outside.pk}/need/", {"kind": "supplies", "description": "米"})
    assert ControlNeed.all_objects.count() == 1 and not HelpRequest.all_objects.filter(person=outside).exists()
