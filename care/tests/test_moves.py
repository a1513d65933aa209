"""A person who moves takes what they are owed along (finding 6): the ledger entry, open requests, medicine
deliveries, home sampling and the knock list follow them to the new grid; the old grid's worker stops seeing them
and the new grid sees "moved in, needs a contact" until someone there is paired."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import FollowUp, FollowUpTask, HelpRequest, LedgerEntry, MedicineSchedule, Pairing, RequestKind
from care.services import followup_record, help_request_create
from registry.models import Building, Household
from registry.services import person_move

MOVED_IN = "新迁入，待配联络人"  # "moved in, needs a contact"


@pytest.fixture
def household_b(areas):
    building = Building.all_objects.create(grid=areas["B"], name="9栋", address="中福2网格路9号", floors=6, units=1)
    return Household.all_objects.create(building=building, grid=areas["B"], unit=1, floor=3, room="301")


@pytest.fixture
def moved(paired, users, areas, household_b):
    """A ledger person of grid A (gwen's), reached once, with an open request and a medicine schedule, moved to
    grid B (greg's)."""
    person = paired("A", "gwen", name="周搬家")
    followup_record(person, worker=users["gwen"], outcome=FollowUp.Outcome.NOT_REACHED)
    request = help_request_create(
        area=person.grid,
        person=person,
        kind=RequestKind.SUPPLIES,
        channel=HelpRequest.Channel.GRID_WORKER,
        requester_name=person.name,
        description="大米",
    )
    MedicineSchedule.all_objects.create(
        person=person, grid=person.grid, medicine="胰岛素", next_on=timezone.localdate()
    )
    person_move(person, grid=areas["B"], household=household_b, reason="搬到中福2网格")
    return person, request


def test_the_old_grid_worker_no_longer_sees_the_moved_person(login, moved):
    person, request = moved
    client = login("gwen")
    for name in ("ledger", "today", "unpaired", "requests", "medicine"):
        assert person.name not in client.get(reverse(f"care:{name}")).content.decode(), name
    assert client.get(reverse("care:person_ledger", args=[person.pk])).status_code == 404
    assert client.get(reverse("care:request_detail", args=[request.pk])).status_code == 404


def test_the_new_grid_sees_the_person_as_moved_in_needing_a_contact(login, moved):
    person, request = moved
    client = login("greg")
    ledger = client.get(reverse("care:ledger")).content.decode()
    assert person.name in ledger and MOVED_IN in ledger
    unpaired = client.get(reverse("care:unpaired")).content.decode()
    assert person.name in unpaired and MOVED_IN in unpaired
    assert request.receipt in client.get(reverse("care:requests")).content.decode()
    assert person.name in client.get(reverse("care:medicine")).content.decode()
    assert client.get(reverse("care:request_detail", args=[request.pk])).status_code == 200


def test_the_pairing_with_the_old_worker_ends_and_todays_open_call_goes(moved, users):
    person, _request = moved
    assert not Pairing.all_objects.filter(person=person, ended_at__isnull=True).exists()
    ended = Pairing.all_objects.get(person=person)
    assert ended.worker == users["gwen"] and ended.ended_at is not None
    assert not FollowUpTask.all_objects.filter(person=person, day=timezone.localdate()).exists()
    # The call gwen made stays gwen's record in grid A.
    assert FollowUp.all_objects.get(person=person).grid.code == "440704001001001"


def test_open_request_and_medicine_schedule_follow_the_person(moved, areas):
    person, request = moved
    request.refresh_from_db()
    assert request.area == areas["B"]
    assert set(request.events.model.all_objects.filter(request=request).values_list("area", flat=True)) == {
        areas["B"].pk
    }
    assert MedicineSchedule.all_objects.get(person=person).grid == areas["B"]
    assert LedgerEntry.all_objects.get(person=person).grid == areas["B"]


def test_pairing_in_the_new_grid_clears_the_badge(login, moved, users):
    person, _request = moved
    client = login("cora")
    response = client.post(reverse("care:pair_person", args=[person.pk]), {"worker": users["greg"].pk})
    assert response.status_code == 302
    assert Pairing.all_objects.get(person=person, ended_at__isnull=True).grid.code == "440704001001002"
    assert MOVED_IN not in login("greg").get(reverse("care:ledger")).content.decode()


def test_a_closed_request_stays_where_it_was_handled(paired, users, areas, household_b):
    person = paired("A", "gwen")
    request = help_request_create(
        area=person.grid,
        person=person,
        kind=RequestKind.OTHER,
        channel=HelpRequest.Channel.HOTLINE,
        requester_name="x",
        description="y",
    )
    HelpRequest.all_objects.filter(pk=request.pk).update(status=HelpRequest.Status.CONFIRMED)
    person_move(person, grid=areas["B"], household=household_b)
    request.refresh_from_db()
    assert request.area == areas["A"]


# --- screening obligations ------------------------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY1 = datetime(2022, 9, 5, 8, 30, tzinfo=SHANGHAI)


@pytest.fixture
def round1(areas):
    from screening.services import campaign_create

    campaign = campaign_create(name="筛查", scope_codes=["440704"], rounds=[(DAY1, DAY1 + timedelta(hours=12))])
    return campaign.rounds.get(number=1)


def test_home_sampling_request_and_knock_list_follow_the_person(
    login, make_person, users, areas, household_b, round1, django_user_model
):
    from screening.models import HomeSamplingRequest
    from screening.services import home_request_create, home_requests_assign, home_team_create

    person = make_person("A", name="吴上门")
    home_request_create(round1, person, source=HomeSamplingRequest.Source.GRID_WORKER)
    home_team_create(round1, name="中福1队", area=areas["A"], medic=users["mia"], grid_worker=users["gwen"])
    home_requests_assign(round1)
    assert HomeSamplingRequest.all_objects.get(person=person).status == HomeSamplingRequest.Status.ASSIGNED

    person_move(person, grid=areas["B"], household=household_b)

    home = HomeSamplingRequest.all_objects.get(person=person)
    assert (home.grid, home.household, home.team, home.status) == (areas["B"], household_b, None, "open")
    knock_a = reverse("screening:knock_list", args=[round1.pk, areas["A"].code])
    knock_b = reverse("screening:knock_list", args=[round1.pk, areas["B"].code])
    assert person.name not in login("gwen").get(knock_a).content.decode()
    gregs = login("greg")
    assert person.name in gregs.get(knock_b).content.decode()
    assert person.name in gregs.get(reverse("screening:home_list", args=[round1.pk])).content.decode()
    assert person.name not in login("gwen").get(reverse("screening:home_list", args=[round1.pk])).content.decode()


def test_a_home_sampling_team_serving_both_grids_keeps_the_request(make_person, users, areas, household_b, round1):
    from screening.models import HomeSamplingRequest
    from screening.services import home_request_create, home_requests_assign, home_team_create

    person = make_person("A")
    home_request_create(round1, person, source=HomeSamplingRequest.Source.GRID_WORKER)
    team = home_team_create(round1, name="中福社区队", area=areas["zhongfu"], medic=users["mia"])
    home_requests_assign(round1)
    person_move(person, grid=areas["B"], household=household_b)
    home = HomeSamplingRequest.all_objects.get(person=person)
    assert (home.grid, home.team, home.status) == (areas["B"], team, "assigned")
