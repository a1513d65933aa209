"""The audit log only grows: the ORM refuses to change or delete a row, the admin offers neither, PostgreSQL's
trigger refuses raw SQL too; the one deletion is retention's (AUDIT_KEEP_DAYS), and a deleted user's rows keep their
name with the user set to NULL."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from core.audit import audit_record
from core.models import AuditEvent, AuditLogAppendOnly
from core.retention import audit_events_purge

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


def aged(days, summary):
    """An audit row `days` old, written as it would have been then (the log refuses a later change of `at`)."""
    return AuditEvent.objects.create(
        action=AuditEvent.Action.CREATE, summary=summary, at=timezone.now() - timedelta(days=days)
    )


def test_the_orm_refuses_to_change_or_delete_a_row(db):
    event = audit_record(AuditEvent.Action.CREATE, summary="kept")
    event.summary = "rewritten"
    with pytest.raises(AuditLogAppendOnly):
        event.save()
    with pytest.raises(AuditLogAppendOnly):
        event.delete()
    with pytest.raises(AuditLogAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(AuditLogAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditLogAppendOnly):
        AuditEvent.objects.all().delete()
    assert list(AuditEvent.objects.values_list("summary", flat=True)) == ["kept"]


def test_the_admin_may_neither_change_nor_delete(client, users):
    event = audit_record(AuditEvent.Action.CREATE, summary="kept")
    assert client.login(username="dana", password=PASSWORD)
    change = client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"summary": "rewritten"})
    delete = client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert change.status_code == 403 and delete.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).summary == "kept"
    response = client.get(reverse("admin:core_auditevent_changelist"))
    assert response.status_code == 200 and 'name="action"' not in response.content.decode()  # no bulk delete


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_raw_sql_update_and_delete():
    event = audit_record(AuditEvent.Action.CREATE, summary="kept")
    for sql in (
        "UPDATE accounts_auditevent SET summary = 'rewritten' WHERE id = %s",
        "DELETE FROM accounts_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == "kept"
    with transaction.atomic(), connection.cursor() as cursor:  # the purge's setting ends with its transaction
        cursor.execute("SET LOCAL gridcare.audit_purge = 'on'")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_retention_deletes_expired_rows_only_when_asked(settings):
    old, recent = aged(400, "old"), aged(10, "recent")
    settings.RETENTION_DAYS_BY_KIND = {**settings.RETENTION_DAYS_BY_KIND, "core.audit": 0}  # the default: kept
    assert audit_events_purge() == 0
    assert AuditEvent.objects.filter(pk__in=[old.pk, recent.pk]).count() == 2

    settings.RETENTION_DAYS_BY_KIND = {**settings.RETENTION_DAYS_BY_KIND, "core.audit": 365}
    assert audit_events_purge() == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists() and AuditEvent.objects.filter(pk=recent.pk).exists()
    [purge] = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, detail__model="core.AuditEvent")
    assert purge.detail == {"model": "core.AuditEvent", "deleted": 1, "dropped": 0, "older_than_days": 365}
    with pytest.raises(AuditLogAppendOnly):  # and the log is append-only again
        AuditEvent.objects.filter(pk=recent.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_a_deleted_users_rows_keep_their_name(users):
    gwen = users["gwen"]
    event = audit_record(AuditEvent.Action.CREATE, summary="by gwen", actor=gwen)
    gwen.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id is None and event.actor_name == "gwen" and event.summary == "by gwen"
