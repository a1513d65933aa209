"""The register's data kinds (core.retention)."""

from django.utils.translation import gettext_lazy as _

from core.retention import DELETE, DataKind
from registry.importing import import_files_delete, import_files_due

DATA_KINDS = [
    # A resident register in a file is kept as long as its import's error report may be asked for (30 days); the
    # import's counts and errors stay.
    DataKind("registry.import_files", _("uploaded import files"), DELETE, import_files_due, purge=import_files_delete),
]
