"""`gridcare serve [HOST:PORT] [--prod]`: the production setup on one machine. Collects static files, then runs the
background-task worker (django-tasks' database worker, or an RQ worker with TASK_BACKEND=rq), the scheduler of the jobs that run by themselves
(`gridcare scheduler`) and gunicorn as child processes; Ctrl-C stops them all. A task worker or scheduler that
stops is started again.

`--prod` runs them all with the production settings (GRIDCARE_PRODUCTION=1: DEBUG off, hashed and compressed static
files, logs on stdout), and refuses to start without a real SECRET_KEY and ALLOWED_HOSTS in the environment."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gridcare.production import production_errors

# gunicorn's rule of thumb is 2 × cores + 1 sync workers; past 8 the database (one connection each, and SQLite's
# one writer) and the memory (some 100 MB a worker) give out before the processors do.
MAX_WORKERS = 8


# The task worker of each backend. RQ's needs django-tasks-rq's job class, which runs a django-tasks Task.
TASK_WORKER_COMMANDS = {
    "database": ["db_worker"],
    "rq": ["rqworker", "default", "--job-class", "django_tasks_rq.backend.Job"],
}


def default_workers():
    return min(2 * (os.cpu_count() or 1) + 1, MAX_WORKERS)


class Command(BaseCommand):
    help = "Serves gridcare with gunicorn, a background-task worker and the scheduler."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=f"gunicorn worker processes (default: 2 × cores + 1, at most {MAX_WORKERS})",
        )
        parser.add_argument("--prod", action="store_true", help="production settings (needs SECRET_KEY, ALLOWED_HOSTS)")
        parser.add_argument("--no-tasks", action="store_true", help="do not start the background-task worker")
        parser.add_argument(
            "--no-scheduler", action="store_true", help="do not start the scheduler (another machine runs it)"
        )

    def handle(self, *args, addrport, workers, prod, no_tasks, no_scheduler, **options):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gridcare.settings"}
        if prod:
            if errors := production_errors(os.environ):
                raise CommandError("cannot serve in production:\n  " + "\n  ".join(errors))
            env["GRIDCARE_PRODUCTION"] = "1"
            if not settings.TLS:
                self.stderr.write(
                    "TLS is off: cookies go over plain HTTP and no HSTS is sent. Production is documented behind a "
                    "TLS proxy with TLS=1 (README, 'Running in production')."
                )
        workers = workers or default_workers()
        # The children's own settings (production's hashed names need collectstatic under them too).
        subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"], env=env, check=True)
        helpers = []  # (label, argv): restarted when they stop
        if not no_tasks and settings.TASK_BACKEND in TASK_WORKER_COMMANDS:
            worker = TASK_WORKER_COMMANDS[settings.TASK_BACKEND]
            helpers.append(("task worker", [sys.executable, "-m", "django", *worker]))
        if not no_scheduler:
            helpers.append(("scheduler", [sys.executable, "-m", "django", "scheduler"]))
        gunicorn = [sys.executable, "-m", "gunicorn", "gridcare.wsgi", "-w", str(workers), "-b", addrport]
        gunicorn += ["--graceful-timeout", "5"]
        if prod:
            gunicorn += ["--access-logfile", "-", "--error-logfile", "-"]
        children = {Child(label, argv, env, prod) for label, argv in helpers}
        web = Child("web", gunicorn, env, prod)
        children.add(web)
        mode = f"production, {workers} workers" if prod else f"{workers} workers"
        self.stdout.write(f"gridcare at http://{addrport}/ ({mode}; Ctrl-C stops it)")
        self.stdout.flush()
        signal.signal(signal.SIGTERM, interrupt)
        signal.signal(signal.SIGINT, interrupt)
        status = 0
        try:
            status = self.supervise(web, children)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                child.terminate()
            for child in children:
                child.wait()
        if status:
            raise CommandError(f"a child process stopped with status {os.waitstatus_to_exitcode(status)}")

    def supervise(self, web, children):
        """Waits for a child to stop. The web server stopping (failing to bind, say) ends the service: gunicorn
        restarts its own workers. The task worker or the scheduler stopping (django-tasks' worker exits when the
        database goes away under it) is started again, soon, then less often while it keeps failing — a database
        restart must not take the site down with it."""
        while True:
            pid, status = os.wait()
            child = next((c for c in children if c.process.pid == pid), None)
            if child is None:
                continue
            if child is web:
                return status
            delay = child.next_delay()
            self.stderr.write(
                f"the {child.label} stopped (status {os.waitstatus_to_exitcode(status)}); starting it again in "
                f"{delay:g} s"
            )
            time.sleep(delay)
            child.start()


class Child:
    """A child process and how often it was restarted: the delay doubles (up to RESTART_DELAY_MAX seconds) while
    it stops again within RESTART_QUICK seconds of its start, and is back to 1 s after a longer run."""

    RESTART_QUICK, RESTART_DELAY_MAX = 30, 30

    def __init__(self, label, argv, env, prod):
        self.label, self.argv, self.env, self.prod, self.delay = label, argv, env, prod, 0.5
        self.start()

    def start(self):
        # In production its log lines (stderr too) go to our stdout, for the service manager.
        self.process = subprocess.Popen(self.argv, env=self.env, stderr=subprocess.STDOUT if self.prod else None)
        self.started = time.monotonic()

    def next_delay(self):
        quick = time.monotonic() - self.started < self.RESTART_QUICK
        self.delay = min(self.delay * 2, self.RESTART_DELAY_MAX) if quick else 1
        return self.delay

    def terminate(self):
        if self.process.poll() is None:
            self.process.terminate()

    def wait(self):
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def interrupt(signum, frame):
    raise KeyboardInterrupt
