"""Helpers for tests elsewhere in the project (the project-wide leak test)."""

from datetime import timedelta

from django.utils import timezone

from core.context import system_actor
from registry.models import Area
from screening.models import Alert, Campaign, Hold, HomeSamplingRequest, KnockOutcome, Round
from screening.services import (
    campaign_create,
    home_team_create,
    knock_record,
    plan_round,
    results_record,
    site_create,
    tube_register,
)

# Campaigns, rounds and sites describe operations and are visible to all staff (not area-scoped): a route named by
# these alone shows nothing of a person; what it lists is scoped row by row.
SHARED_KWARGS = {"campaign_id", "round_id", "site_id"}


def leak_objects(person):
    """Screening rows naming `person`: a campaign, round and site, a pooled tube with `person` in it (resulted
    positive, so a hold and alerts exist), a knock outcome and a home-sampling request. Returns the URL kwargs the
    screening pages and API routes use, e.g. {"campaign_id", "round_id", "site_id", "tube_id", "tube_code",
    "request_id", "hold_id", "alert_id", "knock_id", "grid" (code), "household_id", "person_id"}."""
    with system_actor():  # the setup is the system's: the tube at any site, the lab's result, a knock
        return _leak_objects(person)


def _leak_objects(person):
    district = Area.all_objects.get(code=person.grid.code[:6])
    start = timezone.now() - timedelta(hours=1)
    campaign = campaign_create(
        name=f"leak test {person.pk}",
        kind=Campaign.Kind.NUCLEIC_ACID,
        scope_codes=[district.code],
        rounds=[(start, start + timedelta(hours=12))],
    )
    round_ = campaign.rounds.get()
    site = site_create(campaign, name="leak test site", area=person.grid)
    code = f"LEAK{person.pk:08d}"
    status, answer = tube_register(
        {
            "client_key": f"leak-{person.pk}",
            "round": round_.pk,
            "site": site.pk,
            "tube_code": code,
            "pool_size": 5,
            "closed_at": timezone.now().isoformat(),
            "persons": [{"person_id": person.pk}],
        }
    )
    assert status == 201, answer
    results_record([{"tube_code": code, "result": "positive", "resulted_at": timezone.now().isoformat(), "lab": ""}])
    knock = knock_record(round_, person.household, outcome=KnockOutcome.Outcome.NOT_HOME, person=person)
    plan_round(round_)  # the planner's page shows the site in grid B, planned against its one sample
    return {
        "shared": SHARED_KWARGS,
        "campaign_id": campaign.pk,
        "round_id": round_.pk,
        "site_id": site.pk,
        "tube_id": answer["tube_id"],
        "tube_code": code,
        "request_id": HomeSamplingRequest.all_objects.get(round=round_, person=person).pk,
        "screening:request_id": HomeSamplingRequest.all_objects.get(round=round_, person=person).pk,
        "hold_id": Hold.all_objects.get(round=round_, person=person).pk,
        "alert_id": Alert.all_objects.filter(round=round_, person=person).first().pk,
        "knock_id": knock.pk,
        "grid": person.grid.code,
        "grid_code": person.grid.code,
        "area_code": person.grid.code,
        "household_id": person.household_id,
        "person_id": person.pk,
    }


