from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from care.models import HelpRequest, RequestEvent
from care.services import help_request_create, help_request_escalate_overdue, help_request_step


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()


def test_public_request_gets_a_receipt_and_its_status_page_shows_only_that_request(client, areas, public_post):
    response = public_post()
    assert response.status_code == 302
    request = HelpRequest.objects.get(requester_name="周居民")
    assert request.receipt in response["Location"] and request.channel == HelpRequest.Channel.PUBLIC
    public_post(requester_name="吴另一位", requester_phone="13700002222", description="需要口罩")
    page = client.get(reverse("care:public_status"), {"receipt": request.receipt}).content.decode()
    assert request.receipt in page and "已接收" in page or "received" in page
    for private in ("周居民", "13700001111", "家里没米了", "吴另一位", "需要口罩", "中福"):
        assert private not in page
    missing = client.get(reverse("care:public_status"), {"receipt": "000000000000"}).content.decode()
    assert request.receipt not in missing


def test_public_page_is_rate_limited_per_address(client, areas, settings, public_post):
    from care.models import CareSettings

    care = CareSettings.current()
    care.public_requests_per_hour = 2
    care.save()
    assert public_post().status_code == 302
    assert public_post().status_code == 302
    assert public_post().status_code == 429
    assert HelpRequest.objects.count() == 2


def test_a_ledger_person_writing_in_gets_the_green_channel(client, areas, paired, public_post):
    person = paired("A", phone="13611112222")
    public_post(requester_phone="13611112222", kind="medical")
    request = HelpRequest.objects.get()
    assert request.person == person and request.green_channel and request.area == person.grid
    ordinary = help_request_create(
        area=areas["A"], kind="medical", channel="hotline", requester_name="x", description="y"
    )
    assert request.deadline_at - request.created_at < ordinary.deadline_at - ordinary.created_at


def test_overdue_request_escalates_up_the_area_tree(areas, users):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        request = help_request_create(
            area=areas["A"], kind="supplies", channel="hotline", requester_name="x", description="y"
        )
    hours = (request.deadline_at - request.created_at).total_seconds() / 3600
    with time_machine.travel(start + timedelta(hours=hours - 1), tick=False):
        assert help_request_escalate_overdue() == 0
    with time_machine.travel(start + timedelta(hours=hours + 1), tick=False):
        assert help_request_escalate_overdue() == 1
        assert help_request_escalate_overdue() == 0  # once per deadline period
    request.refresh_from_db()
    assert request.escalated_to == areas["zhongfu"]
    with time_machine.travel(start + timedelta(hours=2 * hours + 2), tick=False):
        assert help_request_escalate_overdue() == 1
    request.refresh_from_db()
    assert request.escalated_to == areas["lile"]
    assert RequestEvent.objects.filter(request=request, action="escalate").count() == 2


def test_overdue_list_and_escalation_command(login, areas, users):
    from django.core.management import call_command

    start = timezone.now()
    with time_machine.travel(start - timedelta(days=3), tick=False):
        request = help_request_create(
            area=areas["A"], kind="other", channel="hotline", requester_name="x", description="y"
        )
    call_command("care_escalate")
    request.refresh_from_db()
    assert request.escalated_to == areas["zhongfu"]
    page = login("cora").get(reverse("care:requests") + "?view=overdue")
    assert [r.pk for r in page.context["page"]] == [request.pk]


def test_workflow_is_timestamped_and_attributed(login, areas, users):
    request = help_request_create(area=areas["A"], kind="other", channel="hotline", requester_name="x", description="y")
    client = login("cora")
    url = reverse("care:request_step", args=[request.pk])
    client.post(url, {"step": "assign", "assigned_to": users["gwen"].pk})
    client.post(url, {"step": "start"})
    client.post(url, {"step": "resolve", "result": "送到了"})
    client.post(url, {"step": "confirm", "note": "回访满意"})
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.CONFIRMED and request.assigned_to == users["gwen"]
    events = list(request.events.values_list("action", "by_name"))
    assert events == [("received", ""), ("assign", "cora"), ("start", "cora"), ("resolve", "cora"), ("confirm", "cora")]
    with pytest.raises(ValidationError):
        help_request_step(request, "start", by=users["cora"])
