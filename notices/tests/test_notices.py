"""Notices: templates, sending to a grid in scope, the waits (a frozen clock), acknowledgement, quiet hours."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.services import actor_for
from conftest import PASSWORD
from core.context import acting_as
from core.models import AuditEvent
from notices.models import CallTask, Delivery, Notice, NoticeTemplate, template_placeholders_check
from notices.services import deliveries_dispatch, notice_send, notices_escalate, quiet_until

ZONE = timezone.get_default_timezone()
NOON = datetime(2022, 9, 5, 12, 0, tzinfo=ZONE)


def send_to(grid, user, **extra):
    arguments = {
        "title": "核酸通知",
        "body": "{name}您好，请于{time}到{site}参加{round}。",
        "audience": Notice.Audience.AREA,
        "channels": ["inbox"],
        "values": {"time": "8:30", "site": "万达广场", "round": "第一轮"},
    } | extra
    with acting_as(actor_for(user)):
        return notice_send(grid, by=user, **arguments)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Sends as the user; the sending task runs on commit, as it does outside a test's transaction."""

    def run(grid, user, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return send_to(grid, user, **extra)

    return run


@pytest.fixture
def residents(make_person):
    return {"A": [make_person("A", name=f"甲{i}") for i in range(3)], "B": [make_person("B", name="乙一")]}


def test_unknown_placeholder_is_an_error_naming_the_field(db):
    template_placeholders_check("{name}请到{site}")
    with pytest.raises(ValidationError) as caught:
        template_placeholders_check("{name}请到{place}")
    assert "{place}" in str(caught.value.message_dict["body"])
    with pytest.raises(ValidationError):
        NoticeTemplate(name="x", body="{name").full_clean()


def test_send_to_grid_a_reaches_a_only_and_greg_sees_nothing(send, client, users, areas, residents):
    notice = send(areas["A"], users["gwen"])
    deliveries = Delivery.all_objects.filter(notice=notice)
    assert sorted(d.person_id for d in deliveries) == sorted(p.pk for p in residents["A"])
    assert deliveries.first().body.startswith("甲") and "万达广场" in deliveries.first().body
    event = AuditEvent.objects.get(action="create", target_type="notices.notice")
    assert event.actor == users["gwen"] and event.detail["persons"] == 3
    assert client.login(username="greg", password=PASSWORD)
    assert client.get(reverse("notices:detail", args=[notice.pk])).status_code == 404
    assert "核酸通知" not in client.get(reverse("notices:inbox")).content.decode()
    assert client.get(f"/api/v1/notices/{notice.pk}").status_code == 404


def test_grid_worker_cannot_send_to_the_next_grid(client, users, areas, residents):
    assert client.login(username="greg", password=PASSWORD)
    data = {"area": areas["A"].pk, "title": "t", "body": "{name}", "audience": "area", "channels": ["inbox"]}
    response = client.post(reverse("notices:new"), data)
    assert response.status_code == 422 and not Notice.all_objects.exists()
    response = client.post(
        "/api/v1/notices", {"area": areas["A"].code, "title": "t", "body": "x"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_page_send_and_unknown_placeholder_message(client, users, areas, residents):
    assert client.login(username="cora", password=PASSWORD)
    bad = {"area": areas["B"].pk, "title": "t", "body": "{名字}", "audience": "area", "channels": ["inbox"]}
    response = client.post(reverse("notices:new"), bad, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422 and "{名字}" in response.content.decode()
    good = bad | {"body": "{name}请留意"}
    response = client.post(reverse("notices:new"), good)
    assert response.status_code == 302
    notice = Notice.all_objects.get()
    assert Delivery.all_objects.filter(notice=notice).count() == 1  # 乙一 of grid B


def test_api_send_and_counts(client, users, areas, residents, django_capture_on_commit_callbacks):
    assert client.login(username="dana", password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/notices",
            {"area": areas["zhongfu"].code, "title": "t", "body": "{name}", "channels": ["inbox"]},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["persons"] == 4 and body["acknowledged"] == 0
    assert body["by_channel"]["inbox"] == {"queued": 4}
    bad = client.post(
        "/api/v1/notices", {"area": areas["A"].code, "title": "t", "body": "{x}"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "body" in bad.json()["errors"]
    again = client.get(f"/api/v1/notices/{body['id']}")
    assert again.status_code == 200 and again.json()["by_channel"]["inbox"] == {"sent": 4}  # the task ran on commit


def test_phone_list_after_the_wait_then_knock_list(send, client, users, areas, residents, settings):
    settings.NOTICES = {"PHONE_AFTER_HOURS": 2, "KNOCK_AFTER_HOURS": 6}
    with time_machine.travel(NOON, tick=False):
        notice = send(areas["A"], users["gwen"])
        first = residents["A"][0]
        code = Delivery.all_objects.get(notice=notice, person=first).code
        assert client.post(reverse("notices_public:acknowledge", args=[code])).status_code == 200
    with time_machine.travel(NOON + timedelta(hours=1, minutes=59), tick=False):
        assert notices_escalate() == {"phone": 0, "knock": 0}
        assert not CallTask.all_objects.exists()
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        assert notices_escalate() == {"phone": 2, "knock": 0}
        assert notices_escalate() == {"phone": 0, "knock": 0}  # once
    phone = CallTask.all_objects.filter(stage=CallTask.Stage.PHONE)
    assert sorted(phone.values_list("person_id", flat=True)) == sorted(p.pk for p in residents["A"][1:])
    assert client.login(username="gwen", password=PASSWORD)
    page = client.get(reverse("notices:calls")).content.decode()
    assert "甲1" in page and "甲0" not in page and residents["A"][1].phone not in page
    reached = phone.get(person=residents["A"][1])
    assert client.post(reverse("notices:reached", args=[reached.pk])).status_code == 302
    with time_machine.travel(NOON + timedelta(hours=5, minutes=59), tick=False):
        assert notices_escalate()["knock"] == 0
    with time_machine.travel(NOON + timedelta(hours=6), tick=False):
        assert notices_escalate() == {"phone": 0, "knock": 1}
    knock = CallTask.all_objects.get(stage=CallTask.Stage.KNOCK)
    assert knock.person == residents["A"][2]
    page = client.get(reverse("notices:calls") + "?stage=knock").content.decode()
    assert "甲2" in page and "甲1" not in page
    client.logout()
    assert client.login(username="greg", password=PASSWORD)
    assert "甲2" not in client.get(reverse("notices:calls") + "?stage=knock").content.decode()
    assert client.post(reverse("notices:reached", args=[knock.pk])).status_code == 404


def test_acknowledgement_link_is_idempotent_and_masks(send, client, users, areas, make_person):
    person = make_person("A", name="王小明", phone="13912345678")
    notice = send(areas["A"], users["gwen"])
    delivery = Delivery.all_objects.get(notice=notice, person=person)
    url = reverse("notices_public:acknowledge", args=[delivery.code])
    page = client.get(url).content.decode()
    assert "王**您好" in page and "王小明" not in page and "13912345678" not in page and "万达广场" in page
    assert client.post(url).status_code == 200
    first = Delivery.all_objects.get(pk=delivery.pk)
    assert first.status == Delivery.Status.ACKNOWLEDGED and first.source == Delivery.Source.LINK
    assert client.post(url).status_code == 200
    assert Delivery.all_objects.get(pk=delivery.pk).acknowledged_at == first.acknowledged_at
    assert client.get(reverse("notices_public:acknowledge", args=["not-a-code"])).status_code == 404
    assert client.post(reverse("notices_public:acknowledge", args=["not-a-code"])).status_code == 404


def test_staff_marks_a_reply_acknowledged(send, client, users, areas, residents):
    notice = send(areas["B"], users["cora"])
    person = residents["B"][0]
    assert client.login(username="gwen", password=PASSWORD)
    assert client.post(reverse("notices:acknowledge", args=[notice.pk, person.pk])).status_code == 404
    client.logout()
    assert client.login(username="greg", password=PASSWORD)
    assert client.post(reverse("notices:acknowledge", args=[notice.pk, person.pk])).status_code == 302
    delivery = Delivery.all_objects.get(notice=notice, person=person)
    assert delivery.status == Delivery.Status.ACKNOWLEDGED and delivery.source == Delivery.Source.REPLY


def test_quiet_hours_defer_sms_to_their_end(send, users, areas, residents, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.NOTICES = {"QUIET_HOURS": ("22:00", "07:00")}
    night = datetime(2022, 9, 5, 23, 30, tzinfo=ZONE)
    morning = datetime(2022, 9, 6, 7, 0, tzinfo=ZONE)
    assert quiet_until(night) == morning
    assert quiet_until(datetime(2022, 9, 6, 6, 59, tzinfo=ZONE)) == morning
    assert quiet_until(datetime(2022, 9, 6, 7, 0, tzinfo=ZONE)) is None
    with time_machine.travel(night, tick=False):
        notice = send(areas["B"], users["greg"], channels=["sms"])
    sms = Delivery.all_objects.get(notice=notice, channel="sms")
    assert sms.status == Delivery.Status.QUEUED and sms.next_attempt_at == morning
    assert not (tmp_path / "sms.log").exists()
    with time_machine.travel(morning, tick=False):
        assert deliveries_dispatch()["sent"] == 1
    sms.refresh_from_db()
    assert sms.status == Delivery.Status.SENT
    logged = (tmp_path / "sms.log").read_text()
    assert sms.person.phone in logged and f"/n/{sms.code}/" in logged


def test_rate_per_minute_defers_the_rest(send, users, areas, residents, settings):
    settings.NOTICES = {"RATE_PER_MINUTE": {"inbox": 2}}
    with time_machine.travel(NOON, tick=False):
        notice = send(areas["A"], users["gwen"])
        statuses = sorted(Delivery.all_objects.filter(notice=notice).values_list("status", flat=True))
        assert statuses == ["queued", "sent", "sent"]
        assert Delivery.all_objects.get(notice=notice, status="queued").next_attempt_at == NOON + timedelta(minutes=1)
    with time_machine.travel(NOON + timedelta(minutes=1), tick=False):
        assert deliveries_dispatch()["sent"] == 1


def test_pages_answer(send, client, users, areas, residents):
    notice = send(areas["A"], users["gwen"])
    assert client.login(username="gwen", password=PASSWORD)
    for url in (
        reverse("notices:inbox"),
        reverse("notices:new"),
        reverse("notices:detail", args=[notice.pk]),
        reverse("notices:calls"),
    ):
        assert client.get(url).status_code == 200, url
    assert client.login(username="mia", password=PASSWORD)
    assert client.get(reverse("notices:inbox")).status_code == 403
