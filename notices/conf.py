"""The notices' settings (settings.NOTICES), each with a default a district may change."""

from django.conf import settings

DEFAULTS = {
    "PHONE_AFTER_HOURS": 2,  # the silent are phoned this long after the notice went out
    "KNOCK_AFTER_HOURS": 6,  # and knocked on after this long
    "RATE_PER_MINUTE": {"sms": 120, "wecom": 20, "email": 60, "inbox": 100_000},
    "QUIET_HOURS": ("22:00", "07:00"),  # local time: no SMS; deferred to the end
    "MAX_ATTEMPTS": 5,
    "BACKOFF_SECONDS": 60,  # 60, 120, 240, … after each failure
    "SMS_BACKEND": "file",  # "file" (VAR_DIR/sms.log) or "http"
    "SMS_URL": "",
    "SMS_TOKEN": "",
    "HTTP_TIMEOUT": 5,
    "PUBLIC_BASE_URL": "",  # prefix of the acknowledgement link in an SMS ("https://grid.example.cn")
}


def setting(name):
    return {**DEFAULTS, **getattr(settings, "NOTICES", {})}[name]
