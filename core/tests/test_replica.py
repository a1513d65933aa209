"""Reads from a replica (core.replica): dashboards, coverage and exports read there when one is configured; a
writer's own pages read their writes; a replica that lags or stops never breaks a page.

In tests the replica alias is a MIRROR of default: the same test database through a second connection. That
connection cannot see what the test's transaction on default has not committed, so these tests are transactional.
They need PostgreSQL and DATABASE_REPLICA_URL (e.g. the same URL as DATABASE_URL); without them they skip."""

import socket
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import OperationalError, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import replica
from core.context import acting_as, user_actor
from core.exports import export_run, export_start
from core.models import Export
from registry.models import Household, Person
from screening.tests import conftest as screening_fixtures

PG_REPLICA = pytest.mark.skipif(
    "replica" not in connections or connections["default"].vendor != "postgresql",
    reason="no replica configured: needs PostgreSQL and DATABASE_REPLICA_URL (the tests mirror default)",
)
campaign, round1 = screening_fixtures.campaign, screening_fixtures.round1  # the screening tests' round 1
REPLICA_DB = pytest.mark.django_db(databases=["default", "replica"], transaction=True)
NOW = datetime(2022, 9, 5, 2, 0, tzinfo=UTC)  # round 1 of the screening conftest's campaign is on


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


@pytest.fixture
def fresh_replica():
    """The replica's check forgotten before and after (its answer is kept per process), and its address put back."""
    settings_dict = connections["replica"].settings_dict
    port = settings_dict["PORT"]
    replica.replica_reset()
    yield
    settings_dict["PORT"] = port
    connections["replica"].close()
    replica.replica_reset()


@pytest.fixture
def people(make_person):
    return [make_person("A") for _ in range(3)] + [make_person("B") for _ in range(2)]


def _stop(settings_dict):
    """The replica stops: its alias now points at a port where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    settings_dict["PORT"] = str(free)
    connections["replica"].close()


@contextmanager
def _sql_on(alias):
    """The SQL run on `alias` inside the block. Unlike CaptureQueriesContext it does not connect first, so it
    works on a stopped replica too."""
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connections[alias].execute_wrapper(record):
        yield seen


def _get(client, url):
    """GET url; (response, SQL run on the replica, SQL run on default)."""
    with _sql_on("replica") as on_replica, _sql_on("default") as on_default:
        response = client.get(url)
    return response, " ".join(on_replica), " ".join(on_default)


def _export(user, area):
    """An export of `area`'s persons by `user`, run (by the task when TASK_BACKEND=immediate, on commit)."""
    with acting_as(user_actor(user)):
        export = export_start("registry.persons", {"area": area.code})
        export_run(export.pk)  # nothing to do if the task has run
    return Export.all_objects.get(pk=export.pk)


def _figure(response, tile, key):
    return next(f["value"] for t in response.context["tiles"] if t.key == tile for f in t.figures if f["key"] == key)


def test_without_a_replica_reads_stay_on_default(db, users):
    """Whatever is configured, outside on_replica() nothing is routed, and writes never are."""
    assert replica.ReplicaRouter().db_for_read(Person) is None
    assert replica.ReplicaRouter().db_for_write(Person) == "default"
    if "replica" not in connections:
        with replica.replica_reads() as use:
            assert not use
        assert replica.on_replica(Person.all_objects.count) == 0


@PG_REPLICA
@REPLICA_DB
def test_dashboard_counts_and_exports_read_from_the_replica(client, users, areas, people, fresh_replica):
    client.force_login(users["dana"])
    with CaptureQueriesContext(connections["replica"]) as read:
        response = client.get(reverse("command:dashboard"))
    assert response.status_code == 200
    assert any('"registry_household"' in q["sql"] for q in read)
    assert _figure(response, "registry.population", "households") == Household.all_objects.count() == 5

    with CaptureQueriesContext(connections["replica"]) as read:
        export = _export(users["gwen"], areas["A"])
    assert (export.status, export.rows_done) == ("done", 3)
    assert any('"registry_person"' in q["sql"] for q in read)


@PG_REPLICA
@REPLICA_DB
def test_the_scope_filter_holds_on_the_replica(users, areas, people, fresh_replica):
    with acting_as(user_actor(users["gwen"])), CaptureQueriesContext(connections["replica"]) as read:
        mine = replica.on_replica(Person.objects.count)
        explicit = Person.objects.using("replica").count()
    assert mine == explicit == 3 and sum('"registry_person"' in q["sql"] for q in read) == 2


