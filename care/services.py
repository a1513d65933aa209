"""Writes to the care ledger. Each state change is one function, called by pages, the API, commands and tasks.

Every service acting for a user is declared with `@writes("care.<perm>")` (core.access): the actor must hold the
permission (403) and every area-bound object passed in must be inside the actor's area (404). Inside, rows are
written through `all_objects` because the arguments have been checked. State changes that two people (or two runs
of a job) can make at once are conditional updates: "0 rows" means someone else got there first (`Conflict`)."""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from care.models import (
    CareSettings,
    ContactPlan,
    FollowUp,
    FollowUpTask,
    HelpRequest,
    LedgerEntry,
    MedicineDelivery,
    MedicineSchedule,
    Need,
    Pairing,
    Relief,
    RequestDeadline,
    RequestEvent,
    RequestKind,
    SpotCheck,
)
from core.access import writes
from core.audit import audit_record
from core.models import AuditEvent
from registry.identity import IdentityError, parse_phone
from registry.models import Area, PersonGroup


class Conflict(ValidationError):
    """Someone else changed the row between reading and writing it: nothing was applied (409 in the API, a
    message on the page)."""


def _clean_phone(phone, field):
    try:
        return parse_phone(phone or "")
    except IdentityError as exc:
        raise ValidationError({field: str(exc)}) from None


# --- ledger -------------------------------------------------------------------------------------------------


@writes("care.add_ledgerentry")
def ledger_entry_save(person, group, *, by=None, **fields):
    """Adds the person to a group's ledger (or updates the survey fields) and tags them in the register."""
    unknown = set(fields.get("needs", [])) - set(Need.values)
    if unknown:
        raise ValidationError({"needs": _("unknown needs: %s") % ", ".join(sorted(unknown))})
    if "guardian_phone" in fields:
        fields["guardian_phone"] = _clean_phone(fields["guardian_phone"], "guardian_phone")
    fields = {k: v for k, v in fields.items() if v is not None}
    with transaction.atomic():
        entry, created = LedgerEntry.all_objects.update_or_create(
            person=person,
            group=group,
            defaults={"grid_id": person.grid_id, "surveyed_by": by, "surveyed_at": timezone.now(), **fields},
        )
        PersonGroup.all_objects.get_or_create(person=person, group=group)
        audit_record(
            AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            target=entry,
            summary=f"{person.name} · {group.code}",
            detail={"person": person.pk, "group": group.code, "needs": entry.needs},
        )
    return entry


# --- pairing ------------------------------------------------------------------------------------------------


@writes("care.add_pairing")
def pairing_assign(person, worker, *, backup=None, by=None):
    """Makes `worker` the person's contact. The previous pairing is closed (history), its follow-up state carried
    over, and today's task (if any) moves to the new worker. A person who moved in stops needing a contact."""
    return _pairing_assign(person, worker, backup=backup, by=by)


def _pairing_assign(person, worker, *, backup=None, by=None):
    if backup is not None and backup.pk == worker.pk:
        raise ValidationError({"backup": _("The back-up must be someone else.")})
    now = timezone.now()
    with transaction.atomic():
        current = Pairing.all_objects.select_for_update().filter(person=person, ended_at__isnull=True).first()
        if current and current.worker_id == worker.pk and current.backup_id == (backup.pk if backup else None):
            return current
        state = {"last_reached_on": None, "misses": 0}
        if current:
            state = {"last_reached_on": current.last_reached_on, "misses": current.misses}
            current.ended_at = now
            current.save(update_fields=["ended_at"])
        pairing = Pairing.all_objects.create(
            person=person, grid_id=person.grid_id, worker=worker, backup=backup, assigned_by=by, started_at=now, **state
        )
        FollowUpTask.all_objects.filter(person=person, day=timezone.localdate()).update(worker=worker)
        LedgerEntry.all_objects.filter(person=person, moved_in_at__isnull=False).update(moved_in_at=None)
        audit_record(
            AuditEvent.Action.UPDATE,
            target=pairing,
            summary=f"{person.name} → {worker.get_username()}",
            detail={"person": person.pk, "worker": worker.pk, "previous": current.worker_id if current else None},
        )
    return pairing


