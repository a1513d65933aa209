"""Jobs that run by themselves. Each app lists its jobs in `<app>/jobs.py` (`JOBS = [Job(...), ...]`); the scheduler
(`gridcare scheduler`, a child of `gridcare serve`) enqueues each one on time as the django-tasks task
`scheduled_job_run`, which runs it as the system and records how it went in `core.models.ScheduledJob`.

APScheduler's triggers compute the fire times (time zones, daylight saving, cron fields); the state and the
firing are ours, in the database, so that a missed run is caught up at start and two schedulers on two machines
fire each run once (see docs/DECISIONS.md "Scheduled jobs")."""

import logging
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.db import IntegrityError, close_old_connections
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks import task

from core.context import system_actor
from core.discovery import app_modules
from core.masking import mask_numbers_in
from core.models import ScheduledJob

logger = logging.getLogger(__name__)
_AFTER = timedelta(microseconds=1)
ENQUEUE_RETRY = timedelta(minutes=1)  # a trigger answers "at or after"; a run that just fired needs "after"
# A run enqueued this long ago that has not finished is taken as lost (its worker was killed): the next one fires.
PENDING_LOST_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class Daily:
    """Every day at hour:minute, local time (TIME_ZONE)."""

    hour: int
    minute: int

    @property
    def key(self):
        return f"daily {self.hour:02d}:{self.minute:02d}"

    def describe(self):
        return _("every day at %(time)s") % {"time": f"{self.hour:02d}:{self.minute:02d}"}

    def next_after(self, moment):
        trigger = CronTrigger(hour=self.hour, minute=self.minute, timezone=timezone.get_default_timezone())
        return trigger.get_next_fire_time(None, moment + _AFTER)


@dataclass(frozen=True)
class Every:
    """Every n minutes on the clock (:00, :05, … for 5): the same times on every machine and after a restart."""

    minutes: int

    @property
    def key(self):
        return f"every {self.minutes} min"

    def describe(self):
        return ngettext("every minute", "every %(n)d minutes", self.minutes) % {"n": self.minutes}

    def next_after(self, moment):
        zone = timezone.get_default_timezone()
        trigger = IntervalTrigger(minutes=self.minutes, start_date=datetime(2000, 1, 1, tzinfo=zone), timezone=zone)
        return trigger.get_next_fire_time(None, moment + _AFTER)


def daily(at):
    """daily("05:00")"""
    hour, minute = (int(part) for part in at.split(":"))
    return Daily(hour, minute)


def every(*, minutes):
    return Every(minutes)


@dataclass(frozen=True)
class Job:
    """`run` is called with no arguments, as the system; it must be safe to run twice (a retry, a catch-up)."""

    name: str  # "care.escalate": unique, stable (the state row is keyed by it)
    label: str  # what the status page calls it (translated)
    schedule: Daily | Every
    run: object


def registered_jobs():
    """Every app's JOBS, in app order."""
    return [job for module in app_modules("jobs") for job in getattr(module, "JOBS", ())]


def job_named(name):
    return next((job for job in registered_jobs() if job.name == name), None)


# --- the scheduler ------------------------------------------------------------------------------------------


def scheduler_tick(now=None):
    """One pass of the scheduler: enqueues, once, every job whose time has come — including one whose time came while
    no scheduler ran (a missed run is caught up now, once, however many were missed; a job never run before is due
    at once). Returns when the next job is due. `gridcare scheduler` loops on it."""
    now = now or timezone.now()
    jobs = registered_jobs()
    states = _states(jobs, now)
    for job in jobs:
        if states[job.name].next_run_at <= now:
            _fire(job, states[job.name], now)
    return min((s.next_run_at for s in ScheduledJob.objects.filter(name__in=[j.name for j in jobs])), default=None)


