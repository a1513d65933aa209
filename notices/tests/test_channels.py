"""The WeCom group robot and the SMS HTTP backend against a real local HTTP server (http.server in a thread on
127.0.0.1), including a 500 answer retried with exponential backoff."""

import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.utils import timezone

from accounts.services import actor_for
from core.context import acting_as
from notices.models import Delivery, Notice, NoticeGroupRobot
from notices.services import deliveries_dispatch, notice_send

ZONE = timezone.get_default_timezone()
NOON = datetime(2022, 9, 5, 12, 0, tzinfo=ZONE)


class FakeServer:
    """Answers each POST with the next status of `answers` (then 200) and keeps what it received."""

    def __init__(self):
        self.received, self.answers = [], []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                fake.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": json.loads(self.rfile.read(length))}
                )
                status = fake.answers.pop(0) if fake.answers else 200
                payload = b'{"errcode": 0, "errmsg": "ok"}' if status == 200 else b'{"error": "down"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    with FakeServer() as server:
        yield server


def send(user, grid, channels, capture):
    with capture(execute=True), acting_as(actor_for(user)):
        return notice_send(
            grid,
            title="核酸通知",
            body="{name}您好，请到{site}采样。",
            audience=Notice.Audience.AREA,
            channels=channels,
            values={"site": "万达广场"},
            by=user,
        )


def test_wecom_robot_gets_one_message_per_grid(fake, users, areas, make_person, django_capture_on_commit_callbacks):
    for key in "AB":
        make_person(key)
        make_person(key)
        NoticeGroupRobot.all_objects.create(grid=areas[key], webhook_url=f"{fake.url}/robot/{key}")
    with time_machine.travel(NOON, tick=False):
        notice = send(users["cora"], areas["zhongfu"], ["wecom"], django_capture_on_commit_callbacks)
    assert sorted(r["path"] for r in fake.received) == ["/robot/A", "/robot/B"]
    body = fake.received[0]["body"]
    assert body["msgtype"] == "text" and "万达广场" in body["text"]["content"]
    assert "测试" not in body["text"]["content"]  # the group message names no resident
    robots = Delivery.all_objects.filter(notice=notice, channel="wecom")
    assert robots.count() == 2 and all(d.status == Delivery.Status.SENT for d in robots)
    assert all(d.person_id is None for d in robots)


def test_sms_http_500_is_retried_with_backoff(
    fake, users, areas, make_person, settings, django_capture_on_commit_callbacks
):
    person = make_person("B", phone="13912340000")
    settings.NOTICES = {
        "SMS_BACKEND": "http",
        "SMS_URL": f"{fake.url}/sms",
        "SMS_TOKEN": "secret-token",
        "BACKOFF_SECONDS": 60,
        "MAX_ATTEMPTS": 3,
        "QUIET_HOURS": ("23:00", "06:00"),
    }
    fake.answers = [500, 503]
    with time_machine.travel(NOON, tick=False):
        notice = send(users["greg"], areas["B"], ["sms"], django_capture_on_commit_callbacks)
    sms = Delivery.all_objects.get(notice=notice, channel="sms")
    assert len(fake.received) == 1
    first = fake.received[0]
    assert first["headers"]["Authorization"] == "Bearer secret-token"
    assert first["body"]["to"] == person.phone and f"/n/{sms.code}/" in first["body"]["text"]
    assert sms.status == Delivery.Status.QUEUED and sms.attempts == 1 and sms.answer.startswith("500")
    assert sms.next_attempt_at == NOON + timedelta(seconds=60)
    with time_machine.travel(NOON + timedelta(seconds=59), tick=False):
        assert deliveries_dispatch()["sent"] == 0 and len(fake.received) == 1  # not yet due
    with time_machine.travel(NOON + timedelta(seconds=60), tick=False):
        deliveries_dispatch()
    sms.refresh_from_db()
    assert sms.attempts == 2 and sms.answer.startswith("503")
    assert sms.next_attempt_at == NOON + timedelta(seconds=60 + 120)  # doubled
    with time_machine.travel(NOON + timedelta(seconds=180), tick=False):
        assert deliveries_dispatch()["sent"] == 1
    sms.refresh_from_db()
    assert sms.status == Delivery.Status.SENT and sms.attempts == 3 and len(fake.received) == 3


def test_sms_gives_up_after_max_attempts_and_a_dead_server_is_a_failure(
    users, areas, make_person, settings, django_capture_on_commit_callbacks
):
    make_person("B")
    with FakeServer() as dead:
        url = dead.url
    settings.NOTICES = {
        "SMS_BACKEND": "http",
        "SMS_URL": f"{url}/sms",
        "MAX_ATTEMPTS": 2,
        "BACKOFF_SECONDS": 1,
        "QUIET_HOURS": ("23:00", "06:00"),
    }
    with time_machine.travel(NOON, tick=False):
        notice = send(users["greg"], areas["B"], ["sms"], django_capture_on_commit_callbacks)
    sms = Delivery.all_objects.get(notice=notice)
    assert sms.status == Delivery.Status.QUEUED and sms.answer.startswith("error")
    with time_machine.travel(NOON + timedelta(seconds=1), tick=False):
        assert deliveries_dispatch()["failed"] == 1
    sms.refresh_from_db()
    assert sms.status == Delivery.Status.FAILED and sms.next_attempt_at is None
