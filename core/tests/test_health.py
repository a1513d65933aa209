"""/healthz and /readyz: public, uncached, no cookie, never limited; /readyz names what is not ready."""

import pytest
from django.db import connection

PROBES = ["/healthz", "/readyz"]


def assert_probe_answer(response):
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    assert not response.cookies, f"a probe set {list(response.cookies)}"


def test_live_answers_ok_without_touching_the_database(client):
    """No database fixture: pytest-django fails any database access of this test."""
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
    assert_probe_answer(response)


def test_ready_answers_each_check(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ready": True, "checks": {"database": "ok", "tasks": "ok"}}
    assert_probe_answer(response)


def test_ready_checks_the_database_task_backends_table(client, db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert client.get("/readyz").json()["checks"] == {"database": "ok", "tasks": "ok"}


def test_probes_are_public_and_never_limited(client, users):
    """Anonymous and logged in alike, a load balancer's every few seconds for long: never a 429, a login redirect
    or a session."""
    for _ in range(120):
        for url in PROBES:
            assert client.get(url).status_code == 200
    client.force_login(users["gwen"])
    assert [client.get(url).status_code for url in PROBES] == [200, 200]


def test_probes_refuse_writes(client, db):
    assert [client.post(url).status_code for url in PROBES] == [405, 405]


@pytest.mark.django_db(transaction=True)
def test_ready_is_503_naming_the_database_when_it_does_not_answer(client, tmp_path, caplog):
    """The real connection pointed at a database that is not there (a missing file; a missing PostgreSQL
    database), then put back."""
    saved = connection.settings_dict["NAME"]
    missing = str(tmp_path / "gone" / "gridcare.sqlite3") if connection.vendor == "sqlite" else "gridcare_gone"
    connection.close()
    connection.settings_dict["NAME"] = missing
    try:
        live = client.get("/healthz")
        response = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved
    assert live.status_code == 200  # alive, not ready
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False and body["checks"]["database"] == "failed"
    assert missing not in response.content.decode()  # nothing of the setup for the world
    assert "database check failed: OperationalError" in caplog.text  # the why, for the operator
    assert_probe_answer(response)
    assert client.get("/readyz").status_code == 200  # back


def test_ready_is_503_naming_the_broker_when_redis_does_not_answer(client, db, settings):
    """RQ configured against a Redis nobody listens on (port 1): the database is fine, the broker is not."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks == {"database": "ok", "tasks": "failed"}