def _states(jobs, now):
    """The state row of each job, created due-now for a new one; a job whose schedule changed is re-timed."""
    states = ScheduledJob.objects.in_bulk([job.name for job in jobs], field_name="name")
    for job in jobs:
        state = states.get(job.name)
        if state is None:
            try:
                state, _ = ScheduledJob.objects.get_or_create(
                    name=job.name, defaults={"schedule": job.schedule.key, "next_run_at": now}
                )
            except IntegrityError:  # another scheduler created it between our read and our insert
                state = ScheduledJob.objects.get(name=job.name)
            states[job.name] = state
        elif state.schedule != job.schedule.key:
            state.schedule, state.next_run_at = job.schedule.key, job.schedule.next_after(now)
            ScheduledJob.objects.filter(pk=state.pk).update(schedule=state.schedule, next_run_at=state.next_run_at)
    return states


def _fire(job, state, now):
    """Claims this run by a conditional update of the time it was due — of two schedulers reading the same row,
    only one moves it on, so only one enqueues — then enqueues it. A failed enqueue (the queue is down) is recorded
    as the job's error and retried a minute later; the other jobs still fire."""
    pending = _pending(state, now)
    changes = {"next_run_at": job.schedule.next_after(now)} | ({} if pending else {"enqueued_at": now})
    claimed = ScheduledJob.objects.filter(pk=state.pk, next_run_at=state.next_run_at).update(**changes)
    if not claimed:
        return
    if pending:
        logger.info(
            "scheduled job %s: the run enqueued at %s has not finished; this one is skipped",
            job.name,
            state.enqueued_at,
        )
        return
    try:
        scheduled_job_run.enqueue(job.name)
    except Exception as exc:
        logger.exception("could not enqueue scheduled job %s", job.name)
        ScheduledJob.objects.filter(pk=state.pk).update(
            next_run_at=now + ENQUEUE_RETRY,
            enqueued_at=state.enqueued_at,  # nothing was enqueued: nothing is pending
            last_error=_error_summary(exc),
            last_error_at=now,
            failures=F("failures") + 1,
        )


def _pending(state, now):
    """Whether the job's last enqueued run is still queued or running. A job that takes longer than its period (the
    dashboards of a district in a full round) must not pile runs up in the queue in front of every other task."""
    if state.enqueued_at is None or now - state.enqueued_at >= PENDING_LOST_AFTER:
        return False
    return state.last_run_at is None or state.last_run_at < state.enqueued_at


def scheduler_loop(stop, *, longest_sleep=30):
    """Ticks until `stop` (a threading.Event) is set, sleeping until the next job is due but at most
    `longest_sleep` seconds, so a job added by a deploy or a row changed elsewhere is seen soon. A failing tick (the
    database restarting) is logged and retried; it does not end the loop."""
    while not stop.is_set():
        close_old_connections()
        try:
            next_due = scheduler_tick()
        except Exception:
            logger.exception("scheduler tick failed")
            next_due = None
        wait = longest_sleep if next_due is None else (next_due - timezone.now()).total_seconds()
        stop.wait(min(max(wait, 0.5), longest_sleep))


# --- the task the scheduler enqueues ------------------------------------------------------------------------


@task()
def scheduled_job_run(name):
    """Runs the job `name` as the system and records its outcome. An error is recorded and raised again, so the
    task backend marks the run failed too; neither the worker nor the next job is affected."""
    job = job_named(name)
    if job is None:  # removed by a deploy after it was enqueued
        logger.warning("scheduled job %s is no longer declared", name)
        return
    started, clock = timezone.now(), time.monotonic()
    with system_actor():
        try:
            job.run()
        except Exception as exc:
            _record(name, started, timedelta(seconds=time.monotonic() - clock), error=_error_summary(exc))
            raise
    _record(name, started, timedelta(seconds=time.monotonic() - clock))


def _record(name, started, duration, *, error=None):
    changes = {"last_run_at": started, "last_duration": duration, "runs": F("runs") + 1}
    if error is not None:
        changes |= {"last_error": error, "last_error_at": started, "failures": F("failures") + 1}
    ScheduledJob.objects.filter(name=name).update(**changes)


def _error_summary(exc, limit=4000):
    """The exception and the last frames of its traceback, with any ID or phone number a message quoted (a
    database's "Key (id_number)=(…) already exists") masked, as everywhere else."""
    return mask_numbers_in("".join(traceback.format_exception(exc))[-limit:])
