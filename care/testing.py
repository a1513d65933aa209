"""Care rows for a person, for the project-wide leak test."""

from django.contrib.auth import get_user_model

from care.models import FollowUp, HelpRequest, MedicineSchedule, Relief, RequestKind
from care.services import (
    followup_plan_day,
    followup_record,
    help_request_create,
    ledger_entry_save,
    medicine_deliver,
    pairing_assign,
    relief_create,
)
from registry.models import SpecialGroup


def leak_objects(person):
    """Puts `person` in the ledger with a contact, a follow-up, a request, relief and a medicine schedule; returns
    {url kwarg name: value} for care's URL patterns."""
    from django.utils import timezone

    worker = get_user_model().objects.create_user(f"care-leak-{person.pk}", role="grid_worker", area=person.grid)
    group, _ = SpecialGroup.objects.get_or_create(code="elderly_alone", defaults={"name": "独居老人"})
    ledger_entry_save(person, group, needs=["medicine"])
    pairing_assign(person, worker)
    followup_plan_day(person_ids=[person.pk])
    followup = followup_record(person, worker=worker, outcome=FollowUp.Outcome.WELL)
    request = help_request_create(
        area=person.grid,
        person=person,
        kind=RequestKind.RELIEF,
        channel=HelpRequest.Channel.HOTLINE,
        requester_name=person.name,
        description="rice",
    )
    relief = relief_create(approved_by=worker, kind=Relief.Kind.GOODS, item="rice", quantity=1, request=request)
    schedule = MedicineSchedule.all_objects.create(
        person=person, grid=person.grid, medicine="insulin", next_on=timezone.localdate()
    )
    medicine_deliver(schedule, delivered_by=worker)
    return {
        "person_id": person.pk,
        "grid_id": person.grid_id,
        "followup_id": followup.pk,
        "request_id": request.pk,
        "relief_id": relief.pk,
        "schedule_id": schedule.pk,
    }
