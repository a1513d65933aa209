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
        "care:request_id": request.pk,  # screening's home-sampling "request_id" would win over the plain key
        "relief_id": relief.pk,
        "schedule_id": schedule.pk,
    }


def write_cases(values):
    """Care's write routes, for the project-wide write walker (gridcare/tests/test_writes.py); the targets are the
    rows leak_objects made for a person in grid B."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from django.utils import timezone

    from gridcare.tests.writes import WriteCase
    from registry.models import Person
    from registry.services import person_create
    from registry.testing import synthetic_id_number

    person, grid = values["person_id"], values["grid_id"]
    household = Person.all_objects.get(pk=person).household
    unpaired = person_create(
        grid=household.grid, household=household, name="待配对", id_number=synthetic_id_number(80_000 + person)
    )
    # A second worker of grid B to pair with or assign to, and a second medicine schedule not yet delivered today.
    worker = get_user_model().objects.create_user(f"care-write-{person}", role="grid_worker", area_id=grid)
    group = SpecialGroup.objects.get(code="elderly_alone")
    ledger_entry_save(unpaired, group)  # on the ledger, no contact yet: pair_grid has someone to pair
    other_group = SpecialGroup.objects.exclude(pk=group.pk).order_by("sort").first()
    schedule = MedicineSchedule.all_objects.create(
        person=Person.all_objects.get(pk=person), grid_id=grid, medicine="metformin", next_on=timezone.localdate()
    )

    def ledger_file():
        from io import BytesIO

        from openpyxl import Workbook

        from registry.models import Person

        book = Workbook()
        book.active.append(["身份证号", "人群类别", "其他需求"])
        book.active.append([Person.all_objects.get(pk=person).id_number, group.name, "送药"])
        data = BytesIO()
        book.save(data)
        return {"file": SimpleUploadedFile("ledger.xlsx", data.getvalue())}

    def url(name, *args):
        return reverse(f"care:{name}", args=args)

    return [
        WriteCase(
            "care:survey",
            url("survey", person),
            "care.add_ledgerentry",
            data={"group": other_group.pk, "needs": "meals"},
        ),
        WriteCase("care:pair_person", url("pair_person", person), "care.add_pairing", data={"worker": worker.pk}),
        WriteCase("care:pair_grid", url("pair_grid", grid), "care.add_pairing", data={"worker": worker.pk}),
        WriteCase(
            "care:followup_record",
            url("followup_record", person),
            "care.add_followup",
            data={"outcome": "well", "kind": "call"},
        ),
        WriteCase(
            "care:spot_check", url("spot_check", values["followup_id"]), "care.add_spotcheck", data={"confirmed": "1"}
        ),
        WriteCase(
            "care:request_new",
            url("request_new") + f"?person={person}",
            "care.add_helprequest",
            data={"kind": "supplies", "channel": "hotline", "requester_name": "家属", "description": "米"},
        ),
        WriteCase(
            "care:request_step",
            url("request_step", values["care:request_id"]),
            "care.change_helprequest",
            data={"step": "assign", "assigned_to": worker.pk},
        ),
        WriteCase(
            "care:relief_new",
            url("relief_new"),
            "care.add_relief",
            data={"person_id": person, "kind": "goods", "item": "米", "quantity": 1},
        ),
        WriteCase(
            "care:relief_deliver",
            url("relief_deliver", values["relief_id"]),
            "care.change_relief",
            data={"signed_by": "本人"},
        ),
        WriteCase("care:medicine_deliver", url("medicine_deliver", schedule.pk), "care.add_medicinedelivery"),
        WriteCase("care:ledger_import", url("ledger_import"), "care.add_ledgerentry", area="own", data=ledger_file),
        WriteCase(
            "POST /api/v1/care/followups",
            "/api/v1/care/followups",
            "care.add_followup",
            json=True,
            data={"person_id": person, "outcome": "well", "kind": "call"},
        ),
        WriteCase(
            "POST /api/v1/care/requests",
            "/api/v1/care/requests",
            "care.add_helprequest",
            json=True,
            data={"kind": "supplies", "person_id": person, "requester_name": "家属", "description": "米"},
        ),
        WriteCase(
            "POST /api/v1/care/requests/{request_id}/steps",
            f"/api/v1/care/requests/{values['care:request_id']}/steps",
            "care.change_helprequest",
            json=True,
            data={"step": "assign", "assigned_to_id": worker.pk},
        ),
    ]


PUBLIC_WRITE_ROUTES = ["care:public_request", "care:public_status"]
