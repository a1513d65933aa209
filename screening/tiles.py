"""The screening round's numbers for the command centre (core.tiles): coverage, samples in the last hour,
positives and turnaround of the round the area is working on, by child area too, and coverage over time."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.tiles import Chart, Figure, Tile, percent, shared
from registry.models import Area
from screening import selectors
from screening.models import Sample, Tube

# Only a round under way is "live"; before and after one the tile says so with "—".
_round = shared(selectors.round_running)
# The figures, the by-area table and the chart all start from the area's coverage: counted once per tile count.
_coverage = shared(selectors.coverage)


def _coverage_url(round_, area):
    return reverse("screening:coverage_area", args=[round_.pk, area.code])


def samples_last_hour(round_, area, now):
    return Sample.objects.filter(
        round=round_, grid__code__startswith=area.code, sampled_at__gte=now - timedelta(hours=1)
    ).count()


def turnaround_minutes(round_, area):
    """Mean minutes from a tube's closing to its result, over the round's resulted tubes holding a sample of the
    area's people."""
    tubes = Tube.objects.filter(round=round_, resulted_at__isnull=False)
    if area.level > Area.Level.DISTRICT:
        tubes = tubes.filter(
            pk__in=Sample.objects.filter(round=round_, grid__code__startswith=area.code).values("tube_id")
        )
    total = n = 0
    for closed, resulted in tubes.values_list("closed_at", "resulted_at").iterator():
        total += (resulted - closed).total_seconds() / 60
        n += 1
    return round(total / n) if n else None


def round_figures(area, day):
    round_ = _round(area)
    if round_ is None:
        return [
            Figure("coverage", _("round coverage"), None, "%"),
            Figure("samples_last_hour", _("samples in the last hour"), None),
            Figure("positive", _("positive persons this round"), None),
            Figure("turnaround", _("sample to result"), None, _("min")),
        ]
    now = timezone.now()
    cover = _coverage(round_, area)
    url = _coverage_url(round_, area)
    return [
        Figure("coverage", _("round coverage"), percent(cover["sampled"], cover["expected"]), "%", url),
        Figure("sampled", _("sampled this round"), cover["sampled"], url=url),
        Figure("missing", _("expected, not yet sampled"), cover["missing"], url=url, alert=cover["missing"] > 0),
        Figure("samples_last_hour", _("samples in the last hour"), samples_last_hour(round_, area, now)),
        Figure("positive", _("positive persons this round"), cover["positive"], alert=cover["positive"] > 0),
        Figure("turnaround", _("sample to result"), turnaround_minutes(round_, area), _("min")),
    ]


def round_by_child(area, day):
    round_ = _round(area)
    if round_ is None or area.level == Area.Level.GRID:  # a grid's coverage is by building, not by area
        return {}
    return {
        row["code"]: {
            "coverage": percent(row["sampled"], row["expected"]),
            "sampled": row["sampled"],
            "missing": row["missing"],
            "positive": row["positive"],
        }
        for row in _coverage(round_, area)["children"]
    }


def round_chart(area, day):
    round_ = _round(area)
    if round_ is None:
        return None
    points = selectors.coverage_over_time(round_, area, expected=_coverage(round_, area)["expected"])
    return Chart(
        "line",
        _("Coverage over the round"),
        [date_format(timezone.localtime(t), "H:i") for t, _n, _p in points],
        [{"name": _("coverage"), "data": [p for _t, _n, p in points]}],
        y_max=100,
        y_unit="%",
    )


TILES = [
    Tile(
        "screening.round",
        _("Screening round"),
        "screening.view_round",
        round_figures,
        by_child=round_by_child,
        chart=round_chart,
        order=20,
        map_keys=("coverage", "positive"),
    )
]