@writes("care.add_pairing")
def pairing_assign_grid(grid, worker, *, backup=None, by=None, only_unpaired=True):
    """Bulk assignment: every ledger person of the grid (by default only those without a contact). The grid has
    been checked against the actor's area; its persons are in it."""
    persons = ledger_persons(grid_ids=[grid.pk])
    if only_unpaired:
        persons = persons.exclude(Exists(Pairing.all_objects.filter(person=OuterRef("pk"), ended_at__isnull=True)))
    count = 0
    for person in persons:
        _pairing_assign(person, worker, backup=backup, by=by)
        count += 1
    return count


def ledger_persons(grid_ids=None):
    from registry.models import Person

    qs = Person.all_objects.filter(ledger_entries__isnull=False)
    if grid_ids is not None:
        qs = qs.filter(grid_id__in=grid_ids)
    return qs.distinct()


# --- follow-up ----------------------------------------------------------------------------------------------


def plan_intervals():
    """{group_id: days between calls} under the current mode; groups without a plan: 1 day / 7 days."""
    emergency = CareSettings.current().emergency_mode
    plans = {p.group_id: (p.emergency_days if emergency else p.normal_days) for p in ContactPlan.objects.all()}
    return plans, (1 if emergency else 7)


def followup_plan_day(day=None, *, person_ids=None):
    """Creates the day's follow-up tasks for every paired ledger person who is due (last reached at least one
    interval ago; never reached counts as due). Idempotent: a person has one task a day. The `care-plan-day`
    command runs it for the whole district at dawn (and records the day as planned); pages only read the plan."""
    day = day or timezone.localdate()
    plans, default_days = plan_intervals()
    interval = {}
    entries = LedgerEntry.all_objects.values_list("person_id", "group_id")
    if person_ids is not None:
        entries = entries.filter(person_id__in=person_ids)
    for person_id, group_id in entries.iterator(chunk_size=5000):
        days = plans.get(group_id, default_days)
        interval[person_id] = min(days, interval.get(person_id, days))
    pairings = Pairing.all_objects.filter(ended_at__isnull=True).values_list(
        "person_id", "grid_id", "worker_id", "last_reached_on", "misses"
    )
    if person_ids is not None:
        pairings = pairings.filter(person_id__in=person_ids)
    misses_for_visit = CareSettings.current().misses_before_visit
    planned = set(FollowUpTask.all_objects.filter(day=day).values_list("person_id", flat=True))
    rows = []
    for person_id, grid_id, worker_id, last, misses in pairings.iterator(chunk_size=5000):
        days = interval.get(person_id)
        if person_id in planned or days is None or (last is not None and (day - last).days < days):
            continue
        status = FollowUpTask.Status.VISIT if misses >= misses_for_visit else FollowUpTask.Status.PLANNED
        rows.append((person_id, grid_id, worker_id, day, status))
    _tasks_insert(rows)
    if person_ids is None:
        settings = CareSettings.current()
        settings.planned_on = max(day, settings.planned_on or day)
        settings.save()
    return len(rows)


TASK_COLUMNS = ["person_id", "grid_id", "worker_id", "day", "status", "attempts", "updated_at"]


def _tasks_insert(rows):
    """A district's day is tens of thousands of rows: COPY / executemany (the ORM's bulk_create compiles each row
    and takes ~10x longer). Should a concurrent planner have inserted some meanwhile, the unique constraint
    refuses the batch and the ORM path skips the conflicts."""
    from registry.demo import insert_rows

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    values = [(*row[:3], connection.ops.adapt_datefield_value(row[3]), row[4], 0, now) for row in rows]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            insert_rows(cursor, FollowUpTask._meta.db_table, TASK_COLUMNS, values)
    except IntegrityError:
        tasks = [FollowUpTask(person_id=p, grid_id=g, worker_id=w, day=d, status=s) for p, g, w, d, s in rows]
        FollowUpTask.all_objects.bulk_create(tasks, batch_size=2000, ignore_conflicts=True)


