import json
from pathlib import Path

from django.core.management.base import CommandError

from core.commands import SystemCommand
from registry.importing import ImportFileError, residents_import
from registry.models import Area


class Command(SystemCommand):
    help = "Imports residents from an .xlsx or .csv file (UTF-8 or GBK). Exits non-zero only if it cannot be read."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the result as JSON")
        parser.add_argument("--grid", metavar="CODE", help="grid for rows that name none")

    def handle(self, path, as_json=False, grid=None, **options):
        default_grid = None
        if grid:
            default_grid = Area.all_objects.filter(code=grid, level=Area.Level.GRID).first()
            if default_grid is None:
                raise CommandError(f"no grid with code {grid}")
        try:
            report = residents_import(path, filename=Path(path).name, default_grid=default_grid)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(", ".join(f"{key} {value}" for key, value in report.counts().items()))
        for error in report.errors:
            self.stdout.write(f"row {error['row']}, {error['column']}: {error['message']}")
