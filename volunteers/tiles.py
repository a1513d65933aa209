"""Volunteers for the command centre (core.tiles): who is on shift now at the area's sites, the gaps of this hour
(needed minus present, per role) and errands waiting for someone to carry them."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tiles import Figure, Tile
from screening.models import Round, Site
from volunteers import selectors
from volunteers.models import Errand, Shift


def _sites_working(area, now):
    """The area's sampling sites of campaigns with a round under way: only they need volunteers now."""
    running = Round.objects.filter(starts_at__lte=now, ends_at__gt=now).values("campaign_id")
    return list(Site.objects.filter(area__code__startswith=area.code, campaign_id__in=running))


def volunteer_figures(area, day):
    now = timezone.now()
    start, end = selectors.hour_slot(now)
    on_shift = Shift.objects.filter(
        site__area__code__startswith=area.code,
        checked_in_at__isnull=False,
        checked_out_at__isnull=True,
        starts_at__lt=end,
        ends_at__gt=start,
    ).count()
    gaps = selectors.places_short(_sites_working(area, now), now)
    errands = Errand.objects.filter(grid__code__startswith=area.code, status=Errand.Status.OPEN).count()
    return [
        Figure("on_shift", _("volunteers on shift now"), on_shift, url=reverse("volunteers:sites")),
        Figure("gaps", _("places short this hour"), gaps, url=reverse("volunteers:sites"), alert=gaps > 0),
        Figure(
            "errands_open",
            _("errands waiting for a volunteer"),
            errands,
            url=reverse("volunteers:errands"),
            alert=errands > 0,
        ),
    ]


TILES = [Tile("volunteers.gaps", _("Volunteers"), "volunteers.view_shift", volunteer_figures, order=70)]
