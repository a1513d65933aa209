"""Accounts' retention jobs: dead API tokens and old login attempts go, live ones stay, each purge is audited."""

from datetime import timedelta

from axes.models import AccessAttempt, AccessLog
from django.utils import timezone

from accounts.lockout import login_attempts_purge
from accounts.models import ApiToken
from accounts.services import token_issue, token_revoke, tokens_purge
from core.models import AuditEvent


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def purge_audits(model_label):
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, detail__model=model_label))


def test_dead_tokens_and_old_login_attempts_are_deleted(users, settings):
    settings.RETENTION_DAYS = 30
    dana = users["dana"]
    live, _ = token_issue(dana, "desk")
    expired, _ = token_issue(dana, "old desk")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=ago(days=31))
    revoked, _ = token_issue(dana, "lost phone")
    token_revoke(revoked)
    recently_revoked, _ = token_issue(dana, "spare")
    token_revoke(recently_revoked)
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=ago(days=45))
    for username, age in (("old", 31), ("new", 1)):
        attempt = AccessAttempt.objects.create(username=username, ip_address="10.0.0.1", failures_since_start=1)
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=ago(days=age))
        log = AccessLog.objects.create(username=username, ip_address="10.0.0.1")
        AccessLog.objects.filter(pk=log.pk).update(attempt_time=ago(days=age))

    assert tokens_purge() == 2
    assert set(ApiToken.objects.values_list("pk", flat=True)) == {live.pk, recently_revoked.pk}
    assert login_attempts_purge() == 2
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["new"]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["new"]
    assert purge_audits("accounts.ApiToken")[0].detail["deleted"] == 2
    # The tokens' issue and revocation rows are still in the audit log.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_REVOKED, target_id=str(revoked.pk)).exists()
