"""`gridcare scheduler`: enqueues the scheduled jobs (core.scheduler) on time, catching up a missed run at start.
`gridcare serve` runs it beside gunicorn and the task worker; on several machines run it on one or on each —
every run is claimed by a conditional update, so it fires once however many schedulers there are."""

import signal
import threading

from core.commands import SystemCommand
from core.scheduler import registered_jobs, scheduler_loop


class Command(SystemCommand):
    help = "Runs the scheduled jobs on time (and a missed run at start); SIGTERM or Ctrl-C stops it."

    def handle(self, *args, **options):
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        names = ", ".join(job.name for job in registered_jobs())
        self.stdout.write(f"scheduler: {names}")
        self.stdout.flush()
        scheduler_loop(stop)
