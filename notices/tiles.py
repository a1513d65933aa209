"""Notices for the command centre (core.tiles): what reached the area's residents on the day, how many
acknowledged, and the silent still to phone or to knock on."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.tiles import Figure, Tile, percent
from notices.models import CallTask, Delivery


def notice_figures(area, day):
    today = Delivery.objects.filter(grid__code__startswith=area.code, person__isnull=False, notice__sent_at__date=day)
    counts = today.aggregate(
        sent=Count("pk", filter=~Q(status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILED])),
        acknowledged=Count("pk", filter=Q(status=Delivery.Status.ACKNOWLEDGED)),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
    )
    calls = dict(
        CallTask.objects.filter(grid__code__startswith=area.code, reached_at__isnull=True)
        .values_list("stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    call_list = reverse("notices:calls")
    return [
        Figure("delivered", _("notices delivered to residents"), counts["sent"], url=reverse("notices:inbox")),
        Figure("acknowledged", _("of them acknowledged"), percent(counts["acknowledged"], counts["sent"]), "%"),
        Figure("failed", _("deliveries failed"), counts["failed"], alert=counts["failed"] > 0),
        Figure("to_phone", _("silent residents to phone"), calls.get(CallTask.Stage.PHONE, 0), url=call_list),
        Figure("to_knock", _("silent residents to knock on"), calls.get(CallTask.Stage.KNOCK, 0), url=call_list),
    ]


TILES = [Tile("notices.reach", _("Notices"), "notices.view_notice", notice_figures, order=50)]
