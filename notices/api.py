"""/api/v1/notices: send a notice, read its delivery counts. Reads and writes through the scoped managers and the
notices services, like the pages."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from core.schemas import model_str, text
from notices import selectors, services
from notices.models import Channel, Notice
from registry.models import Area

router = Router(tags=["notices"])


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied(f"missing permission {perm}")


class NoticeIn(Schema):
    area: text(32)  # the area's code
    title: model_str(Notice, "title")
    body: text(2000)
    audience: text(32) = Notice.Audience.AREA
    params: dict[str, int] = {}
    channels: list[text(16)] = [Channel.INBOX]
    values: dict[str, text(200)] = {}


class NoticeOut(Schema):
    id: int
    area: str
    title: str
    sent_at: datetime
    persons: int
    acknowledged: int
    phone: int
    knock: int
    by_channel: dict[str, dict[str, int]]


def _out(notice):
    counts = selectors.notice_counts(notice)
    return NoticeOut(
        id=notice.pk,
        area=notice.area.code,
        title=notice.title,
        sent_at=notice.sent_at,
        persons=counts["persons"],
        acknowledged=counts["acknowledged"],
        phone=counts["phone"],
        knock=counts["knock"],
        by_channel=counts["by_channel"],
    )


def _checked(body):
    errors = {}
    if body.audience not in Notice.Audience.values:
        errors["audience"] = [_("Unknown audience %(value)s") % {"value": body.audience}]
    unknown = [c for c in body.channels if c not in Channel.values]
    if unknown or not body.channels:
        errors["channels"] = [_("Unknown channel %(value)s") % {"value": ", ".join(unknown) or "–"}]
    needs = {"group": "group", "round_missing": "round", "control": "control"}.get(body.audience)
    if needs and needs not in body.params:
        errors["params"] = [_("This audience needs %(name)s") % {"name": needs}]
    if errors:
        raise ValidationError(errors)


@router.post("", response={201: NoticeOut})
def notice_send(request, body: NoticeIn):
    """Sends a notice in an area of the caller's scope (404 outside it)."""
    _require(request, "notices.add_notice")
    area = get_object_or_404(Area, code=body.area)
    _checked(body)
    notice = services.notice_send(
        area,
        title=body.title,
        body=body.body,
        audience=body.audience,
        params=body.params,
        channels=body.channels,
        values=body.values,
        by=request.user,
    )
    return Status(201, _out(notice))


@router.get("/{notice_id}", response=NoticeOut)
def notice_get(request, notice_id: int):
    """The notice's deliveries by channel and status, and how many acknowledged, in the caller's scope."""
    _require(request, "notices.view_notice")
    return _out(get_object_or_404(Notice.objects.select_related("area"), pk=notice_id))
