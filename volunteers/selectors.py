"""Reads: the gap board, proposals of whom to send, hours per person, errands for the grid and for a volunteer."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from volunteers.models import Errand, Shift, Volunteer, VolunteerRole, VolunteerSettings


@dataclass
class Gap:
    role: str
    label: str
    needed: int
    present: int
    proposals: list = field(default_factory=list)

    @property
    def short(self):
        return max(0, self.needed - self.present)


def targets(site, per_desk=None):
    """Staffing target per role at a site: its desks × volunteers per desk (settings, read once by a caller
    looping over sites)."""
    per_desk = VolunteerSettings.current().roles_per_desk if per_desk is None else per_desk
    return {role: site.desks * int(n) for role, n in per_desk.items() if role in VolunteerRole.values and int(n)}


def hour_slot(now):
    local = timezone.localtime(now)
    start = local.replace(minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=1)


def hours_today(volunteer_ids, now):
    """Hours worked today per volunteer (checked in to checked out, or to now)."""
    day_start = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    hours = dict.fromkeys(volunteer_ids, 0.0)
    for shift in Shift.objects.filter(volunteer_id__in=volunteer_ids, checked_in_at__gte=day_start):
        hours[shift.volunteer_id] += shift.worked_hours(now)
    return hours


def gap_board(site, now=None):
    """Needed vs present per role for the current hour at `site`, with whom to send for each gap: verified
    volunteers with that role, not on a shift now, under the day's hour limit, from the site's own community
    first (no building coordinates in the register yet, so nearness is the area tree)."""
    now = now or timezone.now()
    start, end = hour_slot(now)
    shifts = list(Shift.objects.filter(site=site, starts_at__lt=end, ends_at__gt=start).select_related("volunteer"))
    present = {}
    for shift in shifts:
        if shift.checked_in_at and not shift.checked_out_at:
            present[shift.role] = present.get(shift.role, 0) + 1
    busy = set(
        Shift.objects.filter(starts_at__lt=end, ends_at__gt=start, checked_out_at__isnull=True).values_list(
            "volunteer_id", flat=True
        )
    )
    gaps = [
        Gap(role, VolunteerRole(role).label, needed, present.get(role, 0)) for role, needed in targets(site).items()
    ]
    gaps += [Gap(role, VolunteerRole(role).label, 0, n) for role, n in present.items() if role not in targets(site)]
    short = [gap for gap in gaps if gap.short]
    if short:
        candidates = list(
            Volunteer.objects.filter(verified_at__isnull=False).exclude(pk__in=busy).select_related("community")
        )
        limit = VolunteerSettings.current().max_hours_per_day
        worked = hours_today([v.pk for v in candidates], now)
        code = site.area.code
        proposed = set()  # one person is proposed for one gap only
        for gap in short:
            fitting = [v for v in candidates if gap.role in v.roles and worked[v.pk] < limit and v.pk not in proposed]
            fitting.sort(key=lambda v: (-_shared_prefix(v.community.code, code), worked[v.pk], v.name))
            gap.proposals = fitting[: gap.short]
            proposed.update(v.pk for v in gap.proposals)
    return {"start": start, "end": end, "gaps": gaps, "shifts": shifts}


def _shared_prefix(a, b):
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def volunteer_hours(now=None):
    """Every volunteer with hours today, most first, flagged past the day's limit (the page's medics worked 12+)."""
    now = now or timezone.now()
    limit = VolunteerSettings.current().max_hours_per_day
    volunteers = {v.pk: v for v in Volunteer.objects.filter(shifts__checked_in_at__isnull=False).distinct()}
    worked = hours_today(list(volunteers), now)
    rows = [(volunteers[pk], round(h, 1), h > limit) for pk, h in worked.items() if h]
    return sorted(rows, key=lambda row: -row[1])


def errands_open(now=None):
    """The grid's open and claimed errands, oldest first, with their age in hours."""
    now = now or timezone.now()
    errands = Errand.objects.filter(status__in=[Errand.Status.OPEN, Errand.Status.CLAIMED]).select_related(
        "grid", "claimed_by"
    )
    return [(errand, errand.age_hours(now)) for errand in errands]


def my_errands(volunteer):
    """What a volunteer sees: their own claimed errands, and open ones in their community to claim."""
    errands = Errand.objects.select_related("grid")
    mine = errands.filter(claimed_by=volunteer).exclude(status=Errand.Status.CANCELLED).order_by("-created_at")
    to_claim = errands.filter(
        Q(grid__parent_id=volunteer.community_id) | Q(grid_id=volunteer.community_id), status=Errand.Status.OPEN
    )
    now = timezone.now()
    to_claim = list(to_claim[:50])
    for errand in to_claim:
        errand.age = errand.age_hours(now)
    return list(mine[:50]), to_claim


def my_shifts(volunteer, now=None):
    now = now or timezone.now()
    return list(
        Shift.objects.filter(volunteer=volunteer, ends_at__gte=now - timedelta(days=1)).select_related("site")[:50]
    )


def unverified_count():
    return Volunteer.objects.filter(verified_at__isnull=True).count()


def places_short(sites, now=None):
    """How many volunteers the sites lack this hour: per site and role, needed minus checked in (never below 0),
    summed — the gap board's "short" for many sites in one query."""
    now = now or timezone.now()
    start, end = hour_slot(now)
    present = {}
    for site_id, role in Shift.objects.filter(
        site__in=sites, starts_at__lt=end, ends_at__gt=start, checked_in_at__isnull=False, checked_out_at__isnull=True
    ).values_list("site_id", "role"):
        present[site_id, role] = present.get((site_id, role), 0) + 1
    per_desk = VolunteerSettings.current().roles_per_desk
    return sum(
        max(0, needed - present.get((site.pk, role), 0))
        for site in sites
        for role, needed in targets(site, per_desk).items()
    )