@PG_REPLICA
@REPLICA_DB
def test_a_writer_reads_their_own_writes_for_the_sticky_window(client, users, areas, people, round1, fresh_replica):
    client.force_login(users["dana"])
    coverage = reverse("screening:coverage", args=[round1.pk])
    with time_machine.travel(NOW, tick=False) as clock:
        response = client.post(reverse("exports:start"), {"list": "registry.persons", "area": areas["A"].code})
        assert response.status_code == 302
        response, on_replica, on_default = _get(client, coverage)
        assert response.status_code == 200 and '"screening_' not in on_replica and '"screening_' in on_default

        clock.shift(timedelta(seconds=11))
        response, on_replica, _ = _get(client, coverage)
        assert response.status_code == 200 and '"screening_' in on_replica
    # someone who has not written reads from the replica meanwhile
    with acting_as(user_actor(users["stella"])), replica.replica_reads() as use:
        assert use


@PG_REPLICA
@REPLICA_DB
def test_a_stopped_replica_never_breaks_a_page_and_is_left_alone_until_the_retry(
    client,
    users,
    areas,
    people,
    round1,
    settings,
    fresh_replica,
):
    settings_dict = connections["replica"].settings_dict
    port = settings_dict["PORT"]
    client.force_login(users["dana"])
    coverage = reverse("screening:coverage", args=[round1.pk])
    with time_machine.travel(NOW, tick=False) as clock:
        response, on_replica, _ = _get(client, coverage)  # the check passes: healthy for CHECK_SECONDS
        assert response.status_code == 200 and '"screening_' in on_replica

        _stop(settings_dict)  # … and then the replica stops: the next reads fail mid-way, on its connection
        dashboard, on_replica, on_default = _get(client, reverse("command:dashboard"))
        assert dashboard.status_code == 200 and on_replica == "" and '"registry_household"' in on_default
        assert _figure(dashboard, "registry.population", "households") == 5
        assert replica._state == {"until": NOW.timestamp() + settings.REPLICA_RETRY_SECONDS, "healthy": False}

        response, on_replica, _ = _get(client, coverage)
        assert response.status_code == 200 and on_replica == ""
        export = _export(users["gwen"], areas["A"])
        assert (export.status, export.rows_done) == ("done", 3)

        settings_dict["PORT"] = port  # the replica is back, but nobody tries it before the retry time
        clock.shift(timedelta(seconds=settings.REPLICA_RETRY_SECONDS - 1))
        response, on_replica, _ = _get(client, coverage)
        assert response.status_code == 200 and on_replica == ""
        assert replica._state["until"] == NOW.timestamp() + settings.REPLICA_RETRY_SECONDS

        clock.shift(timedelta(seconds=2))
        response, on_replica, _ = _get(client, coverage)
        assert response.status_code == 200 and '"screening_' in on_replica


@PG_REPLICA
@REPLICA_DB
def test_an_export_whose_replica_stops_after_the_check_is_written_on_the_primary(users, areas, people, fresh_replica):
    """The replica stops between the check and the rows: the file is written from the start on the primary."""
    with time_machine.travel(NOW, tick=False):
        assert replica.replica_healthy()
        _stop(connections["replica"].settings_dict)
        export = _export(users["gwen"], areas["A"])
    assert (export.status, export.rows_done, export.rows_total) == ("done", 3, 3)
    assert Export.all_objects.get().status == "done" and not replica._state["healthy"]


@PG_REPLICA
@REPLICA_DB
def test_a_lagging_replica_is_not_read(client, users, round1, settings, fresh_replica):
    """The lag is measured for real (a mirror is not in recovery: 0 s); a limit below it makes the replica lag."""
    assert replica.replica_lag() == 0.0
    settings.REPLICA_MAX_LAG_SECONDS = -1
    client.force_login(users["dana"])
    response, on_replica, on_default = _get(client, reverse("screening:coverage", args=[round1.pk]))
    assert response.status_code == 200 and on_replica.count("pg_is_in_recovery") == 1
    assert '"screening_' not in on_replica and '"screening_' in on_default
    assert replica._state["healthy"] is False


@PG_REPLICA
@REPLICA_DB
def test_an_error_of_the_primary_is_not_taken_for_the_replicas(users, fresh_replica):
    """Only a failure of the replica's connection sends the work to the primary; the primary's own propagates."""

    def slow_on_default():
        with connections["default"].cursor() as cursor:
            cursor.execute("SET statement_timeout = 1")
            try:
                cursor.execute("SELECT pg_sleep(1)")
            finally:
                cursor.execute("SET statement_timeout = 0")

    with pytest.raises(OperationalError):
        replica.on_replica(slow_on_default)
    assert replica._state["healthy"] is True
