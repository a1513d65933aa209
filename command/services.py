"""The command centre's writes: making a daily report now (command.reports builds it)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from command.reports import REPORT_LEVELS, build_report
from core.access import writes


@writes("command.add_dailyreport")
def report_make(area, *, by, language=None):
    """A report of `area` (a district, street or community inside the actor's area) for today, made now; one
    already made today is remade with today's figures as they are now."""
    if area.level not in REPORT_LEVELS:
        raise ValidationError(_("Daily reports are made for a district, a street or a community."))
    report, _made = build_report(area, timezone.localdate(), by=by, language=language, fresh=True)
    return report
