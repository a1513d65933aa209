"""Screening's data kinds (core.retention)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.partitions import partitions_drop
from core.retention import DELETE, PURGE_BATCH, DataKind, rows_purge
from screening.models import Sample, Tube


def samples_due(cutoff):
    return Sample.all_objects.filter(round__ends_at__lt=cutoff)


def samples_purge(cutoff):
    """The samples of rounds that ended before `cutoff`, then their tubes (with the holds, alerts and to-trace rows
    of those tubes): each one audit row with its count. A case keeps its row; its link to the to-trace row goes.
    On PostgreSQL the ended rounds go first as dropped partitions (core/partitions.py), the rest row by row."""
    days = settings.RETENTION_DAYS_BY_KIND["screening.samples"]
    dropped, _rounds = partitions_drop(Sample, cutoff)
    deleted = rows_purge(samples_due(cutoff), days=days, batch=PURGE_BATCH, dropped=dropped)
    rows_purge(Tube.objects.filter(round__ends_at__lt=cutoff), days=days, batch=PURGE_BATCH)
    return deleted


DATA_KINDS = [
    # A round's coverage and results are read while the response lasts: the rounds after it are compared with it to
    # find who keeps missing (Guanyun, 2022), a positive's trail goes back through them. Half a year after the
    # round ended its samples and tubes go; the round, its sites and plans stay.
    DataKind("screening.samples", _("samples and tubes of ended rounds"), DELETE, samples_due, purge=samples_purge),
]
