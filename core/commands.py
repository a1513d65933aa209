from django.core.management.base import BaseCommand

from core.context import system_actor


class SystemCommand(BaseCommand):
    """A management command that acts as the system: unscoped and unrestricted, on purpose and visibly. Commands
    that do not derive from it act as nobody and see nothing (core.context fails closed)."""

    def execute(self, *args, **options):
        with system_actor():
            return super().execute(*args, **options)
