"""Writes to the register. Every change to a person goes through here and is audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import writes
from core.audit import audit_record
from core.context import current_actor
from core.limits import LimitReached
from core.masking import mask_id_number, mask_phone
from core.models import AuditEvent
from registry import calls
from registry.identity import IdentityError, parse_other_document, parse_phone, parse_ric
from registry.models import ImportJob, Person, Residence, name_initials

# Values of these fields never reach the audit log unmasked.
MASKED_FIELDS = {"id_number": mask_id_number, "phone": mask_phone}
AUDITED_FIELDS = [
    "name",
    "id_type",
    "id_number",
    "birth_date",
    "sex",
    "phone",
    "relation",
    "residence_status",
    "mobility",
    "is_provisional",
    "grid_id",
    "household_id",
]


def identity_fields(id_type, id_number):
    """Normalised document fields for a person, or IdentityError."""
    if id_type == Person.IdType.RESIDENT_ID:
        number, birth, sex = parse_ric(id_number)
        return {"id_number": number, "birth_date": birth, "sex": sex, "id_last4": number[-4:]}
    number = parse_other_document(id_number)
    return {"id_number": number, "id_last4": number[-4:]}


def derived_fields(person):
    person.name_initials = name_initials(person.name)
    person.id_last4 = person.id_number[-4:]
    person.phone_last4 = person.phone[-4:] if person.phone else ""


def _audit_value(field, value):
    masker = MASKED_FIELDS.get(field)
    if value is None:
        return None
    return masker(value) if masker else str(value)


@writes("registry.add_person")
def person_create(*, grid, name, id_type=Person.IdType.RESIDENT_ID, id_number, phone="", household=None, **extra):
    """Validates the documents, creates the person and their first residence, audits. Raises ValidationError
    naming the field."""
    try:
        docs = identity_fields(id_type, id_number)
        phone = parse_phone(phone)
    except IdentityError as exc:
        raise ValidationError({exc.field: str(exc)}) from None
    if household is not None and household.grid_id != grid.pk:
        raise ValidationError({"household": _("the household is in another grid")})
    person = Person(grid=grid, household=household, name=name.strip(), id_type=id_type, phone=phone, **extra)
    for key, value in docs.items():
        setattr(person, key, value)
    derived_fields(person)
    with transaction.atomic():
        person.save()
        Residence.objects.create(person=person, grid=grid, household=household, started_at=timezone.now())
        audit_record(AuditEvent.Action.CREATE, target=person, summary=person.name)
    return person


@writes("registry.change_person")
def person_update(person, **changes):
    """Applies changes, saving only the fields that changed, and audits old → new (masked)."""
    if "id_number" in changes or "id_type" in changes:
        try:
            docs = identity_fields(changes.get("id_type", person.id_type), changes.get("id_number", person.id_number))
        except IdentityError as exc:
            raise ValidationError({"id_number": str(exc)}) from None
        changes.update(docs)
    if "phone" in changes:
        try:
            changes["phone"] = parse_phone(changes["phone"])
        except IdentityError as exc:
            raise ValidationError({"phone": str(exc)}) from None
    diff = {}
    for field, value in changes.items():
        old = getattr(person, field)
        if old != value:
            if field in AUDITED_FIELDS:
                diff[field] = [_audit_value(field, old), _audit_value(field, value)]
            setattr(person, field, value)
    if not diff:
        return person, {}
    derived_fields(person)
    fields = [f for f in changes if f in diff or f in ("birth_date", "sex", "id_last4")]
    with transaction.atomic():
        person.save(update_fields=sorted(set(fields) | {"name_initials", "id_last4", "phone_last4", "updated_at"}))
        audit_record(AuditEvent.Action.UPDATE, target=person, summary=person.name, detail={"changes": diff})
    return person, diff


# What other apps keep about a person in a grid (a care ledger entry, an open home-sampling request) must follow
# the person when they move. The register knows nothing of those apps, so each registers a callback here in its
# AppConfig.ready(); person_move calls them in order, inside its own transaction (a failing callback undoes the
# move). Callbacks take (person, old_grid, new_grid) and act as the move's consequence: they change rows on both
# sides of the move through `all_objects`, the move itself being the write the actor was allowed to make.
PERSON_MOVED = []


def on_person_moved(callback):
    """Registers `callback(person, old_grid, new_grid)` to run inside every person_move that changes the grid."""
    if callback not in PERSON_MOVED:
        PERSON_MOVED.append(callback)
    return callback


@writes("registry.change_person")
def person_move(person, *, grid, household=None, reason=""):
    """Moves a person to another household (or grid), closing the current residence and opening a new one. When the
    grid changes, every app's "person moved" callback (PERSON_MOVED) moves what it keeps about the person along."""
    if household is not None and household.grid_id != grid.pk:
        raise ValidationError({"household": _("the household is in another grid")})
    now = timezone.now()
    old = {"grid": person.grid_id, "household": person.household_id}
    old_grid = person.grid
    with transaction.atomic():
        Residence.all_objects.filter(person=person, ended_at__isnull=True).update(ended_at=now)
        Residence.all_objects.create(person=person, grid=grid, household=household, started_at=now, reason=reason)
        person.grid = grid
        person.household = household
        person.save(update_fields=["grid", "household", "updated_at"])
        audit_record(
            AuditEvent.Action.MOVE,
            target=person,
            summary=reason,
            detail={"from": old, "to": {"grid": grid.pk, "household": household.pk if household else None}},
        )
        if old_grid.pk != grid.pk:
            for callback in PERSON_MOVED:
                callback(person, old_grid, grid)
    return person


