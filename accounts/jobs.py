"""Accounts' scheduled jobs (core.scheduler): pruning dead tokens and old login attempts."""

from django.utils.translation import gettext_lazy as _

from accounts.lockout import login_attempts_purge
from accounts.services import tokens_purge
from core.scheduler import Job, daily

JOBS = [
    Job("accounts.tokens_purge", _("Delete expired and revoked API tokens"), daily("03:00"), tokens_purge),
    Job("accounts.login_attempts_purge", _("Delete old login attempts"), daily("03:50"), login_attempts_purge),
]
