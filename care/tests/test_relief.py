import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from care.models import Relief
from care.services import help_request_create, relief_create


@pytest.fixture
def relief_request(areas):
    return help_request_create(area=areas["A"], kind="relief", channel="hotline", requester_name="x", description="y")


def test_relief_cannot_be_paid_twice_for_the_same_request(relief_request, users):
    relief_create(approved_by=users["cora"], kind="money", item="临时救助金", amount=500, request=relief_request)
    with pytest.raises(ValidationError):
        relief_create(approved_by=users["cora"], kind="money", item="临时救助金", amount=500, request=relief_request)
    with pytest.raises(IntegrityError), transaction.atomic():
        Relief.all_objects.create(
            area=relief_request.area, request=relief_request, kind="goods", item="米", approved_by=users["dana"]
        )
    assert Relief.objects.filter(request=relief_request).count() == 1


def test_relief_page_records_delivery_and_totals_per_area(login, relief_request, paired, users):
    person = paired("A")
    client = login("cora")
    client.post(
        reverse("care:relief_new"),
        {"request_receipt": relief_request.receipt, "kind": "money", "item": "救助金", "amount": "300"},
    )
    client.post(
        reverse("care:relief_new") + f"?person={person.pk}",
        {"person_id": person.pk, "kind": "money", "item": "救助金", "amount": "200"},
    )
    again = client.post(
        reverse("care:relief_new"),
        {"request_receipt": relief_request.receipt, "kind": "money", "item": "x", "amount": "1"},
    )
    assert again.status_code == 200 and again.context["form"].errors
    relief = Relief.objects.get(request=relief_request)
    client.post(reverse("care:relief_deliver", args=[relief.pk]), {"signed_by": "周居民"})
    relief.refresh_from_db()
    assert relief.signed_by == "周居民" and relief.delivered_by == users["cora"]
    totals = client.get(reverse("care:relief")).context["totals"]
    assert [(t["area_name"], float(t["amount"]), t["count"]) for t in totals] == [("中福社区", 500.0, 2)]


def test_relief_export_masks_id_numbers(login, relief_request, paired, users):
    from io import BytesIO

    from openpyxl import load_workbook

    person = paired("A")
    relief_create(approved_by=users["cora"], kind="goods", item="米", quantity=2, person=person)
    from core.testing import exported

    data = exported(login("gwen"), "care.relief")
    flat = " ".join(str(c) for row in load_workbook(BytesIO(data)).active.values for c in row)
    assert person.name in flat and person.id_number not in flat