@writes("care.add_followup")
def followup_record(person, *, worker, outcome, kind=FollowUp.Kind.CALL, note="", need_kind=None):
    """Logs a call or visit. Reached → the person's task is done; reached with a need → a help request from the
    follow-up; not reached → retry later today, and after N misses in a row a home visit."""
    if outcome not in FollowUp.Outcome.values:
        raise ValidationError({"outcome": _("Unknown outcome.")})
    if outcome == FollowUp.Outcome.NEED and not note.strip():
        raise ValidationError({"note": _("Say what the person needs.")})
    day = timezone.localdate()
    with transaction.atomic():
        pairing = Pairing.all_objects.select_for_update().filter(person=person, ended_at__isnull=True).first()
        task = FollowUpTask.all_objects.select_for_update().filter(person=person, day=day).first()
        followup = FollowUp.all_objects.create(
            person=person,
            grid_id=person.grid_id,
            task=task,
            worker=worker,
            kind=kind,
            outcome=outcome,
            note=note.strip(),
        )
        misses = _followup_state(pairing, outcome, day)
        if task is not None:
            task.attempts += 1
            task.status = _task_status(outcome, misses)
            task.save(update_fields=["attempts", "status", "updated_at"])
        if outcome == FollowUp.Outcome.NEED:
            _help_request_create(  # part of the follow-up: its permission and area check cover it
                area=person.grid,
                person=person,
                kind=need_kind or RequestKind.OTHER,
                channel=HelpRequest.Channel.FOLLOWUP,
                requester_name=person.name,
                description=note,
                by=worker,
            )
        audit_record(
            AuditEvent.Action.CREATE,
            target=followup,
            summary=f"{person.name}: {outcome}",
            detail={"person": person.pk, "kind": kind, "outcome": outcome},
        )
    return followup


def _followup_state(pairing, outcome, day):
    if pairing is None:
        return 0
    if outcome == FollowUp.Outcome.NOT_REACHED:
        pairing.misses += 1
    else:
        pairing.misses = 0
        pairing.last_reached_on = day
    pairing.save(update_fields=["misses", "last_reached_on"])
    return pairing.misses


def _task_status(outcome, misses):
    if outcome != FollowUp.Outcome.NOT_REACHED:
        return FollowUpTask.Status.DONE
    if misses >= CareSettings.current().misses_before_visit:
        return FollowUpTask.Status.VISIT
    return FollowUpTask.Status.RETRY


@writes("care.add_spotcheck")
def spot_check_record(followup, *, supervisor, confirmed, note=""):
    with transaction.atomic():
        check = SpotCheck.all_objects.create(
            followup=followup, grid_id=followup.grid_id, supervisor=supervisor, confirmed=confirmed, note=note
        )
        audit_record(
            AuditEvent.Action.CREATE,
            target=check,
            summary=f"spot check {followup.pk}: {'confirmed' if confirmed else 'NOT confirmed'}",
            detail={"followup": followup.pk, "worker": followup.worker_id, "confirmed": confirmed},
        )
    return check


# --- help requests ------------------------------------------------------------------------------------------


# Receipts are read out on the phone: no 0/O or 1/I, groups of four. 32 symbols, so 10 of them are 50 random bits;
# the status page also asks for the last 4 digits of the phone given on the request, or (a request without a phone)
# takes 12 symbols (60 bits) alone.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECEIPT_PREFIX = "HR"
RECEIPT_CHARS = 10
RECEIPT_CHARS_WITHOUT_PHONE = 12


def _new_receipt(chars=RECEIPT_CHARS):
    """HR-7KQ4-M9XP-2T (or HR-7KQ4-M9XP-2TAB for a request without a phone)."""
    random = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(chars))
    return "-".join([RECEIPT_PREFIX, *(random[i : i + 4] for i in range(0, chars, 4))])


def receipt_normalize(text):
    """A receipt as typed or read back (any case, spaces or dashes anywhere) in its stored form. Receipts of the old
    form (date + 6 digits) stay as they are."""
    compact = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if compact.isdigit() or not compact.startswith(RECEIPT_PREFIX):
        return compact
    random = compact[len(RECEIPT_PREFIX) :]
    return "-".join([RECEIPT_PREFIX, *(random[i : i + 4] for i in range(0, len(random), 4))])


def _receipt_random_chars(receipt):
    if not receipt.startswith(RECEIPT_PREFIX + "-"):
        return 0  # the old form: 6 random digits
    return sum(ch in RECEIPT_ALPHABET for ch in receipt[len(RECEIPT_PREFIX) + 1 :].replace("-", ""))


