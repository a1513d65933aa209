"""The dashboard's reads: every tile the user may see, computed for an area and a day, kept in the cache.

A tile's numbers for an area do not depend on who asks, once the asker may see the whole area — and the pages let
a user open only areas inside their own. So the cache is shared per (tile, area, day), whatever the language: a
tile's words are lazy translations, shown in the language of each page. The scheduled job `command.dashboards_warm`
refreshes the district's and the streets' every minute (a run still under way when the next is due is not doubled:
core.scheduler), and its counts stay until its next run replaces them: a command screen never waits for a cold
count of a whole district. Every tile says the time its numbers were taken ("as of")."""

from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.utils import timezone

from core.replica import on_replica
from core.tiles import counting, tiles_all, tiles_for
from registry.selectors import area_by_code, area_children


@dataclass
class TileView:
    key: str
    label: str
    figures: list  # [{"key", "label", "value", "unit", "url", "alert"}]
    children: list  # [{"area", "cells": [{"label", "value", "unit"}]}]: the by-child table's rows
    columns: list  # [{"key", "label", "unit"}]: the figures by_child gives, in the figures' order
    chart: dict | None  # core.tiles.Chart as a dict
    as_of: object  # an aware datetime

    @property
    def slug(self):
        return self.key.replace(".", "-")

    @property
    def chart_data(self):
        """What the page's JSON island carries: words and numbers only (the kind and the unit go in attributes)."""
        return {k: self.chart[k] for k in ("title", "x", "series")}


def _cache_key(tile, area, day):
    return f"command:tile:{tile.key}:{area.code}:{day.isoformat()}"


def _compute(tile, area, day):
    with counting():
        return on_replica(_count, tile, area, day)


def _count(tile, area, day):
    figures = [
        {
            "key": f.key,
            "label": f.label,  # lazy: shown in each page's language
            "value": f.value,
            "unit": f.unit,
            "url": f.url,
            "alert": f.alert,
        }
        for f in tile.figures(area, day)
    ]
    return {
        "figures": figures,
        "by_child": tile.by_child(area, day) if tile.by_child else {},
        "chart": asdict(chart) if tile.chart and (chart := tile.chart(area, day)) else None,
        "as_of": timezone.now(),
    }


def area_for(user, code=None):
    """The area a command page shows: `code` inside the user's scope (Http404 outside it, through the scoped
    manager), or the user's own."""
    if code is None:
        if user.area is None:
            raise Http404
        code = user.area.code
    return area_by_code(code)


def tile_data(tile, area, day, *, fresh=False, keep=None):
    """The tile's numbers for `area` on `day`, from the cache unless `fresh` (or not cached yet). A count made for
    a page is kept COMMAND_CACHE_SECONDS; the scheduled job's are kept `keep` seconds, longer than the job takes,
    so that its own next run overwrites them and no page waits for a count in between."""
    key = _cache_key(tile, area, day)
    data = None if fresh else cache.get(key)
    if data is None:
        data = _compute(tile, area, day)
        cache.set(key, data, keep or settings.COMMAND_CACHE_SECONDS)
    return data


def _view(tile, area, day, children):
    data = tile_data(tile, area, day)
    by_child = data["by_child"]
    used = {k for values in by_child.values() for k in values}
    columns = [{"key": f["key"], "label": f["label"], "unit": f["unit"]} for f in data["figures"] if f["key"] in used]
    rows = [
        {"area": child, "cells": [{**c, "value": by_child[child.code].get(c["key"])} for c in columns]}
        for child in children
        if child.code in by_child
    ]
    return TileView(tile.key, str(tile.label), data["figures"], rows, columns, data["chart"], data["as_of"])


def dashboard(user, area, day=None):
    """The tiles `user` may see for `area` (inside the user's scope: the caller checks), in dashboard order."""
    day = day or timezone.localdate()
    children = area_children(area)
    return [_view(tile, area, day, children) for tile in tiles_for(user)]


def warm(areas):
    """Recompute every tile for each area (the scheduled job, as the system)."""
    day = timezone.localdate()
    for area in areas:
        for tile in tiles_all():
            tile_data(tile, area, day, fresh=True, keep=settings.COMMAND_WARM_KEEP_SECONDS)