def person_reveal(user, person, *, reason, fields=("id_number", "phone")):
    """The full numbers, for a user with the permission, after saying why. Audited."""
    if not user.has_perm("registry.reveal_identity"):
        raise PermissionDenied(_("You may not reveal ID or phone numbers."))
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why you need the full number.")})
    audit_record(AuditEvent.Action.REVEAL, target=person, summary=reason, detail={"fields": list(fields)})
    return {field: getattr(person, field) for field in fields}


class CallLimitReached(LimitReached):
    """The worker has made CALL_LIMIT_PER_HOUR calls through the link this hour (the 429 page)."""


@writes("registry.call_person")
def person_call(person, *, by):
    """The audited call link: for a person on `by`'s lists only (403 otherwise), at most CALL_LIMIT_PER_HOUR
    calls an hour, each audited as a reveal of the phone ("phone call"). Returns the calls.Dial to hand the phone:
    a virtual number through the configured privacy-number bridge, else the real number."""
    if not person.phone:
        raise ValidationError({"phone": _("No phone number is registered.")})
    if not calls.on_call_list(by, person):
        raise PermissionDenied(_("This person is not on your lists."))
    if not calls.call_count_take(by):
        raise CallLimitReached(_("Too many calls this hour."))
    bridge = calls.bridge()
    dial = bridge.bind(worker=by, person=person) if bridge else calls.Dial(person.phone)
    detail = {"fields": ["phone"], "bridged": dial.bridged}
    if dial.bridged:
        detail |= {"virtual_number": dial.number, "expires_at": dial.expires_at.isoformat()}
    audit_record(AuditEvent.Action.REVEAL, target=person, summary="phone call", detail=detail)
    return dial


@writes("registry.import_residents")
def import_job_start(job):
    """Lets a previewed import run, once: whether this call did (a second click finds it started). The stored
    upload is the file imported; the caller runs or enqueues import_job_run."""
    return bool(
        ImportJob.all_objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(status=ImportJob.Status.PENDING)
    )


@writes("registry.import_residents")
def import_job_cancel(job):
    """Drops a previewed import and its stored file (it holds ID numbers nobody will import)."""
    cancelled = ImportJob.all_objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
        status=ImportJob.Status.CANCELLED, finished_at=timezone.now()
    )
    if cancelled and job.file:
        name, storage = job.file.name, job.file.storage
        transaction.on_commit(lambda: storage.delete(name))
    return bool(cancelled)


