"""`gridcare retention [--apply] [--language en]`: what the retention purge would delete or anonymise (a dry run),
or, with --apply, doing it (core.retention)."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.commands import SystemCommand
from core.retention import retention_purge, retention_report


def report_line(line):
    if line.cutoff is None:
        return _("%(kind)s: kept for good") % {"kind": line.kind.label}
    return ngettext(
        "%(kind)s: kept %(days)d day, cutoff %(cutoff)s, %(due)d row due: %(action)s",
        "%(kind)s: kept %(days)d days, cutoff %(cutoff)s, %(due)d rows due: %(action)s",
        line.days,
    ) % {
        "kind": line.kind.label,
        "days": line.days,
        "cutoff": timezone.localtime(line.cutoff).strftime("%Y-%m-%d %H:%M"),
        "due": line.due,
        "action": line.action_label,
    }


class Command(SystemCommand):
    help = (
        "Per data kind: its keeping time, the cutoff, how many rows are due and whether they would be deleted or "
        "anonymised. Changes nothing unless --apply is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="delete or anonymise what is due (audited)")
        languages = [code for code, _name in settings.LANGUAGES]
        parser.add_argument("--language", choices=languages, default=settings.LANGUAGE_CODE)

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            for line in retention_report():
                self.stdout.write(report_line(line))
            if options["apply"]:
                done = retention_purge()
                self.stdout.write(_("Done: %(rows)d rows deleted or anonymised.") % {"rows": sum(done.values())})
            else:
                self.stdout.write(_("Nothing was changed (a dry run): --apply deletes and anonymises."))