def help_request_for_public(receipt, phone_last4=""):
    """The request a member of the public may see: its receipt and the last 4 digits of the phone given on it; a
    request given without a phone by its receipt alone, if that has 12 random symbols or more (old receipts of
    date + 6 digits without a phone are not shown on the public page; the hotline can look them up)."""
    receipt = receipt_normalize(receipt)
    if not receipt:
        return None
    found = HelpRequest.all_objects.filter(receipt=receipt).first()
    if found is None:
        return None
    if found.requester_phone:
        given = "".join(ch for ch in phone_last4 or "" if ch.isdigit())
        return found if secrets.compare_digest(given, found.requester_phone[-4:]) else None
    return found if _receipt_random_chars(found.receipt) >= RECEIPT_CHARS_WITHOUT_PHONE else None


def is_green_channel(person):
    return person is not None and LedgerEntry.all_objects.filter(person=person).exists()


@writes("care.add_helprequest")
def help_request_create(*, area, kind, channel, requester_name, description, person=None, by=None, **fields):
    """Receives a request: the green channel for ledger persons, a deadline from the type and priority, a receipt.
    Staff and grid workers call it for their area; the public form calls it as the system (`system_actor()`)."""
    return _help_request_create(
        area=area,
        kind=kind,
        channel=channel,
        requester_name=requester_name,
        description=description,
        person=person,
        by=by,
        **fields,
    )


def _help_request_create(
    *,
    area,
    kind,
    channel,
    requester_name,
    description,
    person=None,
    requester_phone="",
    by=None,
    **medical,
):
    if kind not in RequestKind.values:
        raise ValidationError({"kind": _("Unknown request type.")})
    phone = _clean_phone(requester_phone, "requester_phone")
    if person is not None:
        area = person.grid
    green = is_green_channel(person)
    now = timezone.now()
    fields = {
        "area": area,
        "person": person,
        "kind": kind,
        "channel": channel,
        "requester_name": requester_name.strip(),
        "requester_phone": phone,
        "description": description.strip(),
        "green_channel": green,
        "deadline_at": now + timedelta(hours=RequestDeadline.hours(kind, green)),
        "created_at": now,
        **medical,
    }
    with transaction.atomic():
        request = _create_with_receipt(fields)
        _request_event(request, "received", by, status=request.status)
        audit_record(AuditEvent.Action.CREATE, target=request, summary=f"{request.receipt} {kind}")
    return request


def _create_with_receipt(fields):
    chars = RECEIPT_CHARS if fields.get("requester_phone") else RECEIPT_CHARS_WITHOUT_PHONE
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return HelpRequest.all_objects.create(receipt=_new_receipt(chars), **fields)
        except IntegrityError:  # a receipt drawn twice (the column is unique): draw again
            continue
    raise IntegrityError("no free receipt number")


def _request_event(request, action, by, *, status="", note=""):
    by = by if by is not None and by.is_authenticated else None
    return RequestEvent.all_objects.create(
        request=request,
        area_id=request.area_id,
        action=action,
        status=status,
        note=note[:300],
        by=by,
        by_name=by.get_username() if by else "",
    )


# The workflow: from which statuses each step may be taken, and where it leads.
STEPS = {
    "assign": ((HelpRequest.Status.RECEIVED, HelpRequest.Status.ASSIGNED), HelpRequest.Status.ASSIGNED),
    "start": ((HelpRequest.Status.ASSIGNED,), HelpRequest.Status.IN_PROGRESS),
    "resolve": ((HelpRequest.Status.ASSIGNED, HelpRequest.Status.IN_PROGRESS), HelpRequest.Status.RESOLVED),
    "confirm": ((HelpRequest.Status.RESOLVED,), HelpRequest.Status.CONFIRMED),
    "reopen": ((HelpRequest.Status.RESOLVED,), HelpRequest.Status.IN_PROGRESS),
}


