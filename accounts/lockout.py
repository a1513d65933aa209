"""Login lock-out: django-axes counts failed logins per username AND address together, in its database tables
(AccessAttempt, with select_for_update and F() increments). Axes checks "locked?" before the password and counts the
failure after it, so concurrent attempts could all pass the check before any failure is counted (a burst of 40 got
18-20 passwords checked against a limit of 5). `authenticate_guarded` closes that gap: the check, the password
check and the counting of one username+address run one at a time (a mutex in the shared cache, core.limits), so at
most LOCKOUT_FAILURES wrong passwords are ever checked per pair and window. Different pairs do not wait."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate

from accounts.middleware import client_ip
from core import limits
from core.retention import days_ago, rows_purge


def failure_limit(request, credentials):
    return settings.LOCKOUT_FAILURES


def cool_off(request=None):
    return timedelta(minutes=settings.LOCKOUT_MINUTES)


class Refused(Exception):
    """The username+address is locked out (or too many of its attempts are already under way)."""


def authenticate_guarded(request, username, password):
    """The user for these credentials, None for wrong ones; raises Refused while the pair is locked out."""
    with limits.exclusive("login", f"{username}\n{client_ip(request)}", hold=15, wait=10) as got:
        if not got:
            raise Refused
        user = authenticate(request, username=username, password=password)
    if user is None and getattr(request, "login_refused", False):
        raise Refused
    return user


def login_attempts_purge():
    """Axes' rows of login attempts (lock-out counters, failures, successful logins) after RETENTION_DAYS, far past
    any lock-out; the audit log keeps every login and failed login."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    days = settings.RETENTION_DAYS
    cutoff = days_ago(days)
    return sum(
        rows_purge(model.objects.filter(attempt_time__lt=cutoff), days=days)
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    )
