"""Writes for volunteers, shifts and errands. Each is one function, called by page, API and demo alike."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, get_random_string, salted_hmac
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.services import audit_record
from core import limits
from core.access import NotInScope, writes
from core.context import current_scope, system_actor
from core.models import AuditEvent
from registry.identity import IdentityError, parse_phone, parse_ric
from volunteers.models import Errand, Shift, Volunteer, VolunteerRole


def _parsed(field, parse, raw):
    try:
        value = parse(raw)
    except IdentityError as exc:
        raise ValidationError({field: str(exc.args[0])}) from None
    return value[0] if isinstance(value, tuple) else value


def volunteer_sign_up(*, name, phone, id_number, community, roles, kind=Volunteer.Kind.VOLUNTEER, **details):
    """志愿者报名 / 双报到, from the public page (which acts as the system). The ID and phone are checked with the
    register's parsers; signing up again with the same ID number answers the first sign-up (a retried form makes
    no second row) and changes nothing."""
    id_number = _parsed("id_number", parse_ric, id_number)
    phone = _parsed("phone", parse_phone, phone)
    if not phone:
        raise ValidationError({"phone": _("phone number is required")})
    roles = [r for r in roles if r in VolunteerRole.values]
    if not roles:
        raise ValidationError({"roles": _("choose at least one role")})
    existing = Volunteer.all_objects.filter(id_number=id_number).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            volunteer = Volunteer.all_objects.create(
                name=name, phone=phone, id_number=id_number, community=community, roles=roles, kind=kind, **details
            )
    except IntegrityError:  # the same form sent twice at once
        return Volunteer.all_objects.get(id_number=id_number)
    audit_record(AuditEvent.Action.CREATE, target=volunteer, summary=f"{volunteer.get_kind_display()} {community}")
    return volunteer


@writes("volunteers.verify_volunteer")
def volunteer_verify(volunteer, *, by):
    """The community confirms the volunteer; once only."""
    updated = Volunteer.all_objects.filter(pk=volunteer.pk, verified_at__isnull=True).update(
        verified_at=timezone.now(), verified_by=by
    )
    if updated:
        audit_record(AuditEvent.Action.UPDATE, target=volunteer, summary="verified")
    volunteer.refresh_from_db()
    return volunteer


@writes("volunteers.verify_volunteer")
def volunteer_login_create(volunteer):
    """A login with the role volunteer in the home community for a verified volunteer; returns (user, password)
    the first time, (user, None) afterwards. The password is shown once and never stored in clear."""
    if not volunteer.verified_at:
        raise ValidationError(_("verify the volunteer first"))
    if volunteer.user_id:
        return volunteer.user, None
    password = get_random_string(12)
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            f"v{volunteer.phone}", password=password, role=Role.VOLUNTEER, area=volunteer.community
        )
        volunteer.user = user
        volunteer.save(update_fields=["user"])
        audit_record(AuditEvent.Action.CREATE, target=user, summary="volunteer login")
    return user, password


def check_in_code(site):
    """The site's check-in code, printed as a QR at the site: unguessable without the server's secret, so no
    table of codes is needed (a new SECRET_KEY reprints them all)."""
    return salted_hmac("volunteers.check_in", str(site.pk)).hexdigest()[:24]


@writes("volunteers.add_shift")
def shift_assign(site, volunteer, *, role, starts_at, hours, by):
    """Sends a volunteer to a site (screening.Site is not area-bound itself; the site's area must be in scope)."""
    if not current_scope().covers(site.area.code):
        raise NotInScope(f"site {site.pk} is not in your area")
    if role not in volunteer.roles:
        raise ValidationError({"role": _("this volunteer did not sign up for that role")})
    if not volunteer.verified_at:
        raise ValidationError({"volunteer": _("the volunteer is not verified yet")})
    shift = Shift.all_objects.create(
        site=site,
        volunteer=volunteer,
        role=role,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        assigned_by=by,
    )
    audit_record(AuditEvent.Action.CREATE, target=shift, summary=f"{site} {role} {starts_at:%m-%d %H:%M}")
    return shift


@writes("volunteers.check_in_shift")
def shift_check_in(volunteer, site, code, *, now=None):
    """Scanning the site's QR: checks in to the volunteer's shift at that site covering now (or starting within
    the hour), or, if already in, checks out. Returns the shift. The site is read by the caller through
    `all_objects`: a volunteer may be sent to any site, the code proves they stand at it."""
    now = now or timezone.now()
    if not constant_time_compare(code, check_in_code(site)):
        raise ValidationError(_("this check-in code is not this sampling site's"))
    shifts = Shift.all_objects.filter(volunteer=volunteer, site=site, checked_out_at__isnull=True)
    inside = shifts.filter(checked_in_at__isnull=False).first()
    if inside:
        Shift.all_objects.filter(pk=inside.pk).update(checked_out_at=now)
        inside.refresh_from_db()
        return inside
    shift = shifts.filter(starts_at__lte=now + timedelta(hours=1), ends_at__gt=now).first()
    if shift is None:
        raise ValidationError(_("you have no shift at this site now"))
    Shift.all_objects.filter(pk=shift.pk, checked_in_at__isnull=True).update(checked_in_at=now)
    shift.refresh_from_db()
    audit_record(AuditEvent.Action.UPDATE, target=shift, summary="checked in")
    return shift


def _errand_create(**fields):
    errand = Errand.all_objects.create(**fields)
    audit_record(AuditEvent.Action.CREATE, target=errand, summary=f"{errand.get_kind_display()} {errand.grid}")
    return errand


def errand_public_create(*, grid, kind, items, recipient_name, phone, address):
    """A resident's own request from the public page (which acts as the system)."""
    phone = _parsed("phone", parse_phone, phone)
    return _errand_create(
        grid=grid,
        kind=kind,
        items=items,
        recipient_name=recipient_name,
        phone=phone,
        address=address,
        source=Errand.Source.PUBLIC,
    )


@writes("volunteers.add_errand")
def errand_create(grid, *, kind, items, recipient_name, phone, address, source, person=None):
    """An errand entered by the grid (a grid worker, a follow-up call)."""
    if person is not None and person.grid_id != grid.pk:
        raise ValidationError({"person": _("the person does not live in this grid")})
    phone = _parsed("phone", parse_phone, phone)
    return _errand_create(
        grid=grid,
        person=person,
        kind=kind,
        items=items,
        recipient_name=recipient_name,
        phone=phone,
        address=address,
        source=source,
    )


def _address(person):
    household = person.household
    return f"{household.building} {household}" if household else ""


@writes("volunteers.add_errand")
def errand_from_help_request(help_request):
    """A care help request (a resident's, or a sealed compound's doorstep need recorded by tracing) becomes an
    errand; once per request."""
    person = help_request.person
    existing = Errand.all_objects.filter(help_request=help_request).first()
    if existing:
        return existing
    if person is None:
        raise ValidationError(_("the help request names no resident to deliver to"))
    kind = Errand.Kind.MEDICINE if help_request.kind == "medical" else Errand.Kind.GROCERIES
    return _errand_create(
        grid=person.grid,
        person=person,
        kind=kind,
        items=help_request.description[:500],
        recipient_name=person.name,
        phone=person.phone,
        address=_address(person),
        source=Errand.Source.HELP_REQUEST,
        help_request=help_request,
    )


@writes("volunteers.add_errand")
def errand_from_medicine_schedule(schedule):
    """The ledger's recurring medicine delivery, fulfilled by a volunteer; one open errand per schedule."""
    existing = Errand.all_objects.filter(medicine_schedule=schedule, status__in=["open", "claimed"]).first()
    if existing:
        return existing
    person = schedule.person
    return _errand_create(
        grid=schedule.grid,
        person=person,
        kind=Errand.Kind.MEDICINE,
        items=schedule.medicine,
        recipient_name=person.name,
        phone=person.phone,
        address=_address(person),
        source=Errand.Source.MEDICINE_SCHEDULE,
        medicine_schedule=schedule,
    )


@writes("volunteers.claim_errand")
def errand_claim(errand, volunteer):
    """One claim only: a conditional UPDATE; 0 rows means someone else got there first."""
    claimed = Errand.all_objects.filter(pk=errand.pk, status=Errand.Status.OPEN, claimed_by__isnull=True).update(
        status=Errand.Status.CLAIMED, claimed_by=volunteer, claimed_at=timezone.now()
    )
    if not claimed:
        raise ValidationError(_("this errand has already been claimed"))
    errand.refresh_from_db()
    audit_record(AuditEvent.Action.UPDATE, target=errand, summary=f"claimed by {volunteer.pk}")
    return errand


HANDOFF_MISSES_PER_HOUR = 5


@writes("volunteers.claim_errand")
def errand_deliver(errand, volunteer, *, code, amount=None, paid_by=Errand.PaidBy.UNPAID):
    """Contact-free hand-off at the door, confirmed by the code told to the resident. A recurring medicine
    delivery is logged on the care ledger too (as the system: the volunteer holds no care permission, the
    delivery is the ledger's)."""
    if errand.claimed_by_id != volunteer.pk or errand.status != Errand.Status.CLAIMED:
        raise ValidationError(_("this errand is not yours to deliver"))
    # Four digits are guessed in minutes by someone who may try freely: a few misses lock the errand for an hour.
    if limits.used("volunteers:handoff_miss", errand.pk, window=3600) >= HANDOFF_MISSES_PER_HOUR:
        raise ValidationError({"code": _("too many wrong codes for this errand: call the grid worker")})
    if (code or "").strip() != errand.handoff_code:
        limits.hit("volunteers:handoff_miss", errand.pk, limit=HANDOFF_MISSES_PER_HOUR, window=3600)
        raise ValidationError({"code": _("the hand-off code is wrong; ask the resident for it again")})
    with transaction.atomic():
        done = Errand.all_objects.filter(pk=errand.pk, status=Errand.Status.CLAIMED).update(
            status=Errand.Status.DELIVERED, delivered_at=timezone.now(), amount=amount, paid_by=paid_by
        )
        if done and errand.medicine_schedule_id:
            from care.services import medicine_deliver

            with system_actor():
                medicine_deliver(errand.medicine_schedule, delivered_by=volunteer.user, note=_("by a volunteer"))
        audit_record(AuditEvent.Action.UPDATE, target=errand, summary="delivered")
    errand.refresh_from_db()
    return errand
