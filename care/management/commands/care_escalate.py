from care.services import help_request_escalate_overdue
from core.commands import SystemCommand


class Command(SystemCommand):
    help = "Moves overdue help requests one area level up. Run it every few minutes (cron or the task worker)."

    def handle(self, *args, **options):
        self.stdout.write(f"{help_request_escalate_overdue()} requests escalated")
