"""The ground floor's scheduled jobs (core.scheduler): pruning what it keeps only for a while, and making the coming
partitions of the high-volume tables (PostgreSQL)."""

from django.utils.translation import gettext_lazy as _

from core.exports import exports_purge
from core.partitions import partitions_create
from core.retention import idempotency_keys_prune, retention_purge, sessions_purge, task_results_purge
from core.scheduler import Job, daily, every

JOBS = [
    Job("core.idempotency_keys_prune", _("Prune idempotency keys"), daily("03:10"), idempotency_keys_prune),
    Job("core.sessions_purge", _("Delete expired sessions"), daily("03:20"), sessions_purge),
    Job("core.task_results_purge", _("Delete finished background-task results"), daily("03:30"), task_results_purge),
    Job(
        "core.retention_purge",
        _("Delete or anonymise the people's data past its keeping time"),
        daily("03:40"),
        retention_purge,
    ),
    Job("core.exports_purge", _("Delete old exports"), every(minutes=30), exports_purge),
    Job("core.partitions_create", _("Create the coming partitions"), daily("02:50"), partitions_create),
]