@writes("care.change_helprequest")
def help_request_step(request, step, *, by, note="", assigned_to=None, result=None):
    """Moves a request one step along the workflow, timestamped and attributed. The step applies only to the
    request as the caller read it (same status, same last change): if someone else moved it meanwhile, nothing is
    applied and `Conflict` says so."""
    if step not in STEPS:
        raise ValidationError({"step": _("Unknown step.")})
    allowed, target = STEPS[step]
    if request.status not in allowed:
        raise ValidationError({"step": _("This step is not possible now.")})
    changes = {"status": target, "updated_at": timezone.now()}
    if step == "assign":
        if assigned_to is None:
            raise ValidationError({"assigned_to": _("Choose who handles it.")})
        changes["assigned_to"] = assigned_to
        note = note or assigned_to.get_username()
    if result is not None:
        changes["result"] = result.strip()
    with transaction.atomic():
        applied = HelpRequest.all_objects.filter(
            pk=request.pk, status=request.status, updated_at=request.updated_at
        ).update(**changes)
        if not applied:
            raise Conflict({"step": _("Someone else changed this request meanwhile; reload it and try again.")})
        for field, value in changes.items():
            setattr(request, field, value)
        _request_event(request, step, by, status=target, note=note)
        audit_record(AuditEvent.Action.UPDATE, target=request, summary=f"{request.receipt} {step}")
    return request


def help_request_escalate_overdue(now=None):
    """Overdue open requests move one area level up: first to the parent of their area, then again each time a
    further deadline period passes without resolution. Returns how many were escalated. Run by the system
    (`care-escalate`); each request moves by a conditional update, so two runs at once escalate it once."""
    now = now or timezone.now()
    count = 0
    overdue = HelpRequest.all_objects.filter(status__in=HelpRequest.OPEN, deadline_at__lt=now).select_related(
        "area", "escalated_to"
    )
    for request in overdue:
        period = timedelta(hours=RequestDeadline.hours(request.kind, request.green_channel))
        if request.escalated_at and request.escalated_at + period > now:
            continue
        current = request.escalated_to or request.area
        target = Area.all_objects.filter(pk=current.parent_id).first()
        if target is None:
            continue
        with transaction.atomic():
            applied = HelpRequest.all_objects.filter(
                pk=request.pk,
                status__in=HelpRequest.OPEN,
                escalated_to=request.escalated_to_id,
                escalated_at=request.escalated_at,
            ).update(escalated_to=target, escalated_at=now, updated_at=now)
            if not applied:  # another run escalated it (or someone resolved it) meanwhile
                continue
            request.escalated_to, request.escalated_at = target, now
            _request_event(request, "escalate", None, note=target.name)
        count += 1
    return count


# --- relief -------------------------------------------------------------------------------------------------


@writes("care.add_relief")
def relief_create(*, approved_by, kind, item, amount=0, quantity=0, request=None, person=None, **rest):
    """Records a disbursement. A second one for the same request is refused (and the database forbids it)."""
    if request is None and person is None:
        raise ValidationError({"person": _("Relief goes against a request or a ledger person.")})
    if person is not None and request is None and not LedgerEntry.all_objects.filter(person=person).exists():
        raise ValidationError({"person": _("This person is not in the ledger.")})
    area_id = request.area_id if request is not None else person.grid_id
    try:
        with transaction.atomic():
            relief = Relief.all_objects.create(
                area_id=area_id,
                request=request,
                person=person or (request.person if request else None),
                kind=kind,
                item=item,
                amount=amount or 0,
                quantity=quantity or 0,
                approved_by=approved_by,
                **rest,
            )
            audit_record(
                AuditEvent.Action.CREATE, target=relief, summary=f"{item} {amount or quantity}", detail={"kind": kind}
            )
    except IntegrityError:
        raise ValidationError({"request": _("Relief has already been paid for this request.")}) from None
    return relief


@writes("care.change_relief")
def relief_deliver(relief, *, delivered_by, signed_by):
    """Records the hand-over, once: a second delivery of the same relief (two taps, two workers) is a `Conflict`."""
    if not signed_by.strip():
        raise ValidationError({"signed_by": _("Who signed for it?")})
    changes = {"delivered_by": delivered_by, "signed_by": signed_by.strip(), "delivered_at": timezone.now()}
    with transaction.atomic():
        if not Relief.all_objects.filter(pk=relief.pk, delivered_at__isnull=True).update(**changes):
            raise Conflict({"signed_by": _("This relief has already been delivered.")})
        for field, value in changes.items():
            setattr(relief, field, value)
        audit_record(AuditEvent.Action.UPDATE, target=relief, summary=f"delivered, signed by {relief.signed_by}")
    return relief


