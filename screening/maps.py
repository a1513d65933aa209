"""Screening's points on the command map (core.maps): the sampling sites of the round being worked on, inside the
area shown (a site serving the whole district is shown on the district's map)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.maps import Point, PointLayer
from screening.models import Site
from screening.selectors import round_current


def sampling_sites(area):
    current = round_current(area)
    if current is None:
        return []
    sites = Site.objects.filter(
        campaign_id=current.campaign_id, area__code__startswith=area.code, longitude__isnull=False
    ).order_by("name")
    return [
        Point(
            float(site.longitude),
            float(site.latitude),
            site.name,
            [(_("type"), site.get_kind_display()), (_("desks"), site.desks), (_("address"), site.address)],
        )
        for site in sites
    ]


LAYERS = [PointLayer("screening.sites", gettext_lazy("Sampling sites"), "screening.view_site", sampling_sites)]
