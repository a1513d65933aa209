"""`gridcare serve [HOST:PORT]`: the production setup on one machine. Collects static files, then runs the
background-task worker (django-tasks' database worker), the scheduler of the jobs that run by themselves
(`gridcare scheduler`) and gunicorn as child processes; Ctrl-C stops them all."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serves gridcare with gunicorn, a background-task worker and the scheduler."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
        parser.add_argument("--no-tasks", action="store_true", help="do not start the background-task worker")
        parser.add_argument(
            "--no-scheduler", action="store_true", help="do not start the scheduler (another machine runs it)"
        )

    def handle(self, *args, addrport, workers, no_tasks, no_scheduler, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        children = []
        if not no_tasks and settings.TASK_BACKEND == "database":
            children.append(spawn([sys.executable, "-m", "django", "db_worker"]))
        if not no_scheduler:
            children.append(spawn([sys.executable, "-m", "django", "scheduler"]))
        children.append(
            spawn(
                [sys.executable, "-m", "gunicorn", "gridcare.wsgi", "-w", str(workers), "-b", addrport]
                + ["--graceful-timeout", "5"]
            )
        )
        self.stdout.write(f"gridcare at http://{addrport}/ (Ctrl-C stops it)")
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


def spawn(argv):
    return subprocess.Popen(argv, env={**os.environ, "DJANGO_SETTINGS_MODULE": "gridcare.settings"})
