from care.services import followup_plan_day
from core.commands import SystemCommand


class Command(SystemCommand):
    help = "Plans today's follow-up calls for every paired ledger person who is due. Run it at dawn; safe to repeat."

    def handle(self, *args, **options):
        self.stdout.write(f"{followup_plan_day()} follow-ups planned")
