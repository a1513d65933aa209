"""The register's scheduled jobs (core.scheduler)."""

from django.utils.translation import gettext_lazy as _

from core.scheduler import Job, daily
from registry.importing import import_files_delete

JOBS = [
    Job("registry.import_files_delete", _("Delete stored import files"), daily("03:40"), import_files_delete),
]
