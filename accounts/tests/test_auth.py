from accounts.models import ApiToken
from conftest import PASSWORD
from core.models import AuditEvent


def test_login_is_audited_and_locks_out_after_failures(client, users, settings):
    settings.LOCKOUT_FAILURES = 3
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "gwen", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "gwen", "password": PASSWORD})
    assert response.status_code == 429, "locked out even with the right password"
    assert AuditEvent.objects.filter(action="login_failed", actor_name="gwen", detail__refused=False).count() == 3


def test_login_success(client, users):
    response = client.post("/accounts/login/", {"username": "gwen", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="login", actor_name="gwen").exists()


def test_token_exchange_revocation_and_hash_at_rest(client, users):
    response = client.post(
        "/api/v1/auth/token", {"username": "gwen", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    raw = response.json()["token"]
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert ApiToken.objects.get(key_hash=ApiToken.hash(raw)).user.username == "gwen"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.delete("/api/v1/auth/token", **auth).status_code == 204
    assert client.delete("/api/v1/auth/token", **auth).status_code == 401


def test_token_exchange_refuses_wrong_password(client, users):
    response = client.post(
        "/api/v1/auth/token", {"username": "gwen", "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_passwords_are_argon2(users):
    assert users["gwen"].password.startswith("argon2")