def write_cases(values):
    """Screening's write routes, for the project-wide write walker (gridcare/tests/test_writes.py): targets from
    leak_objects (a person in grid B, a district-wide campaign, round and site), plus a pending tube for the lab
    and the district's medics assigned to the site."""
    from io import BytesIO

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from openpyxl import Workbook

    from gridcare.tests.writes import WriteCase
    from screening.models import Site

    round_id, site_id, person = values["round_id"], values["site_id"], values["person_id"]
    home_request = values["screening:request_id"]
    medics = get_user_model().objects.filter(role="medic")
    Site.objects.get(pk=site_id).medics.set(medics)
    now = timezone.now()
    with system_actor():
        pending = f"PEND{person:08d}"
        status, answer = tube_register(_tube(f"pend-{person}", round_id, site_id, pending, now, person))
        # A team serving grid B, so planning has an open request to give it; a neighbour with no request yet.
        round_ = Round.objects.get(pk=round_id)
        home_team_create(round_, name="写测试小分队", area=Area.objects.get(pk=values["grid_id"]), medic=medics[0])
        neighbour = _household_member(person)
    assert status == 201, answer

    def tube(key, code):
        return _tube(key, round_id, site_id, code, now, person)

    def results_file():
        book = Workbook()
        book.active.append(["tube code", "result", "time", "lab"])
        book.active.append([pending, "negative", now.replace(tzinfo=None), "区检测中心"])
        data = BytesIO()
        book.save(data)
        return {"file": SimpleUploadedFile("results.xlsx", data.getvalue())}

    def page(name, *args):
        return reverse(f"screening:{name}", args=args)

    def api(method_path, perm, data, area="B", **extra):
        method, path = method_path.split(" ", 1)
        url = "/api/v1/screening" + path.format(**values, pending=pending)
        route = f"{method} /api/v1/screening{path}".replace("{request_id}", "{request_id}")
        return WriteCase(route, url, perm, area=area, data=data, json=True, method=method, **extra)

    grid_code = values["grid"]
    return [
        # A read by POST (ID numbers stay out of logs): who may look, not what it finds — the leak walker checks that.
        WriteCase(
            "screening:desk_lookup",
            page("desk_lookup"),
            "registry.view_person",
            area="own",
            data={"q": "x"},
            writes=False,
        ),
        WriteCase(
            "screening:knock_record",
            page("knock_record", round_id, values["household_id"]),
            "screening.add_knockoutcome",
            data={"outcome": "away", "person": person},
        ),
        WriteCase("screening:notice_ack", page("notice_ack", round_id, person), "notices.add_noticeack"),
        WriteCase("screening:home_plan", page("home_plan", round_id), "screening.add_homesamplingteam", area="own"),
        WriteCase(
            "screening:round_plan", page("round_plan", round_id), "screening.add_roundplan", data={"area": grid_code}
        ),
        WriteCase(
            "screening:home_team_add",
            page("home_team_add", round_id),
            "screening.add_homesamplingteam",
            data={"name": "零跑腿小分队", "area": values["grid_id"], "medic": medics[0].pk},
        ),
        WriteCase(
            "screening:home_finish",
            page("home_finish", home_request),
            "screening.change_homesamplingrequest",
            data={"done": "1"},
        ),
        WriteCase("screening:alert_ack", page("alert_ack", values["alert_id"]), "screening.change_alert"),
        api(
            "POST /campaigns",
            "screening.add_campaign",
            {
                "name": "全员核酸",
                "scope": [grid_code[:6]],
                "rounds": [{"starts_at": now.isoformat(), "ends_at": (now + timedelta(hours=12)).isoformat()}],
            },
            area="district",
        ),
        api(
            "POST /campaigns/{campaign_id}/sites",
            "screening.add_site",
            {"name": "新采样点", "area": grid_code},
            area="district",
        ),
        api("POST /tubes", "screening.add_tube", tube("walk-1", "WALK0001"), area="own"),
        api("POST /tubes/batch", "screening.add_tube", {"tubes": [tube("walk-2", "WALK0002")]}, area="own"),
        api("POST /results", "screening.record_result", {"tube_code": pending, "result": "negative"}, area="district"),
        api(
            "POST /results/{tube_code}/correction",
            "screening.correct_result",
            {"result": "negative", "reason": "复核为阴性"},
            area="district",
        ),
        WriteCase(
            "POST /api/v1/screening/results/import",
            "/api/v1/screening/results/import",
            "screening.record_result",
            area="district",
            data=results_file,
        ),
        api(
            "POST /rounds/{round_id}/knocks",
            "screening.add_knockoutcome",
            {"household_id": values["household_id"], "person_id": person, "outcome": "away"},
        ),
        api("POST /rounds/{round_id}/acks", "notices.add_noticeack", {"person_id": person}),
        api(
            "POST /rounds/{round_id}/home-requests",
            "screening.add_homesamplingrequest",
            {"person_id": neighbour.pk, "single_tube": True},
        ),
        api("POST /home-requests/{request_id}/finish", "screening.change_homesamplingrequest", {"done": True}),
        api("POST /alerts/{alert_id}/ack", "screening.change_alert", {}),
        api(
            "POST /rounds/{round_id}/home-teams",
            "screening.add_homesamplingteam",
            {"name": "上门小分队", "area": grid_code, "medic": medics[0].username},
        ),
        api("POST /rounds/{round_id}/home-requests/assign", "screening.add_homesamplingteam", {}, area="own"),
    ]


def _household_member(person_id):
    from registry.models import Person
    from registry.services import person_create
    from registry.testing import synthetic_id_number

    household = Person.objects.get(pk=person_id).household
    return person_create(
        grid=household.grid, household=household, name="同户家属", id_number=synthetic_id_number(70_000 + person_id)
    )


def _tube(key, round_id, site_id, code, closed_at, person_id):
    return {
        "client_key": key,
        "round": round_id,
        "site": site_id,
        "tube_code": code,
        "pool_size": 5,
        "closed_at": closed_at.isoformat(),
        "persons": [{"person_id": person_id}],
    }
