"""The channels, behind one small interface: `channel.send(message) -> Result`. A failure (a non-2xx answer, a
timeout, a refused connection) is a Result with ok=False and what went wrong, for the retry; never an exception."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from notices.conf import setting


@dataclass(frozen=True)
class Message:
    to: str  # a phone number, a webhook address, an e-mail address ("" for the inbox)
    text: str
    subject: str = ""


@dataclass(frozen=True)
class Result:
    ok: bool
    answer: str = ""


def _post_json(url, payload, headers=None):
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=setting("HTTP_TIMEOUT")) as response:  # noqa: S310 (settings)
            return Result(True, f"{response.status} {response.read(500).decode('utf-8', 'replace')}")
    except urllib.error.HTTPError as exc:
        return Result(False, f"{exc.code} {exc.read(500).decode('utf-8', 'replace')}")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return Result(False, f"error {exc}")


class FileSms:
    """For development: appends each SMS to VAR_DIR/sms.log."""

    def send(self, message):
        with open(settings.VAR_DIR / "sms.log", "a", encoding="utf-8") as log:
            log.write(f"{timezone.now().isoformat()}\t{message.to}\t{message.text}\n")
        return Result(True, "logged")


class HttpSms:
    """A provider's HTTP gateway: JSON POST {"to", "text"} to settings NOTICES["SMS_URL"] with a bearer token."""

    def send(self, message):
        url = setting("SMS_URL")
        if not url:
            return Result(False, "NOTICES SMS_URL is not set")
        headers = {"Authorization": f"Bearer {setting('SMS_TOKEN')}"}
        result = _post_json(url, {"to": message.to, "text": message.text}, headers)
        if result.ok:  # WeCom and most gateways answer 200 with an error code in the body
            try:
                body = json.loads(result.answer.partition(" ")[2] or "{}")
            except ValueError:
                body = {}
            if isinstance(body, dict) and body.get("errcode", 0) not in (0, "0"):
                return Result(False, result.answer)
        return result


class WeComRobot:
    """The WeCom (企业微信) group robot: POST {"msgtype": "text", "text": {"content": …}} to the grid's webhook."""

    def send(self, message):
        result = _post_json(message.to, {"msgtype": "text", "text": {"content": message.text}})
        if result.ok:
            try:
                body = json.loads(result.answer.partition(" ")[2] or "{}")
            except ValueError:
                body = {}
            if isinstance(body, dict) and body.get("errcode", 0) != 0:
                return Result(False, result.answer)
        return result


class StaffEmail:
    """Django's e-mail backend (settings.EMAIL_BACKEND)."""

    def send(self, message):
        try:
            send_mail(message.subject, message.text, None, [message.to])
        except Exception as exc:  # an SMTP server down is a failure to retry, like any other channel's
            return Result(False, f"error {exc}")
        return Result(True, "sent")


class Inbox:
    """The in-app inbox: the message is the row itself (the resident's link page, the staff inbox page)."""

    def send(self, message):
        return Result(True, "in the inbox")


def channel_for(name):
    if name == "sms":
        return HttpSms() if setting("SMS_BACKEND") == "http" else FileSms()
    return {"wecom": WeComRobot, "email": StaffEmail, "inbox": Inbox}[name]()
