"""/api/v1/care: the ledger, a worker's day, follow-ups and help requests. Reads are scoped like the pages; writes
are idempotent on a client key (core.idempotency: a retry gets the first answer, another body under the same key
gets 409)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.responses import Status

from care import selectors, services
from care.models import FollowUp, HelpRequest, RequestEvent
from core.idempotency import keyed
from core.pagination import window
from core.schemas import ClientKey, model_str
from registry.models import Area, Person

router = Router(tags=["care"])


def _require(request, perm):
    if not request.user.has_perm(f"care.{perm}"):
        raise PermissionDenied()


def _keyed(request, scope, body, write):
    return Status(*keyed(scope, body.client_key, body.dict(), write))


class LedgerEntryOut(Schema):
    id: int
    person_id: int
    name: str
    masked_id_number: str
    group: str
    since: date
    risk_level: str | None
    needs: list[str]
    grid_code: str

    @staticmethod
    def resolve_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_masked_id_number(obj):
        return obj.person.masked_id_number

    @staticmethod
    def resolve_group(obj):
        return obj.group.code

    @staticmethod
    def resolve_risk_level(obj):
        return obj.risk_level.label if obj.risk_level else None

    @staticmethod
    def resolve_grid_code(obj):
        return obj.grid.code


@router.get("/ledger", response=list[LedgerEntryOut], summary="Ledger entries in your area")
def ledger_list(request, group: str | None = None, limit: int = 100, offset: int = 0):
    _require(request, "view_ledgerentry")
    entries = selectors.ledger_entry_list()
    if group:
        entries = entries.filter(group__code=group)
    return window(entries, limit=limit, offset=offset)


class TaskOut(Schema):
    person_id: int
    name: str
    status: str
    status_label: str
    attempts: int
    address: str


@router.get("/today", response=list[TaskOut], summary="Your follow-up calls for today")
def today(request):
    _require(request, "view_followuptask")
    return selectors.today_cards(request.user)  # reads only: care-plan-day plans the day


class FollowUpIn(Schema):
    person_id: int
    outcome: FollowUp.Outcome
    kind: FollowUp.Kind = FollowUp.Kind.CALL
    note: model_str(FollowUp, "note") = ""
    need_kind: model_str(HelpRequest, "kind") | None = None
    client_key: ClientKey | None = None


class FollowUpOut(Schema):
    id: int
    person_id: int
    outcome: str
    kind: str
    at: datetime


@router.post("/followups", response={201: FollowUpOut, 409: dict}, summary="Log a call or visit (idempotent)")
def followup_create(request, body: FollowUpIn):
    person = get_object_or_404(Person.objects.select_related("grid"), pk=body.person_id)

    def write():
        fields = body.dict(exclude={"person_id", "client_key"})
        followup = services.followup_record(person, worker=request.user, **fields)
        return 201, FollowUpOut.from_orm(followup).model_dump(mode="json")

    return _keyed(request, "care.followup", body, write)


class HelpRequestIn(Schema):
    kind: model_str(HelpRequest, "kind")
    channel: HelpRequest.Channel = HelpRequest.Channel.GRID_WORKER
    area_code: model_str(Area, "code") | None = None
    person_id: int | None = None
    requester_name: model_str(HelpRequest, "requester_name")
    requester_phone: model_str(HelpRequest, "requester_phone") = ""
    description: model_str(HelpRequest, "description")
    hospital: model_str(HelpRequest, "hospital") = ""
    department: model_str(HelpRequest, "department") = ""
    transport: model_str(HelpRequest, "transport") = ""
    client_key: ClientKey | None = None


class HelpRequestOut(Schema):
    id: int
    receipt: str
    kind: str
    status: str
    green_channel: bool
    deadline_at: datetime
    area_code: str
    escalated_to_code: str | None


def _request_out(obj):
    """The JSON answer for a request (also what an idempotent retry gets back)."""
    return {
        "id": obj.pk,
        "receipt": obj.receipt,
        "kind": obj.kind,
        "status": obj.status,
        "green_channel": obj.green_channel,
        "deadline_at": obj.deadline_at.isoformat(),
        "area_code": obj.area.code,
        "escalated_to_code": obj.escalated_to.code if obj.escalated_to else None,
    }


@router.post("/requests", response={201: HelpRequestOut, 409: dict}, summary="Receive a help request (idempotent)")
def help_request_create(request, body: HelpRequestIn):
    data = body.dict(exclude={"area_code", "person_id", "client_key"})
    person = get_object_or_404(Person, pk=body.person_id) if body.person_id else None
    area = get_object_or_404(Area, code=body.area_code) if body.area_code else (person.grid if person else None)
    if area is None:
        area = get_object_or_404(Area, pk=request.user.area_id)

    def write():
        created = services.help_request_create(area=area, person=person, by=request.user, **data)
        return 201, _request_out(created)

    return _keyed(request, "care.request", body, write)


@router.get("/requests", response=list[HelpRequestOut], summary="Open help requests in your area")
def help_request_list(request, overdue: bool = False, limit: int = 100, offset: int = 0):
    _require(request, "view_helprequest")
    qs = selectors.help_request_list(overdue=overdue).filter(status__in=HelpRequest.OPEN)
    return [_request_out(r) for r in window(qs, limit=limit, offset=offset)]


class StepIn(Schema):
    step: model_str(RequestEvent, "action")
    note: model_str(RequestEvent, "note") = ""
    assigned_to_id: int | None = None
    result: model_str(HelpRequest, "result") | None = None


@router.post(
    "/requests/{request_id}/steps",
    response={200: HelpRequestOut, 409: dict},
    summary="Move a request one step (409 if someone else moved it first)",
)
def help_request_step(request, request_id: int, body: StepIn):
    help_request = get_object_or_404(HelpRequest.objects.select_related("area", "escalated_to"), pk=request_id)
    assigned = None
    if body.assigned_to_id:
        assigned = get_object_or_404(selectors.workers_for(request.user), pk=body.assigned_to_id)
    try:
        services.help_request_step(
            help_request, body.step, by=request.user, note=body.note, assigned_to=assigned, result=body.result
        )
    except services.Conflict as exc:
        return Status(409, {"detail": "conflict", "errors": exc.message_dict})
    return _request_out(help_request)
