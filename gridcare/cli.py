"""The `gridcare` console command: Django's manage.py commands plus ours.

Our commands are written with hyphens on the command line (`gridcare import-residents`), as Python modules
with underscores; this maps one onto the other.
"""

import os
import sys


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcare.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0
