"""Screening API, mounted at /api/v1/screening: for desks, labs, third-party sampling apps and our own pages.

Writes are idempotent (core.idempotency, keys per acting user): tubes and the other writes on `client_key`, results
on the tube code. Reads are scoped: an `area` code outside the caller's area is a 404. ID and phone numbers come
masked. Write permissions are checked by the services (core.access.writes); handlers check only reads, and fetch
what they change through `writable` (403 without the permission, 404 outside the area).
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from core.access import writable
from core.idempotency import keyed
from core.pagination import PageNumberPagination
from core.schemas import ClientKey, model_str, text
from registry.models import Area, Household, Person
from screening import selectors, services
from screening.models import Alert, Campaign, HomeSamplingRequest, HomeSamplingTeam, KnockOutcome, Round, Site, Tube

router = Router(tags=["screening"])


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied(f"missing permission {perm}")


def _area(request, code):
    """The area named by `code` (default: the caller's own), 404 outside the caller's scope."""
    if not code:
        if request.user.area_id is None:
            return get_object_or_404(Area, level=Area.Level.DISTRICT)
        code = request.user.area.code
    return get_object_or_404(Area, code=code)


def _keyed(request, scope, client_key, body, write):
    return Status(*keyed(scope, client_key, body, write))


def _conflict(exc):
    return Status(409, {"detail": "conflict", "errors": {"status": str(exc)}})


# --- schemas ---------------------------------------------------------------------------------------------------


class RoundIn(Schema):
    starts_at: datetime
    ends_at: datetime


class PoolingIn(Schema):
    area: model_str(Area, "code")
    pool_size: Literal[1, 5, 10, 20]
    zone: Literal["quarantine", "sealed", "controlled", "elsewhere"] = "elsewhere"


class CampaignIn(Schema):
    client_key: ClientKey | None = None
    name: model_str(Campaign, "name")
    type: Literal["nucleic_acid", "antigen", "roll_call"] = "nucleic_acid"
    scope: list[model_str(Area, "code")]
    rounds: list[RoundIn]
    pooling: list[PoolingIn] = []
    default_pool_size: Literal[1, 5, 10, 20] = 10
    residence_statuses: list[model_str(Person, "residence_status")] | None = None
    min_age: int | None = None
    max_age: int | None = None


class RoundOut(Schema):
    id: int
    number: int
    starts_at: datetime
    ends_at: datetime


class SiteOut(Schema):
    id: int
    name: str
    kind: str
    area: str
    address: str
    desks: int


class CampaignOut(Schema):
    id: int
    name: str
    type: str
    scope: list[str]
    default_pool_size: int
    pooling: list[PoolingIn]
    rounds: list[RoundOut]
    sites: list[SiteOut]


class SiteIn(Schema):
    client_key: ClientKey | None = None
    name: model_str(Site, "name")
    kind: Literal["fixed", "booth", "mobile"] = "fixed"
    area: model_str(Area, "code")
    address: model_str(Site, "address") = ""
    desks: int = 1
    staff: int = 0


class PersonEntry(Schema):
    id_number: text(40) | None = None  # as typed or scanned, spaces allowed
    person_id: int | None = None
    name: model_str(Person, "name") | None = None
    grid: model_str(Area, "code") | None = None


class TubeIn(Schema):
    client_key: ClientKey
    round: int
    site: int
    tube_code: model_str(Tube, "code")
    pool_size: int
    closed_at: datetime
    persons: list[PersonEntry]


class TubeAnswer(Schema):
    client_key: str | None = None
    status: str
    tube_id: int | None = None
    tube_code: str | None = None
    samples: int | None = None
    repeat_person_ids: list[int] = []
    provisional_person_ids: list[int] = []
    errors: dict[str, str] = {}
    detail: str | None = None


class BatchIn(Schema):
    tubes: list[TubeIn]


class BatchItem(TubeAnswer):
    http_status: int


class BatchOut(Schema):
    accepted: int
    rejected: int
    results: list[BatchItem]


class ResultIn(Schema):
    tube_code: model_str(Tube, "code")
    result: model_str(Tube, "result")
    resulted_at: datetime | None = None
    lab: model_str(Tube, "lab") = ""
    correction_reason: text(300) | None = None


class CorrectionIn(Schema):
    result: model_str(Tube, "result")
    reason: text(300) = ""
    resulted_at: datetime | None = None
    lab: model_str(Tube, "lab") = ""


class ResultAnswer(Schema):
    http_status: int
    tube_code: str | None = None
    status: str | None = None
    result: str | None = None
    holds: int | None = None
    home_requests: int | None = None
    to_trace: int | None = None
    released: int | None = None
    errors: dict[str, str] = {}


class ResultsIn(Schema):
    results: list[ResultIn]


class ResultsOut(Schema):
    results: list[ResultAnswer]


class Counts(Schema):
    expected: int
    sampled: int
    missing: int
    excluded: int
    resulted: int
    positive: int


class CoverageChild(Counts):
    key: str | int | None
    code: str | None
    name: str


class CoverageOut(Counts):
    round: int
    area: str
    name: str
    children: list[CoverageChild]


class MissingPerson(Schema):
    id: int
    name: str
    masked_id_number: str
    masked_phone: str
    grid: str
    household_id: int | None
    address: str


class KnockPerson(Schema):
    id: int
    name: str
    masked_id_number: str
    acknowledged: bool
    last_outcome: str | None


class KnockDoor(Schema):
    household_id: int | None
    address: str
    unit: int | None
    floor: int | None
    room: str | None
    last_outcome: str | None
    persons: list[KnockPerson]


class KnockIn(Schema):
    client_key: ClientKey | None = None
    household_id: int
    person_id: int | None = None
    outcome: Literal[tuple(KnockOutcome.Outcome.values)]
    where: model_str(KnockOutcome, "where") = ""
    until: date | None = None
    note: model_str(KnockOutcome, "note") = ""


class IdOut(Schema):
    id: int


class AckIn(Schema):
    person_id: int


class HomeRequestIn(Schema):
    client_key: ClientKey | None = None
    person_id: int
    source: Literal["resident", "grid_worker", "knock"] = "grid_worker"
    note: model_str(HomeSamplingRequest, "note") = ""


class HomeRequestOut(Schema):
    id: int
    person_id: int
    name: str
    address: str
    source: str
    status: str
    single_tube: bool
    team: str | None
    route_order: int | None
    age_minutes: int


class FinishIn(Schema):
    done: bool
    note: model_str(HomeSamplingRequest, "note") = ""


class HoldOut(Schema):
    id: int
    person_id: int
    name: str
    grid: str
    tube_code: str
    state: str
    minutes_since_result: int | None


class AlertOut(Schema):
    id: int
    kind: str
    area: str
    round: int
    tube_code: str | None
    person_id: int | None
    person_name: str | None
    created_at: datetime


class SiteNumbers(Schema):
    site_id: int
    site: str
    samples: int
    samples_last_hour: int
    samples_per_hour: float
    queue_estimate: int
    hours_to_finish: float | None
    tubes_closed: int
    tubes_pending: int
    tubes_resulted: int
    positive_tubes: int
    turnaround_minutes: float | None


class MissedRounds(Schema):
    person_id: int
    name: str
    grid: str
    sampled_rounds: int
    rounds_so_far: int
    missed: int


class CoveragePoint(Schema):
    at: datetime
    sampled: int
    percent: float


class TubeCheck(Schema):
    tube_code: str
    used: bool


# --- campaigns and sites ---------------------------------------------------------------------------------------


def _campaign_out(campaign):
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "type": campaign.kind,
        "scope": selectors.scope_codes(campaign),
        "default_pool_size": campaign.default_pool_size,
        "pooling": [
            {"area": r.area.code, "pool_size": r.pool_size, "zone": r.zone} for r in campaign.pooling_rules.all()
        ],
        "rounds": list(campaign.rounds.all()),
        "sites": [
            {"id": s.pk, "name": s.name, "kind": s.kind, "area": s.area.code, "address": s.address, "desks": s.desks}
            for s in campaign.sites.select_related("area")
        ],
    }


@router.post("/campaigns", response={201: CampaignOut}, summary="Create a campaign with its rounds and pooling rules")
def campaign_create(request, body: CampaignIn):
    def write():
        campaign = services.campaign_create(
            name=body.name,
            kind=body.type,
            scope_codes=body.scope,
            rounds=[(r.starts_at, r.ends_at) for r in body.rounds],
            pooling=[(p.area, p.pool_size, p.zone) for p in body.pooling],
            residence_statuses=body.residence_statuses,
            min_age=body.min_age,
            max_age=body.max_age,
            default_pool_size=body.default_pool_size,
            user=request.user,
        )
        return 201, CampaignOut.model_validate(_campaign_out(selectors.campaign_get(campaign.pk))).model_dump(
            mode="json"
        )

    return _keyed(request, "screening.campaign", body.client_key, body.model_dump(mode="json"), write)


@router.get("/campaigns", response=list[CampaignOut], summary="Campaigns with their rounds and sites")
def campaign_list(request):
    _require(request, "screening.view_campaign")
    return [_campaign_out(c) for c in selectors.campaign_list()]


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="A campaign with its rounds (and their ids)")
def campaign_detail(request, campaign_id: int):
    _require(request, "screening.view_campaign")
    return _campaign_out(get_object_or_404(selectors.campaign_list(), pk=campaign_id))


@router.post("/campaigns/{campaign_id}/sites", response={201: SiteOut}, summary="Add a sampling site")
def site_create(request, campaign_id: int, body: SiteIn):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    area = writable(Area, "screening.add_site", code=body.area)

    def write():
        site = services.site_create(
            campaign,
            name=body.name,
            kind=body.kind,
            area=area,
            address=body.address,
            desks=body.desks,
            staff=body.staff,
        )
        return 201, {
            "id": site.pk,
            "name": site.name,
            "kind": site.kind,
            "area": area.code,
            "address": site.address,
            "desks": site.desks,
        }

    return _keyed(request, "screening.site", body.client_key, body.model_dump(mode="json"), write)


@router.get(
    "/campaigns/{campaign_id}/missed",
    response=list[MissedRounds],
    summary="Persons who missed rounds so far (missed 2 of 3), live",
)
def rounds_missed(request, campaign_id: int, area: str | None = None):
    _require(request, "screening.view_sample")
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    rows = selectors.rounds_missed(campaign, _area(request, area))
    return [
        {
            "person_id": r["person"].pk,
            "name": r["person"].name,
            "grid": r["person"].grid_id and str(r["person"].grid_id),
            **{k: r[k] for k in ("sampled_rounds", "rounds_so_far", "missed")},
        }
        for r in rows
    ]


# --- tubes -----------------------------------------------------------------------------------------------------


def _item(tube):
    item = tube.model_dump(mode="json", exclude_none=True)
    item["persons"] = [p.model_dump(mode="json", exclude_none=True) for p in tube.persons]
    return item


@router.post(
    "/tubes",
    response={201: TubeAnswer, 409: TubeAnswer, 422: TubeAnswer},
    summary="Register one closed tube (idempotent on client_key)",
)
def tube_create(request, body: TubeIn):
    status, answer = services.tube_register(_item(body), user=request.user)
    return Status(status, {"status": "conflict", **answer} if status == 409 else answer)


@router.post("/tubes/batch", response=BatchOut, summary="Register many closed tubes, answering per tube")
def tube_batch(request, body: BatchIn):
    answers = services.tubes_register([_item(t) for t in body.tubes], user=request.user)
    results = [
        {"http_status": s, "status": "conflict", **a} if s == 409 else {"http_status": s, **a} for s, a in answers
    ]
    accepted = sum(1 for s, _a in answers if s < 400)
    return {"accepted": accepted, "rejected": len(answers) - accepted, "results": results}


@router.get("/tubes/check", response=TubeCheck, summary="Whether a tube code is already used (desks refuse it)")
def tube_check(request, code: str):
    _require(request, "screening.add_tube")
    return {"tube_code": code, "used": Tube.objects.filter(code=code.strip()).exists()}


# --- results ---------------------------------------------------------------------------------------------------


def _result_answers(answers):
    return {"results": [{"http_status": s, **a} for s, a in answers]}


@router.post(
    "/results",
    response=ResultsOut,
    summary="Record lab results, one or many (idempotent per tube code)",
)
def results_create(request, body: ResultIn | ResultsIn):
    items = body.results if isinstance(body, ResultsIn) else [body]
    answers = services.results_record([i.model_dump(mode="json") for i in items], user=request.user)
    return _result_answers(answers)


@router.post(
    "/results/{tube_code}/correction",
    response={200: ResultAnswer, 409: ResultAnswer, 422: ResultAnswer},
    summary="Correct a tube's result, with a reason (audited; the holds follow)",
)
def result_correct(request, tube_code: str, body: CorrectionIn):
    status, answer = services.result_correct(
        tube_code, result=body.result, reason=body.reason, resulted_at=body.resulted_at, lab=body.lab
    )
    return Status(status, {"http_status": status, **answer})


@router.post("/results/import", response=ResultsOut, summary="Import the lab's .xlsx/.csv export")
def results_import(request, file: UploadedFile = File(...)):  # noqa: B008 (ninja's idiom)
    return _result_answers(services.results_import(file, filename=file.name or "", user=request.user))


# --- coverage and lists ----------------------------------------------------------------------------------------


@router.get("/rounds/{round_id}/coverage", response=CoverageOut, summary="Live coverage of an area and its children")
def round_coverage(request, round_id: int, area: str | None = None):
    _require(request, "screening.view_sample")
    round_ = get_object_or_404(Round.objects.select_related("campaign"), pk=round_id)
    target = _area(request, area)
    data = selectors.coverage(round_, target)
    children = [{**c, "key": c["key"], "name": str(c["name"])} for c in data["children"]]
    counts = {k: data[k] for k in selectors.COUNTS}
    return {"round": round_.pk, "area": target.code, "name": target.name, **counts, "children": children}


@router.get("/rounds/{round_id}/missing", response=list[MissingPerson], summary="Missing persons (masked), by door")
@paginate(PageNumberPagination, page_size=100)
def round_missing(request, round_id: int, area: str | None = None):
    _require(request, "screening.view_sample")
    round_ = get_object_or_404(Round.objects.select_related("campaign"), pk=round_id)
    return _MissingRows(
        selectors.missing_persons(round_, _area(request, area)).select_related("grid", "household__building")
    )


class _MissingRows:
    """A queryset-like wrapper so the paginator slices in SQL and rows come out masked."""

    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, window):
        return [_missing_row(p) for p in self.qs[window]]


def _missing_row(p):
    h = p.household
    return {
        "id": p.pk,
        "name": p.name,
        "masked_id_number": p.masked_id_number,
        "masked_phone": p.masked_phone,
        "grid": p.grid.code,
        "household_id": p.household_id,
        "address": f"{h.building.address} {h.door_label}" if h else "",
    }


@router.get("/rounds/{round_id}/knock-list", response=list[KnockDoor], summary="A grid's doors with anyone missing")
def round_knock_list(request, round_id: int, grid: str | None = None):
    _require(request, "screening.view_knockoutcome")
    round_ = get_object_or_404(Round.objects.select_related("campaign"), pk=round_id)
    area = _area(request, grid)
    if area.level != Area.Level.GRID:
        raise PermissionDenied("the knock list is per grid: pass grid=<grid code>")
    doors = []
    for door in selectors.knock_list(round_, area):
        h = door["household"]
        doors.append(
            {
                "household_id": h.pk if h else None,
                "address": h.building.address if h else "",
                "unit": h.unit if h else None,
                "floor": h.floor if h else None,
                "room": h.room if h else None,
                "last_outcome": door["last_outcome"].outcome if door["last_outcome"] else None,
                "persons": [
                    {
                        "id": row["person"].pk,
                        "name": row["person"].name,
                        "masked_id_number": row["person"].masked_id_number,
                        "acknowledged": row["acknowledged"],
                        "last_outcome": row["last_outcome"].outcome if row["last_outcome"] else None,
                    }
                    for row in door["persons"]
                ],
            }
        )
    return doors


@router.post("/rounds/{round_id}/knocks", response={201: IdOut}, summary="Record a door-knock outcome")
def knock_create(request, round_id: int, body: KnockIn):
    round_ = get_object_or_404(Round, pk=round_id)
    household = writable(Household, "screening.add_knockoutcome", pk=body.household_id)
    person = get_object_or_404(Person, pk=body.person_id) if body.person_id else None

    def write():
        knock = services.knock_record(
            round_,
            household,
            outcome=body.outcome,
            person=person,
            where=body.where,
            until=body.until,
            note=body.note,
            user=request.user,
        )
        return 201, {"id": knock.pk}

    return _keyed(
        request, "screening.knock", body.client_key, {**body.model_dump(mode="json"), "round": round_id}, write
    )


@router.post("/rounds/{round_id}/acks", response={201: IdOut}, summary="Mark that a person acknowledged the notice")
def ack_create(request, round_id: int, body: AckIn):
    round_ = get_object_or_404(Round, pk=round_id)
    person = writable(Person, "notices.add_noticeack", pk=body.person_id)
    ack = services.notice_acknowledge(round_, person, user=request.user)
    return Status(201, {"id": ack.pk})


def _request_out(r, now):
    h = r.household
    return {
        "id": r.pk,
        "person_id": r.person_id,
        "name": r.person.name,
        "address": f"{h.building.address} {h.door_label}" if h else "",
        "source": r.source,
        "status": r.status,
        "single_tube": r.single_tube,
        "team": r.team.name if r.team else None,
        "route_order": r.route_order,
        "age_minutes": int((now - r.created_at).total_seconds() // 60),
    }


@router.get("/rounds/{round_id}/home-requests", response=list[HomeRequestOut], summary="Home-sampling requests")
def home_request_list(request, round_id: int, area: str | None = None, status: str | None = None):
    _require(request, "screening.view_homesamplingrequest")
    from django.utils import timezone

    round_ = get_object_or_404(Round, pk=round_id)
    now = timezone.now()
    return [_request_out(r, now) for r in selectors.home_requests(round_, _area(request, area), status)]


@router.post("/rounds/{round_id}/home-requests", response={201: IdOut}, summary="Ask for home sampling")
def home_request_create(request, round_id: int, body: HomeRequestIn):
    round_ = get_object_or_404(Round, pk=round_id)
    person = writable(Person, "screening.add_homesamplingrequest", pk=body.person_id)

    def write():
        r = services.home_request_create(round_, person, source=body.source, note=body.note)
        return 201, {"id": r.pk}

    return _keyed(
        request, "screening.home", body.client_key, {**body.model_dump(mode="json"), "round": round_id}, write
    )


class ConflictOut(Schema):
    detail: str
    errors: dict[str, str] = {}


@router.post(
    "/home-requests/{request_id}/finish",
    response={200: IdOut, 409: ConflictOut},
    summary="Mark a home-sampling request done or not (once: 409 when already finished)",
)
def home_request_finish(request, request_id: int, body: FinishIn):
    r = writable(HomeSamplingRequest, "screening.change_homesamplingrequest", pk=request_id)
    try:
        services.home_request_finish(r, done=body.done, note=body.note)
    except services.AlreadyDone as exc:
        return _conflict(exc)
    return {"id": r.pk}


@router.get("/holds", response=list[HoldOut], summary="Persons held after positive pooled tubes, with their state")
def hold_list(request, round: int | None = None):
    _require(request, "screening.view_hold")
    from django.utils import timezone

    now = timezone.now()
    round_ = get_object_or_404(Round, pk=round) if round else None
    return [
        {
            "id": h.pk,
            "person_id": h.person_id,
            "name": h.person.name,
            "grid": h.grid.code,
            "tube_code": h.tube.code,
            "state": h.state,
            "minutes_since_result": int((now - h.tube.result_received_at).total_seconds() // 60)
            if h.tube.result_received_at
            else None,
        }
        for h in selectors.holds(round_)
    ]


@router.get("/alerts", response=list[AlertOut], summary="Open alerts for the caller's area")
def alert_list(request):
    _require(request, "screening.view_alert")
    return [
        {
            "id": a.pk,
            "kind": a.kind,
            "area": a.area.code,
            "round": a.round_id,
            "tube_code": a.tube.code if a.tube else None,
            "person_id": a.person_id,
            "person_name": a.person.name if a.person else None,
            "created_at": a.created_at,
        }
        for a in selectors.alerts()[:500]
    ]


@router.post("/alerts/{alert_id}/ack", response={200: IdOut, 409: ConflictOut}, summary="Acknowledge an alert (once)")
def alert_ack(request, alert_id: int):
    alert = writable(Alert, "screening.change_alert", pk=alert_id)
    try:
        services.alert_acknowledge(alert, user=request.user)
    except services.AlreadyDone as exc:
        return _conflict(exc)
    return {"id": alert.pk}


# --- command centre --------------------------------------------------------------------------------------------


@router.get(
    "/rounds/{round_id}/numbers", response=list[SiteNumbers], summary="Per site: rates, queue, tubes, turnaround"
)
def round_numbers(request, round_id: int):
    _require(request, "screening.view_tube")
    round_ = get_object_or_404(Round, pk=round_id)
    return [
        {
            "site_id": row["site"].pk,
            "site": row["site"].name,
            **{k: v for k, v in row.items() if k != "site"},
        }
        for row in selectors.round_numbers(round_)
    ]


@router.get(
    "/rounds/{round_id}/coverage-over-time", response=list[CoveragePoint], summary="Coverage percent over the round"
)
def round_coverage_over_time(request, round_id: int, area: str | None = None, step_minutes: int = Query(60, ge=5)):
    _require(request, "screening.view_sample")
    round_ = get_object_or_404(Round.objects.select_related("campaign"), pk=round_id)
    points = selectors.coverage_over_time(round_, _area(request, area), step_minutes)
    return [{"at": t, "sampled": n, "percent": pct} for t, n, pct in points]


@router.get("/rounds/{round_id}/phone-list", response=list[MissingPerson], summary="Missing and silent: phone them")
def round_phone_list(request, round_id: int, grid: str | None = None):
    _require(request, "screening.view_knockoutcome")
    round_ = get_object_or_404(Round.objects.select_related("campaign"), pk=round_id)
    area = _area(request, grid)
    if area.level != Area.Level.GRID:
        raise PermissionDenied("the phone list is per grid: pass grid=<grid code>")
    return [_missing_row(p) for p in selectors.phone_list(round_, area).select_related("grid", "household__building")]


class TeamIn(Schema):
    name: model_str(HomeSamplingTeam, "name")
    area: model_str(Area, "code")
    medic: text(150)  # a username
    grid_worker: text(150) | None = None


@router.post("/rounds/{round_id}/home-teams", response={201: IdOut}, summary="Add a home-sampling team")
def home_team_create(request, round_id: int, body: TeamIn):
    from accounts.models import User

    round_ = get_object_or_404(Round, pk=round_id)
    area = writable(Area, "screening.add_homesamplingteam", code=body.area)
    medic = get_object_or_404(User, username=body.medic, role="medic")
    worker = get_object_or_404(User, username=body.grid_worker) if body.grid_worker else None
    team = services.home_team_create(round_, name=body.name, area=area, medic=medic, grid_worker=worker)
    return Status(201, {"id": team.pk})


class AssignOut(Schema):
    standing_added: int
    assigned: int


@router.post(
    "/rounds/{round_id}/home-requests/assign",
    response=AssignOut,
    summary="Add the standing list, then assign open requests to teams by area in route order",
)
def home_requests_assign(request, round_id: int):
    round_ = get_object_or_404(Round.objects.select_related("campaign"), pk=round_id)
    added = services.home_requests_standing(round_)
    return {"standing_added": added, "assigned": services.home_requests_assign(round_)}


class SizingOut(Schema):
    population: int
    sites: int
    desks: int
    samplers: int
    hours: int


@router.get("/sites/{site_id}/sizing", response=SizingOut, summary="Sizing advice from the population the site serves")
def site_sizing(request, site_id: int):
    _require(request, "screening.view_site")
    from screening.models import Site

    site = get_object_or_404(Site.objects.select_related("area"), pk=site_id)
    return selectors.site_sizing(selectors.site_populations([site])[site.pk])
