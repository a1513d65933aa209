"""The limits and the login lock-out hold across processes: `gridcare serve` with 3 gunicorn workers on a free
loopback port, against the test database, hit by concurrent threads (loopback only, bounded in count and time)."""

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from conftest import PASSWORD
from gridcare.tests.test_serve import free_port

HOST = "127.0.0.1"
OTHER_ADDRESS = "127.0.0.2"  # the whole of 127.0.0.0/8 is loopback on Linux: a second client address


def _database_url():
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, host, port = settings["USER"] or "postgres", settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


class Served:
    def __init__(self, port):
        self.port = port

    def request(self, method, path, body=None, headers=None, source=HOST):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60, source_address=(source, 0))
        try:
            data = urllib.parse.urlencode(body) if body is not None else None
            all_headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            return response.status, response.read().decode(), response.getheader("Set-Cookie") or ""
        finally:
            conn.close()

    def csrf(self, path, source=HOST):
        """A CSRF cookie and token from a GET of the form, as a browser gets them."""
        _, page, cookie = self.request("GET", path, source=source)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return {"Cookie": cookie.split(";")[0]}, token

    def post_form(self, path, fields, source=HOST):
        headers, token = self.csrf(path, source)
        return self.request("POST", path, {**fields, "csrfmiddlewaretoken": token}, headers, source)


@pytest.fixture
def served(tmp_path, transactional_db):
    port = free_port()
    env = {
        **os.environ,
        "GRIDCARE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": _database_url(),
        "TASK_BACKEND": "immediate",
        "LOCKOUT_FAILURES": "5",
        "CACHE_URL": "",
        "REDIS_URL": "",
    }
    gridcare = [sys.executable, "-c", "import sys; from gridcare.cli import main; sys.exit(main())"]
    server = subprocess.Popen(
        [*gridcare, "serve", f"{HOST}:{port}", "--workers", "3", "--no-tasks"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    live = Served(port)
    deadline = time.monotonic() + 90
    while True:
        try:
            if live.request("GET", "/accounts/login/")[0] == 200:
                break
        except OSError:
            pass
        assert server.poll() is None, "gridcare serve stopped"
        assert time.monotonic() < deadline, "gridcare serve did not answer in 90 s"
        time.sleep(0.3)
    time.sleep(2)  # the other workers finish booting, so the burst meets all three
    try:
        yield live
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _away_from_the_hour():
    """The limits count in fixed hourly windows: keep the burst inside one."""
    left = 3600 - time.time() % 3600
    if left < 30:
        time.sleep(left + 1)


def _burst(n, fn):
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: fn(), range(n)))


@pytest.mark.slow
def test_limits_and_lockout_hold_across_three_gunicorn_workers(served, users, areas):
    from axes.models import AccessAttempt

    from care.models import CareSettings, HelpRequest
    from core.models import AuditEvent

    care = CareSettings.current()
    care.public_requests_per_hour = 5
    care.save()
    _away_from_the_hour()

    # (a) 12 concurrent help requests from one address, 5 per hour: exactly 5 get in.
    fields = {
        "community": areas["zhongfu"].pk,
        "kind": "supplies",
        "requester_name": "周居民",
        "requester_phone": "13700001111",
        "description": "家里没米了",
    }
    statuses = [s for s, _, _ in _burst(12, lambda: served.post_form("/care/help/", fields))]
    assert sorted(statuses) == [302] * 5 + [429] * 7, statuses
    assert HelpRequest.all_objects.count() == 5

    # (b) 40 concurrent wrong passwords for one username from one address: 5 are checked, 35 refused unchecked.
    login = "/accounts/login/"
    results = _burst(40, lambda: served.post_form(login, {"username": "gwen", "password": "wrong-password"}))
    statuses = [s for s, _, _ in results]
    assert statuses.count(200) == 5 and statuses.count(429) == 35, statuses
    assert AccessAttempt.objects.get(username="gwen", ip_address=HOST).failures_since_start == 5
    failed = AuditEvent.objects.filter(action="login_failed", actor_name="gwen")
    assert failed.filter(detail__refused=False).count() == 5
    assert failed.filter(detail__refused=True).count() == 35

    # (c) the right password: refused from that address, let in from another.
    assert served.post_form(login, {"username": "gwen", "password": PASSWORD})[0] == 429
    assert served.post_form(login, {"username": "gwen", "password": PASSWORD}, source=OTHER_ADDRESS)[0] == 302
    assert AuditEvent.objects.filter(action="login", actor_name="gwen", ip=OTHER_ADDRESS).exists()
