"""Tracing API, mounted at /api/v1/tracing. Writes are checked by the services (core.access.writes) and idempotent
on each item's client key (core.idempotency); reads are scoped; ID numbers come masked."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Router, Schema
from ninja.responses import Status

from core.access import require, writable
from core.schemas import ClientKey, text
from tracing import selectors, services
from tracing.models import EntryAlert, VenueVisit

router = Router(tags=["tracing"])


# --- gate ---


class EntryIn(Schema):
    client_key: ClientKey
    venue: int
    person: text(100)  # the personal registration code as scanned (GCP1:…) or an ID number as typed
    code_colour: Literal[tuple(VenueVisit.CodeColour.values)]
    direction: Literal[tuple(VenueVisit.Direction.values)]
    temperature: float | text(8) | None = None  # empty: not measured, nothing unusual; "37.5" or 37.5
    at: datetime


class EntriesIn(Schema):
    entries: list[EntryIn]


class EntryAnswer(Schema):
    http_status: int
    client_key: str | None = None
    status: str
    visit_id: int | None = None
    person: str | None = None  # masked ID number
    alert_id: int | None = None
    reasons: list[Literal["fever", "colour", "control"]] = []
    record_colour: Literal["green", "yellow", "red"] | None = None  # derived from our records, never typed
    advice: list[str] = []
    errors: dict[str, str] = {}


class EntriesOut(Schema):
    accepted: int
    rejected: int
    results: list[EntryAnswer]


class EntryAlertOut(Schema):
    id: int
    person_id: int
    name: str
    masked_id_number: str
    grid: str
    venue: str
    visited_at: datetime
    direction: str
    code_colour: str
    temperature: Decimal | None
    fever: bool
    under_control: bool
    acknowledged_at: datetime | None


class AckOut(Schema):
    id: int
    acknowledged_at: datetime


@router.post(
    "/entries",
    response={200: EntriesOut, 422: EntriesOut},
    summary="Record entries logged at gates, answering per entry (idempotent per client_key)",
    description="200 when at least one entry was recorded (or answered from an earlier identical request); 422 "
    "when none was. Each result says what the gate must do (`advice`, in the caller's language) and why "
    "(`reasons`).",
)
def entries_record(request, body: EntriesIn):
    answers = services.gate_entries_record([e.model_dump(mode="json") for e in body.entries], user=request.user)
    results = [{"http_status": s, **a} for s, a in answers]
    accepted = sum(1 for s, _a in answers if s < 400)
    out = {"accepted": accepted, "rejected": len(answers) - accepted, "results": results}
    return Status(200 if accepted or not answers else 422, out)


def _alert_out(a):
    return {
        "id": a.pk,
        "person_id": a.person_id,
        "name": a.person.name,
        "masked_id_number": a.person.masked_id_number,
        "grid": a.grid.code,
        "venue": a.visit.venue.name,
        "visited_at": a.visit.visited_at,
        "direction": a.visit.direction,
        "code_colour": a.code_colour,
        "temperature": a.visit.temperature,
        "fever": a.fever,
        "under_control": a.under_control,
        "acknowledged_at": a.acknowledged_at,
    }


@router.get("/entry-alerts", response=list[EntryAlertOut], summary="Entry alerts of the caller's area, open first")
def entry_alert_list(request, open_only: bool = False):
    require("tracing.view_entryalert")
    rows = selectors.entry_alert_list().select_related("grid")
    if open_only:
        rows = rows.filter(acknowledged_at__isnull=True)
    return [_alert_out(a) for a in rows[:500]]


@router.post(
    "/entry-alerts/{alert_id}/ack",
    response={200: AckOut, 409: dict},
    summary="Acknowledge an entry alert (once)",
)
def entry_alert_ack(request, alert_id: int):
    alert = writable(EntryAlert, "tracing.change_entryalert", pk=alert_id)
    try:
        services.entry_alert_acknowledge(alert, user=request.user)
    except services.AlreadyAcknowledged as exc:
        return Status(409, {"detail": "conflict", "errors": {"alert": str(exc)}})
    return {"id": alert.pk, "acknowledged_at": alert.acknowledged_at}
