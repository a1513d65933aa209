"""Tracing's scheduled jobs (core.scheduler)."""

from django.utils.translation import gettext_lazy as _

from core.scheduler import Job, daily, every
from tracing.services import (
    controls_lift_by_rule,
    handover_escalate_overdue,
    key_group_obligations_for,
)

JOBS = [
    # (venue visits are purged with the other kinds of people's data: core.retention_purge)
    # --- arrivals ---
    Job(
        "tracing.key_group_obligations",
        _("Create the day's tests of key groups"),
        daily("00:05"),
        key_group_obligations_for,
    ),
    # --- isolation ---
    Job("tracing.handover_escalate", _("Escalate unaccepted hand-overs"), every(minutes=1), handover_escalate_overdue),
    # --- control ---
    Job(
        "tracing.controls_lift_by_rule",
        _("Step down or lift controls with no new case"),
        daily("06:00"),
        controls_lift_by_rule,
    ),
]
