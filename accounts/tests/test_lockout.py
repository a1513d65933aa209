"""Login lock-out (django-axes) per username AND address, on the login page and the token endpoint."""

from axes.models import AccessAttempt

from conftest import PASSWORD
from core.models import AuditEvent

HERE = {"REMOTE_ADDR": "127.0.0.2"}
ELSEWHERE = {"REMOTE_ADDR": "127.0.0.3"}


def _login(client, username, password, addr=HERE):
    return client.post("/accounts/login/", {"username": username, "password": password}, **addr)


def _token(client, username, password, addr=HERE):
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/token", body, content_type="application/json", **addr)


def test_it_locks_the_username_from_that_address_and_checks_no_more_passwords(client, users, settings):
    settings.LOCKOUT_FAILURES = 3
    for _ in range(3):
        assert _login(client, "gwen", "wrong").status_code == 200
    response = _login(client, "gwen", PASSWORD)
    assert response.status_code == 429, "the right password got in while locked out"
    assert "Too many failed logins" in response.content.decode() or "登录失败次数过多" in response.content.decode()
    assert AccessAttempt.objects.get(username="gwen", ip_address="127.0.0.2").failures_since_start == 3
    failed = AuditEvent.objects.filter(action="login_failed", actor_name="gwen")
    assert failed.filter(detail__refused=False).count() == 3
    assert failed.filter(detail__refused=True).count() == 1
    assert not AuditEvent.objects.filter(action="login", actor_name="gwen").exists()


def test_the_locked_username_still_logs_in_from_another_address(client, users, settings):
    settings.LOCKOUT_FAILURES = 3
    for _ in range(4):
        _login(client, "gwen", "wrong")
    assert _login(client, "gwen", PASSWORD).status_code == 429
    assert _login(client, "gwen", PASSWORD, ELSEWHERE).status_code == 302
    assert AuditEvent.objects.filter(action="login", actor_name="gwen", ip="127.0.0.3").exists()


def test_someone_else_cannot_lock_a_username_out_for_everyone(client, users, settings):
    """The old lock-out counted per username: anyone could keep `admin` locked out from anywhere."""
    settings.LOCKOUT_FAILURES = 2
    for _ in range(5):
        _login(client, "dana", "guess", ELSEWHERE)
    assert _login(client, "dana", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_pair(client, users, settings):
    settings.LOCKOUT_FAILURES = 3
    for _ in range(2):
        _login(client, "gwen", "wrong")
    assert _login(client, "gwen", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(2):
        _login(client, "gwen", "wrong")
    assert _login(client, "gwen", PASSWORD).status_code == 302


def test_the_token_endpoint_is_locked_too(client, users, settings):
    settings.LOCKOUT_FAILURES = 3
    for _ in range(3):
        assert _token(client, "gwen", "wrong").status_code == 401
    assert _token(client, "gwen", PASSWORD).status_code == 429
    assert _token(client, "gwen", PASSWORD, ELSEWHERE).status_code == 200


def test_failures_on_the_page_and_the_api_count_together(client, users, settings):
    settings.LOCKOUT_FAILURES = 3
    _login(client, "gwen", "wrong")
    _token(client, "gwen", "wrong")
    _login(client, "gwen", "wrong")
    assert _token(client, "gwen", PASSWORD).status_code == 429
