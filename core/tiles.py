"""The command centre's numbers, contributed by each app without the command app importing any app's models: an
app's `tiles.py` lists `TILES = [Tile(...)]`, found with `core.discovery.app_modules("tiles")`. The dashboard,
the map and the daily report all read the same tiles, so a number means the same thing on each of them.

A tile's functions run inside the asking user's scope (a request, or `core.context.user_actor` for the scheduled
report) and read through the scoped managers, like any selector."""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import wraps

from django.utils.functional import lazy

from core.discovery import app_modules


def _interpolate(text, values):
    return str(text) % {key: str(value) for key, value in values.items()}


_interpolate_lazy = lazy(_interpolate, str)


def words(text, **values):
    """`text % values` as a lazy translation: `_("%(item)s in stock") % {...}` would translate at once, in the
    language of whoever counted the tile, and a tile counted once is shown in every language."""
    return _interpolate_lazy(text, values)


@dataclass(frozen=True)
class Figure:
    key: str  # stable within its tile ("population"): the report compares today's with yesterday's by it
    # Words (label, unit; a chart's title and series names) are lazy, never str: the dashboard counts a tile once
    # for every language and shows its words in the language of each page.
    label: str  # a lazy translation
    value: int | float | None  # None: nothing to count yet (no round running), shown as "—", never as 0
    unit: str = ""  # shown after the value ("%", a lazy "min")
    url: str = ""  # the list behind the number
    alert: bool = False  # needs attention (overdue, positive): shown in red


@dataclass(frozen=True)
class Chart:
    """What a tile draws: a line or bar chart of one or more series over labelled points. Only data and translated
    words: the page's script turns it into the chart library's options (command/static/command/dashboard.js)."""

    kind: str  # "line" or "bar"
    title: str
    x: list  # point labels ("08:00")
    series: list  # [{"name": a label, "data": [number per point]}]
    y_max: float | None = None
    y_unit: str = ""  # "%": written after each value of the axis


@dataclass(frozen=True)
class Tile:
    key: str  # "<app label>.<name>", unique
    label: str
    perm: str  # a user without this permission does not see the tile
    # figures(area, day) -> [Figure]: counts of events on `day` (a local date; today for the live dashboard) and
    # states as they are now.
    figures: Callable[[object, date], list[Figure]]
    # by_child(area, day) -> {child area code: {figure key: value}}: the same figures one level down, for the
    # drill-down table and the map's colours; its keys are keys of the tile's figures (their labels head the
    # columns). None when the tile has no per-area split.
    by_child: Callable[[object, date], dict[str, dict]] | None = None
    # chart(area, day) -> a Chart, or None when there is nothing to draw. None: the tile has no chart.
    chart: Callable[[object, date], "Chart | None"] | None = None
    order: int = 100  # place on the dashboard, smaller first
    map_keys: tuple = field(default=())  # figure keys of by_child the map may colour areas by


_counting = ContextVar("tiles_counting", default=None)


@contextmanager
def counting():
    """One count of the tiles (a dashboard's, a report's): inside it, a function wrapped by `shared` runs once per
    arguments, however many of a tile's figures, by-child table and chart ask for it."""
    token = _counting.set({})
    try:
        yield
    finally:
        _counting.reset(token)


def shared(function):
    """`function(*args)` (hashable args: models hash by their key) computed once inside `counting()`."""

    @wraps(function)
    def once(*args):
        memo = _counting.get()
        if memo is None:
            return function(*args)
        key = (function, *args)
        if key not in memo:
            memo[key] = function(*args)
        return memo[key]

    return once


def tiles_all():
    # core is an app too, and this module is its "tiles": it contributes none
    tiles = [tile for module in app_modules("tiles") for tile in getattr(module, "TILES", ())]
    return sorted(tiles, key=lambda tile: (tile.order, tile.key))


def tiles_for(user):
    """The tiles `user` may see, in dashboard order."""
    return [tile for tile in tiles_all() if user.has_perm(tile.perm)]


def roll_up(counts, length):
    """{child code: n} from (area code, n) pairs of areas at or under the children (codes nest by prefix, a child's
    code is `length` long); an area above the children (a shorter code) is counted under its own code."""
    out = {}
    for code, n in counts:
        out[code[:length]] = out.get(code[:length], 0) + n
    return out


def percent(part, whole):
    """part of whole in %, one decimal rounded down (nothing reads 100% before it is done, as figures.percent_of);
    None when there is no whole to speak of."""
    return part * 1000 // whole / 10 if whole else None
