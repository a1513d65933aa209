"""The call link's far end: who a grid worker may phone, how often, and which number their phone dials.

A privacy-number bridge (隐私号, AXB number masking) binds a virtual number to the worker's phone and the resident's
for a few minutes; the worker dials the virtual number and the real one never reaches the browser. The bridge is
chosen by the setting `CALL_BRIDGE_BACKEND` (a dotted path to a class with `bind(worker=, person=) -> Dial`);
empty means none, and the phone dials the real number (after the same audit). `DevelopmentBridge` stands in for
an operator's API: it makes up a 95013… number and writes the binding to the log.

Who may be called: a person on one of the worker's lists. Each app that keeps such a list answers
`call_list_has(user, person)` in its `selectors` module (care: pairings, today's follow-ups, open help requests;
screening: the running round's knock and home-sampling lists), as each answers `testing.leak_objects` for the
leak walker — so the register need not import the apps built on it."""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from core import limits
from core.discovery import app_modules

log = logging.getLogger("gridcare.calls")


@dataclass(frozen=True)
class Dial:
    """What the worker's phone dials: the real number, or a virtual one bridged to it until `expires_at`."""

    number: str
    bridged: bool = False
    expires_at: datetime | None = None


class DevelopmentBridge:
    """A fake privacy-number operator: a 95013… virtual number valid for `CALL_BRIDGE_MINUTES`, logged."""

    def bind(self, *, worker, person):
        number = "95013" + "".join(secrets.choice("0123456789") for _ in range(6))
        expires_at = timezone.now() + timedelta(minutes=settings.CALL_BRIDGE_MINUTES)
        log.warning("call bridge: %s → person %s via %s until %s", worker.get_username(), person.pk, number, expires_at)
        return Dial(number, bridged=True, expires_at=expires_at)


def bridge():
    """The configured bridge, or None (dial the real number)."""
    path = settings.CALL_BRIDGE_BACKEND
    return import_string(path)() if path else None


def on_call_list(user, person):
    return any(m.call_list_has(user, person) for m in app_modules("selectors") if hasattr(m, "call_list_has"))


def call_count_take(user):
    """Counts one call for `user` in the current hour (in the shared cache); False beyond `CALL_LIMIT_PER_HOUR`."""
    return limits.hit("calls", user.pk, limit=settings.CALL_LIMIT_PER_HOUR, window=3600)
