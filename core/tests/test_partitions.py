"""The high-volume tables are partitioned on PostgreSQL (core/partitions.py): after migrate each is a partitioned
table with a DEFAULT partition; rows land in their partition; the audit log's old months go as dropped partitions,
only under the audit purge's sanction and counted in its audit row; the append-only trigger holds on every
partition; the migration's step there and back keeps every row and the identity. The samples' and the visits'
own tests are in screening/tests and tracing/tests."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.audit import audit_partitions_drop, audit_record
from core.models import AuditEvent, AuditLogAppendOnly
from core.partitions import (
    AUDIT_EVENTS,
    LAYOUTS,
    VENUE_VISITS,
    partition_for,
    partitions_create,
    partitions_drop,
    table_partition,
    table_unpartition,
)
from core.retention import audit_events_purge
from core.scheduler import job_named

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's; SQLite keeps plain tables"
)


def partition_holding(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def aged(days, summary="old"):
    return AuditEvent.objects.create(
        action=AuditEvent.Action.CREATE, summary=summary, at=timezone.now() - timedelta(days=days)
    )


@on_postgresql
def test_the_tables_are_partitioned_by_range_on_their_key_with_a_default(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, p.partstrat, a.attname FROM pg_partitioned_table p "
            "JOIN pg_class c ON c.oid = p.partrelid "
            "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] ORDER BY 1"
        )
        partitioned = cursor.fetchall()
        cursor.execute(
            "SELECT inhparent::regclass::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'"
        )
        with_default = {parent for (parent,) in cursor.fetchall()}
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'p' AND conrelid = 'accounts_auditevent'::regclass"
        )
        primary_key = cursor.fetchone()
    assert partitioned == [
        ("accounts_auditevent", "r", "at"),
        ("screening_sample", "r", "round_id"),
        ("tracing_venuevisit", "r", "visited_at"),
    ]
    assert with_default == {layout.table for layout in LAYOUTS}
    assert primary_key == ("accounts_auditevent_pkey", "PRIMARY KEY (id, at)")


@on_postgresql
def test_an_audit_row_lands_in_its_months_partition_and_a_far_one_in_default(db):
    now = timezone.now()
    event = audit_record(AuditEvent.Action.CREATE, summary="now")
    far = AuditEvent.objects.create(action=AuditEvent.Action.CREATE, at=now + timedelta(days=3650))
    assert partition_holding("accounts_auditevent", event.pk) == f"accounts_auditevent_p{timezone.localdate():%Y%m}"
    assert partition_holding("accounts_auditevent", far.pk) == "accounts_auditevent_default"
    # The job made for the far month moves the row out of DEFAULT into it.
    assert partitions_create(now=far.at) >= 1
    assert partition_holding("accounts_auditevent", far.pk) == partition_for(AUDIT_EVENTS, far.at).name
    assert AuditEvent.objects.get(pk=far.pk).at == far.at
    # The move's sanction ended with it: the rest of the transaction may not delete audit rows.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [far.pk])


@on_postgresql
def test_the_append_only_trigger_holds_on_every_partition(db):
    for event in (audit_record(AuditEvent.Action.CREATE, summary="kept"), aged(-3650, "kept")):
        for sql in (
            "UPDATE accounts_auditevent SET summary = 'rewritten' WHERE id = %s",
            "DELETE FROM accounts_auditevent WHERE id = %s",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
                c.execute(sql, [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).summary == "kept"


@on_postgresql
def test_the_purge_drops_whole_old_months_and_counts_them_in_its_audit_row(db, settings):
    months_ago = timezone.now() - timedelta(days=400)
    partitions_create(now=months_ago)  # this month and 2 more, 400 days ago
    dropped_month = partition_for(AUDIT_EVENTS, months_ago)
    in_dropped = [aged(400, "in an old month"), aged(400, "in an old month")]
    in_default, recent = aged(1000, "in DEFAULT"), aged(10, "recent")
    assert {partition_holding("accounts_auditevent", e.pk) for e in in_dropped} == {dropped_month.name}
    settings.RETENTION_DAYS_BY_KIND = {**settings.RETENTION_DAYS_BY_KIND, "core.audit": 365}
    assert audit_events_purge() == 3
    left = set(
        AuditEvent.objects.filter(pk__in=[e.pk for e in [*in_dropped, in_default, recent]]).values_list("pk", flat=True)
    )
    assert left == {recent.pk}
    [purge] = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, detail__model="core.AuditEvent")
    assert purge.detail == {"model": "core.AuditEvent", "deleted": 3, "dropped": 2, "older_than_days": 365}
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [dropped_month.name])
        assert cursor.fetchone()[0] is None


@on_postgresql
def test_an_audit_partition_is_dropped_only_under_the_purges_sanction(db):
    long_ago = timezone.now() - timedelta(days=800)
    partitions_create(now=long_ago)
    aged(800)
    with pytest.raises(AuditLogAppendOnly):
        partitions_drop(AuditEvent, timezone.now() - timedelta(days=365))
    assert AuditEvent.objects.filter(summary="old").count() == 1
    assert audit_partitions_drop(timezone.now() - timedelta(days=365)) == (1, 3)  # its month and the 2 after
    assert not AuditEvent.objects.filter(summary="old").exists()


@on_postgresql
def test_the_migration_step_there_and_back_keeps_rows_and_identity(db):
    """The audit log made plain again and partitioned again, as `migrate core 0007` and back would."""
    events = [audit_record(AuditEvent.Action.CREATE, summary="before"), aged(60, "before"), aged(-3650, "before")]
    with connection.schema_editor(atomic=False) as editor:
        table_unpartition(editor, AUDIT_EVENTS)
        with connection.cursor() as cursor:
            cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'accounts_auditevent'")
            assert cursor.fetchone()[0] == "r"
        table_partition(editor, AUDIT_EVENTS)
    assert sorted(AuditEvent.objects.filter(summary="before").values_list("pk", flat=True)) == sorted(
        e.pk for e in events
    )
    assert partition_holding("accounts_auditevent", events[1].pk) == partition_for(AUDIT_EVENTS, events[1].at).name
    after = audit_record(AuditEvent.Action.CREATE, summary="after")
    assert after.pk > max(e.pk for e in events)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [after.pk])


@on_postgresql
def test_the_job_makes_the_coming_days_and_months(db):
    later = timezone.now() + timedelta(days=400)
    assert partitions_create(now=later) == VENUE_VISITS.ahead + 1 + AUDIT_EVENTS.ahead + 1
    assert partitions_create(now=later) == 0  # safe to run twice
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(%s), to_regclass(%s)",
            [
                partition_for(VENUE_VISITS, later + timedelta(days=7)).name,
                partition_for(AUDIT_EVENTS, later + timedelta(days=40)).name,
            ],
        )
        assert None not in cursor.fetchone()


def test_the_job_is_declared_daily_and_does_nothing_on_sqlite(db):
    job = job_named("core.partitions_create")
    assert job is not None and job.schedule.key.startswith("daily")
    if connection.vendor != "postgresql":
        assert partitions_create() == 0
        assert audit_partitions_drop(timezone.now()) == (0, 0)


@on_postgresql
def test_the_job_gives_the_partitioned_tables_statistics(db):
    """autovacuum never analyzes a partitioned table itself, and a plan across partitions without its statistics
    is blind: the daily job analyzes each one."""
    aged(1, "a row to count")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_statistic WHERE starelid = 'accounts_auditevent'::regclass")
        before = cursor.fetchone()[0]
        partitions_create()
        cursor.execute("SELECT count(*) FROM pg_statistic WHERE starelid = 'accounts_auditevent'::regclass")
        assert cursor.fetchone()[0] > before
