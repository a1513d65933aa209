"""Helpers for tests elsewhere in the project (the project-wide leak test)."""

from datetime import timedelta

from django.utils import timezone

from core.context import system_actor
from registry.models import Area
from screening.models import Alert, Campaign, Hold, HomeSamplingRequest, KnockOutcome
from screening.services import campaign_create, knock_record, results_record, site_create, tube_register

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
    return {
        "shared": SHARED_KWARGS,
        "campaign_id": campaign.pk,
        "round_id": round_.pk,
        "site_id": site.pk,
        "tube_id": answer["tube_id"],
        "tube_code": code,
        "request_id": HomeSamplingRequest.all_objects.get(round=round_, person=person).pk,
        "hold_id": Hold.all_objects.get(round=round_, person=person).pk,
        "alert_id": Alert.all_objects.filter(round=round_, person=person).first().pk,
        "knock_id": knock.pk,
        "grid": person.grid.code,
        "grid_code": person.grid.code,
        "area_code": person.grid.code,
        "household_id": person.household_id,
        "person_id": person.pk,
    }