# --- medicine -----------------------------------------------------------------------------------------------


@writes("care.add_medicinedelivery")
def medicine_deliver(schedule, *, delivered_by, day=None, note=""):
    """Logs a chronic-medicine delivery and schedules the next one."""
    day = day or timezone.localdate()
    with transaction.atomic():
        delivery, created = MedicineDelivery.all_objects.get_or_create(
            schedule=schedule,
            delivered_on=day,
            defaults={"grid_id": schedule.grid_id, "delivered_by": delivered_by, "note": note},
        )
        if created:
            schedule.advance(day)
            schedule.save(update_fields=["next_on"])
            audit_record(AuditEvent.Action.CREATE, target=delivery, summary=f"{schedule.medicine} {day}")
    return delivery


# --- moves --------------------------------------------------------------------------------------------------


def care_rows_follow_move(person, old_grid, new_grid):
    """A person moved (registry.services.PERSON_MOVED, inside person_move's transaction): the care the person is
    owed moves to the new grid, the work done stays where it was done.

    Moves: the ledger entries (marked "moved in, needs a contact" until someone there is paired), open help
    requests whose area does not cover the new grid (with their events and undelivered relief; an escalation to an
    area above the old grid only is dropped, the next escalation run starts from the new grid), undelivered relief
    to the person and active medicine schedules. Ends: the pairing with the old grid's worker, and their open
    follow-up tasks from today on. Stays: follow-ups, spot checks, done tasks, closed requests, deliveries — the old
    grid's record, so its past supervision numbers do not change.

    Through `all_objects`: the mover may not see the new grid's rows; the move is the write they were allowed."""
    now = timezone.now()
    LedgerEntry.all_objects.filter(person=person).update(grid=new_grid, moved_in_at=now)
    Pairing.all_objects.filter(person=person, ended_at__isnull=True).update(ended_at=now)
    FollowUpTask.all_objects.filter(person=person, day__gte=timezone.localdate()).exclude(
        status=FollowUpTask.Status.DONE
    ).delete()
    open_requests = [
        r
        for r in HelpRequest.all_objects.filter(person=person, status__in=HelpRequest.OPEN).select_related(
            "area", "escalated_to"
        )
        if not new_grid.code.startswith(r.area.code)
    ]
    for request in open_requests:
        changes = {"area": new_grid, "updated_at": now}
        if request.escalated_to and not new_grid.code.startswith(request.escalated_to.code):
            changes |= {"escalated_to": None, "escalated_at": None}
        HelpRequest.all_objects.filter(pk=request.pk).update(**changes)
        RequestEvent.all_objects.filter(request=request).update(area=new_grid)
        RequestEvent.all_objects.create(
            request=request, area=new_grid, action="moved", note=f"{old_grid.name} → {new_grid.name}"
        )
    moved_ids = [r.pk for r in open_requests]
    undelivered = Relief.all_objects.filter(delivered_at__isnull=True)
    undelivered.filter(request_id__in=moved_ids).update(area=new_grid)
    undelivered.filter(request__isnull=True, person=person).update(area=new_grid)
    MedicineSchedule.all_objects.filter(person=person, active=True).update(grid=new_grid)


# --- the person's own data (registry.services.person_erase) ---


def person_trail_erase(person):
    """Care's part of an erasure: the ledger entries and follow-ups stay (the ledger's counts, the supervision's
    record), without the guardian's name and phone and the notes; help requests lose the requester's name and
    phone and what was written about them."""
    ledger = LedgerEntry.all_objects.filter(person=person).update(
        guardian_name="", guardian_phone="", guardian_relation="", needs_note=""
    )
    followups = FollowUp.all_objects.filter(person=person).update(note="")
    requests = HelpRequest.all_objects.filter(person=person).update(
        requester_name="", requester_phone="", description="", result=""
    )
    return {
        LedgerEntry._meta.label: ledger,
        FollowUp._meta.label: followups,
        HelpRequest._meta.label: requests,
    }
