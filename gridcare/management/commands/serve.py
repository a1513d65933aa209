"""`gridcare serve [HOST:PORT] [--prod]`: the production setup on one machine. Collects static files, then runs the
background-task worker (django-tasks' database worker), the scheduler of the jobs that run by themselves
(`gridcare scheduler`) and gunicorn as child processes; Ctrl-C stops them all.

`--prod` runs them all with the production settings (GRIDCARE_PRODUCTION=1: DEBUG off, hashed and compressed static
files, logs on stdout), and refuses to start without a real SECRET_KEY and ALLOWED_HOSTS in the environment."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gridcare.production import production_errors

# gunicorn's rule of thumb is 2 × cores + 1 sync workers; past 8 the database (one connection each, and SQLite's
# one writer) and the memory (some 100 MB a worker) give out before the processors do.
MAX_WORKERS = 8


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
        children = []
        if not no_tasks and settings.TASK_BACKEND == "database":
            children.append(spawn([sys.executable, "-m", "django", "db_worker"], env, prod))
        if not no_scheduler:
            children.append(spawn([sys.executable, "-m", "django", "scheduler"], env, prod))
        gunicorn = [sys.executable, "-m", "gunicorn", "gridcare.wsgi", "-w", str(workers), "-b", addrport]
        gunicorn += ["--graceful-timeout", "5"]
        if prod:
            gunicorn += ["--access-logfile", "-", "--error-logfile", "-"]
        children.append(spawn(gunicorn, env, prod))
        mode = f"production, {workers} workers" if prod else f"{workers} workers"
        self.stdout.write(f"gridcare at http://{addrport}/ ({mode}; Ctrl-C stops it)")
        self.stdout.flush()
        signal.signal(signal.SIGTERM, interrupt)
        signal.signal(signal.SIGINT, interrupt)
        status = 0
        try:
            # Whichever child ends first (gunicorn failing to bind, say) ends the whole service.
            _, status = os.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        if status:
            raise CommandError(f"a child process stopped with status {os.waitstatus_to_exitcode(status)}")


def interrupt(signum, frame):
    raise KeyboardInterrupt


def spawn(argv, env, prod):
    """A child process; in production its log lines (stderr too) go to our stdout, for the service manager."""
    return subprocess.Popen(argv, env=env, stderr=subprocess.STDOUT if prod else None)
