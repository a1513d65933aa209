"""`gridcare restore PATH --yes`: replaces the database's content with a backup of `gridcare backup` (core.backup).
Stop the web server, the task workers and the scheduler first: what they write meanwhile is lost or refused."""

import sys

from django.core.management.base import CommandError

from core.backup import BackupError, database_restore, key_counts, migrations_unapplied
from core.commands import SystemCommand


class Command(SystemCommand):
    help = (
        "Replaces everything in the database with the backup at PATH (a file of `gridcare backup`, of the same "
        "engine). Asks first when run at a terminal; --yes answers for scripts. Prints row counts afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file (.sqlite3 or .dump)")
        parser.add_argument("--yes", action="store_true", help="restore without asking")
        parser.add_argument("--database", default="default", help="the settings.DATABASES alias (default: default)")

    def handle(self, *args, **options):
        path = options["path"]
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("restore replaces everything in the database: add --yes to do it")
            answer = input(f"Replace everything in the database with {path}? Type yes to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("not restored")
        try:
            counts = database_restore(path, using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {path}")
        for label, rows in key_counts(counts).items():
            self.stdout.write(f"  {label:<32} {rows:>10}")
        unapplied = migrations_unapplied(options["database"])
        if unapplied:
            self.stdout.write(f"the backup is older than the code: run `gridcare migrate` ({unapplied} migrations)")
