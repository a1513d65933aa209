"""The scheduler, driven through its one-tick function (the one `gridcare scheduler` loops on) with a moved clock:
jobs fire on time, a missed run is made up once at start, a failing job is recorded and does not stop the others,
two schedulers fire a run once, and the status page shows it all to the district admin only."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import FollowUpTask, HelpRequest, RequestDeadline, RequestKind
from care.services import help_request_create, ledger_entry_save, pairing_assign
from conftest import PASSWORD
from core.models import ScheduledJob
from core.scheduler import _error_summary, _fire, _states, registered_jobs, scheduler_tick
from registry.models import SpecialGroup

PLAN_DAY, ESCALATE = "care.followup_plan_day", "care.help_request_escalate"


def local(day, hour, minute=0, second=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second)))


def tick_at(time_machine, moment):
    time_machine.move_to(moment, tick=False)
    return scheduler_tick()


def state(name):
    return ScheduledJob.objects.get(name=name)


@pytest.fixture
def paired(make_person, users):
    """A person of grid A on the ledger, paired with gwen, never reached (so due every day)."""
    person = make_person("A", name="独居甲")
    ledger_entry_save(person, SpecialGroup.objects.get(code="elderly_alone"))
    pairing_assign(person, users["gwen"])
    return person


def test_every_app_declares_its_jobs_with_unique_names():
    names = [job.name for job in registered_jobs()]
    assert len(names) == len(set(names))
    assert {PLAN_DAY, ESCALATE, "core.idempotency_keys_prune", "core.retention_purge"} <= set(names)


def test_an_overdue_request_escalates_to_the_street_without_a_command(make_person, time_machine):
    person = make_person("A", name="求助人")
    request = help_request_create(
        area=person.grid,
        person=person,
        kind=RequestKind.RELIEF,
        channel=HelpRequest.Channel.HOTLINE,
        requester_name="求助人",
        description="rice",
    )
    period = timedelta(hours=RequestDeadline.hours(request.kind, request.green_channel))

    tick_at(time_machine, request.deadline_at - timedelta(minutes=10))
    request.refresh_from_db()
    assert request.escalated_to is None

    tick_at(time_machine, request.deadline_at + timedelta(minutes=6))
    request.refresh_from_db()
    assert request.escalated_to.name == "中福社区"

    tick_at(time_machine, request.deadline_at + period + timedelta(minutes=6))
    request.refresh_from_db()
    assert request.escalated_to.name == "礼乐街道" and request.escalated_to.level == 2
    assert request.events.filter(action="escalate").count() == 2


def test_the_days_follow_ups_are_planned_at_dawn(paired, time_machine):
    day = timezone.localdate() + timedelta(days=3)
    tick_at(time_machine, local(day, 4))  # the scheduler's first start: every job is due at once
    assert state(PLAN_DAY).next_run_at == local(day, 5)

    tick_at(time_machine, local(day, 5, 0, 10))  # the day's own 05:00 run (already planned: nothing new)
    assert FollowUpTask.all_objects.filter(person=paired, day=day).count() == 1

    next_day = day + timedelta(days=1)
    tick_at(time_machine, local(next_day, 4, 59, 50))
    assert not FollowUpTask.all_objects.filter(person=paired, day=next_day).exists()
    tick_at(time_machine, local(next_day, 5, 0, 10))
    assert FollowUpTask.all_objects.filter(person=paired, day=next_day).count() == 1
    job = state(PLAN_DAY)
    assert job.runs == 3 and job.last_run_at == local(next_day, 5, 0, 10) and not job.last_error
    assert job.next_run_at == local(next_day + timedelta(days=1), 5)


def test_a_missed_run_is_caught_up_once_at_start(paired, time_machine):
    day = timezone.localdate() + timedelta(days=1)
    tick_at(time_machine, local(day, 5, 1))
    escalations = state(ESCALATE).runs
    # No scheduler ran for three days (a power cut); it starts again at noon.
    restart = day + timedelta(days=3)
    next_due = tick_at(time_machine, local(restart, 12, 0, 30))
    job = state(PLAN_DAY)
    assert job.runs == 2 and job.next_run_at == local(restart + timedelta(days=1), 5)
    assert FollowUpTask.all_objects.filter(person=paired, day=restart).count() == 1
    assert state(ESCALATE).runs == escalations + 1  # once, not 864 times
    assert next_due == local(restart, 12, 1)  # the soonest job: tracing's hand-over escalation, every minute


def test_a_failing_job_records_its_error_and_the_next_job_still_runs(settings, time_machine, users, client):
    settings.IDEMPOTENCY_KEY_DAYS = "seven"  # a broken setting: the prune job fails on it
    day = timezone.localdate() + timedelta(days=1)
    tick_at(time_machine, local(day, 3))
    failed = state("core.idempotency_keys_prune")
    assert failed.last_run_failed and failed.failures == 1 and failed.runs == 1
    assert "TypeError" in failed.last_error and "idempotency_keys_prune" in failed.last_error
    assert "TypeError" in failed.last_error_line
    for name in ("core.sessions_purge", PLAN_DAY, ESCALATE):
        assert state(name).runs == 1 and not state(name).last_error

    client.login(username="dana", password=PASSWORD)
    page = client.get(reverse("core:scheduled_jobs"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Prune idempotency keys" in page and failed.last_error_line in page and "failed" in page

    settings.IDEMPOTENCY_KEY_DAYS = 7
    tick_at(time_machine, local(day, 3, 10, 5))
    fixed = state("core.idempotency_keys_prune")
    assert fixed.runs == 2 and fixed.failures == 1 and not fixed.last_run_failed
    assert "TypeError" in fixed.last_error  # the last error stays visible, dated, after the next success


def test_an_error_quoting_an_id_or_phone_number_is_stored_masked():
    summary = _error_summary(ValueError("Key (id_number)=(440704199001011234) exists; phone 13812345678"))
    assert "440704199001011234" not in summary and "440704********1234" in summary
    assert "13812345678" not in summary and "138****5678" in summary


def test_of_two_schedulers_that_read_the_same_due_run_only_one_fires_it(db):
    now = timezone.now()
    jobs = registered_jobs()
    first, second = _states(jobs, now), _states(jobs, now)  # both read the rows before either fires
    for job in jobs:
        _fire(job, first[job.name], now)
        _fire(job, second[job.name], now)
    assert all(state(job.name).runs == 1 for job in jobs)


def test_a_changed_schedule_is_retimed(db):
    now = timezone.now()
    scheduler_tick(now)
    ScheduledJob.objects.filter(name=PLAN_DAY).update(schedule="daily 06:00", next_run_at=now + timedelta(days=9))
    scheduler_tick(now)
    job = state(PLAN_DAY)
    assert job.schedule == "daily 05:00" and job.next_run_at - now <= timedelta(days=1)
    assert timezone.localtime(job.next_run_at).time() == time(5)


def test_the_status_page_is_the_district_admins(client, users, time_machine):
    url = reverse("core:scheduled_jobs")
    client.login(username="dana", password=PASSWORD)
    page = client.get(url).content.decode()
    assert "排定当日随访电话" in page and "调度器启动时" in page  # no scheduler has run yet
    assert f'href="{url}"' in client.get(reverse("home")).content.decode()  # in the admin's menu

    tick_at(time_machine, timezone.now())
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Escalate overdue help requests" in english and "every 5 minutes" in english
    assert "every day at 05:00" in english and "never" not in english and "Traceback" not in english

    time_machine.move_to(timezone.now() + timedelta(minutes=15), tick=False)
    assert "no scheduler seems to be running" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    client.login(username="gwen", password=PASSWORD)
    assert client.get(url).status_code == 403
    assert f'href="{url}"' not in client.get(reverse("home")).content.decode()
    client.logout()
    assert client.get(url).status_code == 302


def test_a_run_still_queued_is_not_enqueued_again_until_it_finishes_or_is_lost(db, settings, time_machine):
    """The dashboards' recount can take longer than its minute in a full round: runs must not pile up in the queue.
    A database queue with no worker holds the first run, as a busy one would."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    job = "command.dashboards_warm"
    start = timezone.now().replace(second=30, microsecond=0)

    def queued():
        return DBTaskResult.objects.filter(args_kwargs__args=[job]).count()

    tick_at(time_machine, start)
    assert queued() == 1
    tick_at(time_machine, start + timedelta(minutes=3))  # three runs were due: the first has not run yet
    assert queued() == 1 and state(job).next_run_at > start + timedelta(minutes=3)

    ScheduledJob.objects.filter(name=job).update(last_run_at=start + timedelta(minutes=3, seconds=10))  # it ran
    tick_at(time_machine, start + timedelta(minutes=4))
    assert queued() == 2

    tick_at(time_machine, start + timedelta(minutes=40))  # never finished (the worker was killed): taken as lost
    assert queued() == 3
