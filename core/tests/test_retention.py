"""The retention jobs delete what is old, keep what is new, audit every deletion with its count, and never touch the
audit log."""

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.models import AuditEvent, IdempotencyKey
from core.retention import idempotency_keys_prune, sessions_purge, task_results_purge


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def purge_audits(model_label):
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, detail__model=model_label))


def test_idempotency_keys_older_than_the_setting_are_pruned(db, settings):
    settings.IDEMPOTENCY_KEY_DAYS = 7
    for key, age in (("old", 8), ("new", 6)):
        row = IdempotencyKey.objects.create(scope="tube", key=key, body_hash="x", status=200, response={})
        IdempotencyKey.objects.filter(pk=row.pk).update(created_at=ago(days=age))
    audit_rows = AuditEvent.objects.count()

    assert idempotency_keys_prune() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    [audit] = purge_audits("core.IdempotencyKey")
    assert audit.detail == {"model": "core.IdempotencyKey", "deleted": 1, "older_than_days": 7}
    assert AuditEvent.objects.count() == audit_rows + 1  # the log only grows
    assert idempotency_keys_prune() == 0 and len(purge_audits("core.IdempotencyKey")) == 1  # nothing: no row


def test_expired_sessions_go_live_ones_stay(db):
    for name, expiry in (("expired", ago(minutes=1)), ("live", ago(minutes=-60))):
        store = SessionStore()
        store["name"] = name
        store.set_expiry(expiry)
        store.save()
    assert sessions_purge() == 1
    assert [SessionStore().decode(s.session_data)["name"] for s in Session.objects.all()] == ["live"]
    assert purge_audits("sessions.Session")[0].detail["deleted"] == 1


def test_finished_task_results_older_than_the_setting_are_deleted(db, settings):
    settings.RETENTION_DAYS = 30
    now = timezone.now()

    def result(status, finished_days_ago):
        finished = now - timedelta(days=finished_days_ago) if finished_days_ago is not None else None
        return DBTaskResult.objects.create(
            status=status,
            finished_at=finished,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="core.scheduler.scheduled_job_run",
            backend_name="default",
            run_after=now,
        )

    old_ok, old_failed = result(TaskResultStatus.SUCCESSFUL, 31), result(TaskResultStatus.FAILED, 40)
    recent, waiting = result(TaskResultStatus.SUCCESSFUL, 2), result(TaskResultStatus.READY, None)
    assert task_results_purge() == 2
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not DBTaskResult.objects.filter(pk__in=[old_ok.pk, old_failed.pk]).exists()