@writes("registry.change_area")
def area_boundaries_upload(raw, *, filename=""):
    """Sets the outlines of the areas named by an uploaded GeoJSON FeatureCollection (registry.boundaries): all of
    them or, when one feature is bad, none (BoundaryError names it). Only areas in the actor's scope may be named.
    One audit row. Returns the number of areas changed."""
    from registry.boundaries import parse_feature_collection
    from registry.models import Area

    areas = {area.code: area for area in Area.objects.all()}
    boundaries = parse_feature_collection(raw, set(areas))
    with transaction.atomic():
        for code, geometry in boundaries.items():
            Area.objects.filter(pk=areas[code].pk).update(boundary=geometry)
        audit_record(
            AuditEvent.Action.UPDATE,
            summary=f"{len(boundaries)} area boundaries from {filename or 'an upload'}",
            detail={"codes": sorted(boundaries), "filename": filename},
        )
    return len(boundaries)


# --- the person's own data (PIPL) ---------------------------------------------------------------------------------


@writes("registry.export_person_data")
def person_data_export(person, *, reveal_reason=""):
    """Everything held about `person` (registry.personal_data), for their subject-access request: masked, or with
    full numbers for a user who may reveal them and says why (a reason of 2 characters or more). Audited with the
    sections and row counts, never the data. Returns the document."""
    from registry.personal_data import person_data_document

    reason = (reveal_reason or "").strip()
    if reason:
        if not current_actor().may("registry.reveal_identity"):
            raise PermissionDenied(_("You may not reveal ID or phone numbers."))
        if len(reason) < 2:
            raise ValidationError({"reveal_reason": _("Say why you need the full numbers.")})
    document = person_data_document(person, reveal=bool(reason))
    counts = {section["key"]: len(section["rows"]) for section in document["sections"]}
    audit_record(
        AuditEvent.Action.EXPORT,
        target=person,
        summary=f"person data export: {sum(counts.values())} rows" + (f", full numbers: {reason}" if reason else ""),
        detail={"sections": counts, "unmasked": bool(reason), "reason": reason},
    )
    return document


def _none(person):
    return ()


# The name an erased person keeps (language-neutral: it shows on pages of either language).
ERASED_NAME = "—"


def person_erase_refusals(person):
    """Why the law or the response still needs `person`'s data (each app's selectors.person_erase_refusals(person),
    translated sentences); empty when it may be erased."""
    from core.discovery import app_modules

    return [
        refusal
        for module in app_modules("selectors")
        for refusal in getattr(module, "person_erase_refusals", _none)(person)
    ]


@writes("registry.erase_person")
def person_erase(person, *, reason):
    """Erases a person's data on their request (PIPL art. 47), unless person_erase_refusals names a reason to keep
    it (a ValidationError listing them). The person's row stays for the counts the statistics need (their samples,
    ledger entries and cases point at it), anonymous: name, numbers, birth date, sex, household and residence
    history gone, status "erased" (no campaign expects them, no list shows them). Each app deletes or anonymises its
    personal trail (its services' person_trail_erase(person) -> {model label: rows}). Audited with the reason and
    the counts; the audit row holds none of the erased data."""
    from core.discovery import app_modules
    from core.masking import mask_numbers_in

    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why the data is erased (the person's request, its date).")})
    refusals = person_erase_refusals(person)
    if refusals:
        raise ValidationError(refusals)
    with transaction.atomic():
        trail = {}
        for module in app_modules("services"):
            trail |= dict(getattr(module, "person_trail_erase", _none)(person))
        trail[Residence._meta.label] = Residence.all_objects.filter(person=person).delete()[0]
        Person.all_objects.filter(pk=person.pk).update(
            name=ERASED_NAME,
            name_initials="",
            id_type=Person.IdType.OTHER,
            id_number=f"erased-{person.pk}",
            id_last4="",
            birth_date=None,
            sex="",
            phone="",
            phone_last4="",
            household=None,
            residence_status=Person.ResidenceStatus.ERASED,
            is_provisional=False,
            updated_at=timezone.now(),
        )
        audit_record(
            AuditEvent.Action.DELETE,
            target=person,
            summary=f"personal data erased on request: {mask_numbers_in(reason)}",
            detail={"reason": mask_numbers_in(reason), "trail": trail},
        )
    person.refresh_from_db()
    return person
