"""/api/v1/volunteers: a volunteer's own shifts and errands for their phone. Reads go through the owner-filtered
managers (core.scoping: an owner-bound scope), so a volunteer's token reaches only their own rows."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema

from volunteers.models import Errand, Shift

router = Router(tags=["volunteers"])


class ShiftOut(Schema):
    id: int
    site: str
    role: str
    starts_at: datetime
    ends_at: datetime
    checked_in_at: datetime | None
    checked_out_at: datetime | None


class ErrandOut(Schema):
    id: int
    kind: str
    status: str
    grid: str
    items: str
    address: str
    masked_phone: str
    created_at: datetime


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied()


@router.get("/shifts", response=list[ShiftOut])
def shifts(request):
    """Shifts in the caller's scope; a volunteer's own only."""
    _require(request, "volunteers.check_in_shift")
    rows = Shift.objects.filter(volunteer__user=request.user).select_related("site")[:200]
    return [
        ShiftOut(site=s.site.name, **{f: getattr(s, f) for f in ShiftOut.model_fields if f != "site"}) for s in rows
    ]


@router.get("/errands", response=list[ErrandOut])
def errands(request):
    """The errands the caller claimed (their address and masked contact, for the door)."""
    _require(request, "volunteers.claim_errand")
    rows = Errand.objects.filter(claimed_by__user=request.user).select_related("grid")[:200]
    return [
        ErrandOut(
            id=e.id,
            kind=e.kind,
            status=e.status,
            grid=e.grid.name,
            items=e.items,
            address=e.address,
            masked_phone=e.masked_phone,
            created_at=e.created_at,
        )
        for e in rows
    ]
