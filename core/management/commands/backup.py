"""`gridcare backup [PATH]`: the whole database to one file (core.backup), safe while the app runs."""

from django.core.management.base import CommandError

from core.backup import BackupError, database_backup
from core.commands import SystemCommand


class Command(SystemCommand):
    help = (
        "Backs the database up to PATH (default var/backups/gridcare-<engine>-<local time>.<sqlite3|dump>): "
        "SQLite's online backup, or pg_dump -Fc. Prints the file and its size."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="the file to write (its folder is created)")
        parser.add_argument("--database", default="default", help="the settings.DATABASES alias (default: default)")

    def handle(self, *args, **options):
        try:
            path, size = database_backup(options["path"], using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{path} {size} bytes ({size / 1_048_576:.1f} MB)")
