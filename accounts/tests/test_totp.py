"""The staff second factor (STAFF_TOTP, django-otp's TOTP device), over real HTTP: off changes nothing; optional
enrols from the account page and then asks for the code at each login, every other URL (a page, the admin, the
API's session calls) waiting behind the code step; required sends staff to enrolment first; a district admin resets
a device inside their area only. Codes are computed by django-otp's own oath.totp from the device's key, at a
frozen clock (time-machine) that the tests move on."""

import base64
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from accounts.services import actor_for, token_issue, totp_device_reset
from conftest import PASSWORD
from core.access import NotInScope
from core.context import acting_as
from core.models import AuditEvent
from gridcare.tests.test_page_languages import Data, read_text, wrong_language
from registry.models import Area

# One second into a 30-second time step, so a test may move a few seconds on and stay in the same step.
START = datetime(2026, 12, 4, 2, 0, 1, tzinfo=UTC)
PAGE = "/registry/search/"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def code_now(device, shift=0):
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=shift):06d}"


def log_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password step itself is unchanged"
    return response


def enrol(client, username):
    """Logs in, opens enrolment, confirms with the app's first code; returns the device."""
    log_in(client, username)
    page = client.get(reverse("totp_enrol"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    text = page.content.decode()
    assert "<svg" in text and " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in text
    response = client.post(reverse("totp_enrol"), {"code": code_now(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_off_changes_nothing_even_for_a_user_with_a_device(client, users, settings):
    settings.STAFF_TOTP = "off"
    TOTPDevice.objects.create(user=users["cora"], name="phone", confirmed=True)
    response = log_in(client, "cora")
    assert response["Location"] == reverse("home")
    assert client.get(PAGE).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200
    home = client.get(reverse("home"))
    assert reverse("account") not in {item["url"] for item in home.context["nav_items"]}
    for name in ("account", "totp_verify", "totp_enrol"):
        assert client.get(reverse(name)).status_code == 404, name


def test_optional_enrol_then_every_url_waits_for_the_code(client, users, settings, clock):
    settings.STAFF_TOTP = "optional"
    log_in(client, "cora")
    assert client.get(PAGE).status_code == 200, "optional: not enrolled, not asked"
    account = client.get(reverse("account"))
    assert reverse("totp_enrol") in account.content.decode()
    assert reverse("account") in {item["url"] for item in account.context["nav_items"]}
    client.post(reverse("logout"))

    device = enrol(client, "cora")
    enrolled = AuditEvent.objects.get(action="create", actor_name="cora", target_type="otp_totp.totpdevice")
    assert enrolled.detail == {"otp": True}
    first_code = code_now(device)
    client.post(reverse("logout"))

    log_in(client, "cora")
    step = reverse("totp_verify")
    for url in (PAGE, reverse("home"), reverse("admin:index"), "/admin/accounts/user/", reverse("account")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(step), url
    assert client.get(PAGE)["Location"] == f"{step}?next=%2Fregistry%2Fsearch%2F"
    assert client.post(reverse("totp_enrol"))["Location"] == step, "a post goes to the step too"
    assert client.get("/api/v1/areas").status_code == 401, "the API's session calls wait too"
    assert client.get(step).context["nav_items"] == [], "no menu before the code"

    replayed = client.post(step, {"code": first_code, "next": PAGE})
    assert replayed.status_code == 200 and replayed.context["form"].has_error("code")
    assert client.get(PAGE).status_code == 302, "a replayed code is refused"

    clock.shift(30)
    wrong = "000000" if code_now(device) != "000000" else "111111"
    assert client.post(step, {"code": wrong}).status_code == 200
    assert client.post(step, {"code": code_now(device)}).status_code == 429, "throttled after wrong codes"
    failed = AuditEvent.objects.filter(action="login_failed", actor_name="cora").order_by("at", "pk")
    assert [event.detail for event in failed] == [
        {"otp": True, "throttled": False},
        {"otp": True, "throttled": False},
        {"otp": True, "throttled": True},
    ]

    clock.shift(3)
    assert client.post(step, {"code": "12 34"}).status_code == 200, "a malformed code is a form error"
    response = client.post(step, {"code": code_now(device), "next": PAGE})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert AuditEvent.objects.filter(action="login", actor_name="cora", detail__otp=True).count() == 1
    assert client.get(PAGE).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(step)["Location"] == reverse("home"), "verified: the step sends on"


def test_an_offsite_next_is_not_followed(client, users, settings, clock):
    settings.STAFF_TOTP = "optional"
    device = enrol(client, "gwen")
    client.post(reverse("logout"))
    clock.shift(30)
    log_in(client, "gwen")
    response = client.post(reverse("totp_verify"), {"code": code_now(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_required_sends_staff_to_enrolment_before_any_page(client, users, settings, clock):
    settings.STAFF_TOTP = "required"
    log_in(client, "cora")
    enrolment = reverse("totp_enrol")
    for url in (PAGE, reverse("home"), reverse("admin:index"), reverse("account"), reverse("totp_verify")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(enrolment), url
    page = client.get(enrolment)
    assert page.status_code == 200 and page.context["required"]
    device = TOTPDevice.objects.get(user=users["cora"], confirmed=False)
    assert client.post(enrolment, {"code": "000000" if code_now(device) != "000000" else "111111"}).status_code == 200
    assert client.get(PAGE).status_code == 302, "a wrong first code enrols nothing"
    clock.shift(2)
    assert client.post(enrolment, {"code": code_now(device)}).status_code == 302
    assert client.get(PAGE).status_code == 200
    client.post(reverse("logout"))

    clock.shift(30)
    log_in(client, "cora")
    assert client.get(PAGE)["Location"].startswith(reverse("totp_verify")), "each login after asks for the code"
    assert client.post(reverse("totp_verify"), {"code": code_now(device)}).status_code == 302
    assert client.get(PAGE).status_code == 200


def test_required_does_not_ask_a_volunteer(client, users, settings):
    settings.STAFF_TOTP = "required"
    log_in(client, "vera")
    assert client.get(reverse("home")).status_code == 200


def test_a_bearer_token_is_untouched_and_a_bad_one_does_not_open_a_waiting_session(client, users, settings, clock):
    settings.STAFF_TOTP = "optional"
    enrol(client, "gwen")
    client.post(reverse("logout"))
    _, raw = token_issue(users["gwen"], "phone")
    assert client.get("/api/v1/areas", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    log_in(client, "gwen")
    assert client.get("/api/v1/areas", HTTP_AUTHORIZATION="Bearer gc_not-a-token").status_code == 401


def token_exchange(client, username, **extra):
    body = {"username": username, "password": PASSWORD, "name": "phone", **extra}
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def test_the_token_exchange_asks_for_the_code_too(client, users, settings, clock):
    """With the second factor on, the API's password-for-token exchange is a login like the page's: otherwise a
    stolen password would still open the API."""
    settings.STAFF_TOTP = "optional"
    assert token_exchange(client, "gwen").status_code == 200, "not enrolled: the password is enough"
    device = enrol(client, "gwen")
    client.post(reverse("logout"))
    clock.shift(30)
    refusals = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, actor=users["gwen"]).count()
    assert token_exchange(client, "gwen").status_code == 401
    assert token_exchange(client, "gwen", otp="000000" if code_now(device) != "000000" else "111111").status_code == 401
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, actor=users["gwen"]).count() > refusals
    clock.shift(30)  # past django-otp's wait after the wrong code
    code = code_now(device)
    answer = token_exchange(client, "gwen", otp=code)
    assert answer.status_code == 200 and answer.json()["token"]
    assert token_exchange(client, "gwen", otp=code).status_code == 401, "a code is good once"

    settings.STAFF_TOTP = "required"
    assert token_exchange(client, "cora").status_code == 403, "staff who must enrol do so on the website first"
    assert token_exchange(client, "vera").status_code == 200, "a volunteer is not asked"


@pytest.fixture
def other_district(django_user_model):
    district = Area.all_objects.create(code="440705", name="新会区", level=1)
    return {
        "admin": django_user_model.objects.create_user(
            "dora", password=PASSWORD, role=Role.DISTRICT_ADMIN, area=district
        ),
        "worker": django_user_model.objects.create_user(
            "otto", password=PASSWORD, role=Role.GRID_WORKER, area=district
        ),
    }


def reset_in_admin(client, user):
    return client.post(
        reverse("admin:accounts_user_changelist"), {"action": "totp_reset", "_selected_action": [user.pk]}
    )


def test_a_district_admin_resets_a_device_in_their_area_only(client, users, other_district, settings):
    settings.STAFF_TOTP = "optional"
    gwen, otto = users["gwen"], other_district["worker"]
    for user in (gwen, otto):
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    client.force_login(users["stella"])  # back office, without the permission: the action is not offered
    reset_in_admin(client, gwen)
    assert TOTPDevice.objects.filter(user=gwen).exists()

    client.force_login(other_district["admin"])
    reset_in_admin(client, gwen)
    assert TOTPDevice.objects.filter(user=gwen).exists(), "another district's admin"

    client.force_login(users["dana"])
    reset_in_admin(client, otto)
    assert TOTPDevice.objects.filter(user=otto).exists(), "a user of another district"
    response = reset_in_admin(client, gwen)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=gwen).exists()
    reset = AuditEvent.objects.get(action="delete", actor_name="dana", target_id=str(gwen.pk))
    assert reset.detail == {"otp": True, "devices": 1}
    assert not AuditEvent.objects.filter(action="delete", target_id=str(otto.pk)).exists()

    client.force_login(gwen)
    assert client.get(PAGE).status_code == 200, "after the reset: the password alone (optional)"


def test_the_reset_service_checks_the_permission_and_the_area(users, other_district):
    TOTPDevice.objects.create(user=users["gwen"], name="phone", confirmed=True)
    with acting_as(actor_for(users["cora"])), pytest.raises(PermissionDenied):
        totp_device_reset(users["gwen"])
    with acting_as(actor_for(other_district["admin"])), pytest.raises(NotInScope):
        totp_device_reset(users["gwen"])
    with acting_as(actor_for(users["dana"])):
        assert totp_device_reset(users["gwen"]) == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_speak_one_language(client, users, settings, clock, language):
    settings.STAFF_TOTP = "required"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    log_in(client, "cora")
    pages = [client.get(reverse("totp_enrol")), client.post(reverse("totp_enrol"), {"code": "abc"})]
    device = TOTPDevice.objects.get(user=users["cora"])
    clock.shift(2)
    client.post(reverse("totp_enrol"), {"code": code_now(device)})
    pages.append(client.get(reverse("account")))
    client.post(reverse("logout"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    log_in(client, "cora")
    pages += [client.get(reverse("totp_verify")), client.post(reverse("totp_verify"), {"code": "000000"})]
    settings.STAFF_TOTP = "optional"
    client.force_login(users["gwen"])
    pages.append(client.get(reverse("account")))
    data = Data()
    for page in pages:
        assert page.status_code in (200, 429)
        assert wrong_language(read_text(page), language, data) == [], read_text(page)
