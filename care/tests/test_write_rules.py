"""Care writes go through the one write mechanism (core.access) and GET pages never write (finding 7)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from care.models import FollowUpTask, HelpRequest, Relief, RequestKind
from care.services import (
    Conflict,
    followup_plan_day,
    help_request_create,
    help_request_step,
    ledger_entry_save,
    pairing_assign,
    relief_create,
    relief_deliver,
)
from core.access import NotInScope
from core.context import Scope, acting_as, current_actor


def as_user(user):
    """What the middleware sets for a request by `user`."""
    return acting_as(current_actor().replace(user=user, scope=Scope.of_area(user.area), system=False))


@pytest.fixture
def ledger_unplanned(make_person, users, group):
    """Ledger persons with a contact in grids A (gwen) and B (greg), and no plan for today yet."""
    people = {}
    for grid, worker in (("A", "gwen"), ("B", "greg")):
        person = make_person(grid, name=f"计划{grid}")
        ledger_entry_save(person, group)
        pairing_assign(person, users[worker])
        people[grid] = person
    return people


@pytest.mark.parametrize("url", [reverse("care:today"), reverse("care:supervision"), "/api/v1/care/today"])
def test_a_get_as_a_grid_worker_plans_nothing(login, ledger_unplanned, url):
    before = FollowUpTask.all_objects.count()
    response = login("gwen").get(url)
    assert response.status_code == 200
    assert FollowUpTask.all_objects.count() == before == 0
    if not url.startswith("/api/"):
        assert "今日随访尚未排计划" in response.content.decode()  # "not planned yet"


def test_the_daily_command_plans_and_the_pages_then_show_the_plan(login, ledger_unplanned):
    from django.core.management import call_command

    call_command("care_plan_day")
    assert FollowUpTask.all_objects.count() == 2
    page = login("gwen").get(reverse("care:today")).content.decode()
    assert "计划A" in page and "计划B" not in page and "今日随访尚未排计划" not in page
    assert followup_plan_day() == 0  # idempotent


def test_a_grid_worker_cannot_pair(login, make_person, users, group):
    person = make_person("A")
    ledger_entry_save(person, group)
    response = login("gwen").post(reverse("care:pair_person", args=[person.pk]), {"worker": users["gwen"].pk})
    assert response.status_code == 403
    with as_user(users["gwen"]), pytest.raises(PermissionDenied):
        pairing_assign(person, users["gwen"])
    assert not person.pairings.model.all_objects.filter(person=person).exists()


def test_a_service_called_with_an_object_outside_the_actors_area_is_not_found(make_person, users, group):
    person = make_person("B")
    with as_user(users["gwen"]), pytest.raises(NotInScope):
        ledger_entry_save(person, group)
    with as_user(users["gwen"]), pytest.raises(NotInScope):
        help_request_create(
            area=person.grid, kind=RequestKind.OTHER, channel="hotline", requester_name="x", description="y"
        )
    assert not HelpRequest.all_objects.exists()


def test_a_step_on_another_areas_request_is_404_and_changes_nothing(login, areas, users):
    request = help_request_create(
        area=areas["B"], kind=RequestKind.OTHER, channel="hotline", requester_name="x", description="y"
    )
    with as_user(users["gwen"]), pytest.raises(NotInScope):
        help_request_step(request, "assign", by=users["gwen"], assigned_to=users["gwen"])
    response = login("gwen").post(
        reverse("care:request_step", args=[request.pk]), {"step": "assign", "assigned_to": users["gwen"].pk}
    )
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.RECEIVED


def test_a_second_delivery_of_the_same_relief_is_refused_on_the_page(login, areas, users, make_person, group):
    person = make_person("A")
    ledger_entry_save(person, group)
    relief = relief_create(approved_by=users["cora"], kind=Relief.Kind.GOODS, item="米", quantity=1, person=person)
    client = login("gwen")
    url = reverse("care:relief_deliver", args=[relief.pk])
    client.post(url, {"signed_by": "本人"})
    response = client.post(url, {"signed_by": "别人"}, follow=True)
    assert "此救助已经发放" in response.content.decode()
    relief.refresh_from_db()
    assert relief.signed_by == "本人"
    with pytest.raises(Conflict):
        relief_deliver(relief, delivered_by=users["gwen"], signed_by="再来")


def test_a_stale_step_is_a_conflict_and_answers_409_in_the_api(login, areas, users):
    request = help_request_create(
        area=areas["A"], kind=RequestKind.OTHER, channel="hotline", requester_name="x", description="y"
    )
    stale = HelpRequest.all_objects.get(pk=request.pk)
    help_request_step(request, "assign", by=users["cora"], assigned_to=users["gwen"])
    with pytest.raises(Conflict):
        help_request_step(stale, "assign", by=users["cora"], assigned_to=users["greg"])
    request.refresh_from_db()
    assert request.assigned_to == users["gwen"]
    assert request.events.filter(action="assign").count() == 1


@pytest.mark.parametrize("model", ["caresettings", "contactplan", "risklevel", "requestdeadline"])
def test_care_settings_are_the_district_admins(login, model):
    from care.models import CareSettings, ContactPlan, RequestDeadline, RiskLevel

    CareSettings.objects.get_or_create(pk=1)
    RequestDeadline.objects.get_or_create(kind=RequestKind.MEDICAL)
    obj = {
        "caresettings": CareSettings,
        "contactplan": ContactPlan,
        "risklevel": RiskLevel,
        "requestdeadline": RequestDeadline,
    }[model].objects.first()
    url = reverse(f"admin:care_{model}_change", args=[obj.pk])
    for name in ("stella", "cora"):
        page = login(name).get(url)
        assert page.status_code in (200, 403) and 'name="_save"' not in page.content.decode(), name
        assert login(name).post(url, {}).status_code == 403, name
    assert 'name="_save"' in login("dana").get(url).content.decode()


def test_requests_and_relief_are_not_edited_in_the_admin(login, areas):
    request = help_request_create(
        area=areas["A"], kind=RequestKind.OTHER, channel="hotline", requester_name="x", description="y"
    )
    url = reverse("admin:care_helprequest_change", args=[request.pk])
    response = login("dana").post(url, {"status": "confirmed"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.RECEIVED
