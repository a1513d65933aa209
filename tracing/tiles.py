"""Tracing's numbers for the command centre (core.tiles): cases, risk persons by stage, time from identification
to isolation and hand-overs waiting; compounds and areas under control. By child area too."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tiles import Figure, Tile, words
from registry.models import Area
from tracing import selectors
from tracing.models import Case, Control, HandOver, Isolation

OPEN_STAGES = selectors.OPEN_STAGES


def isolation_figures(area, day):
    stages = dict(
        Isolation.objects.filter(grid__code__startswith=area.code)
        .values_list("stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    times = selectors.time_to_isolation(area)[0]
    waiting = HandOver.objects.filter(grid__code__startswith=area.code, accepted_at__isnull=True)
    escalated = waiting.filter(escalated_at__isnull=False).count()
    isolation_list = reverse("tracing:isolation_list")
    figures = [
        Figure(
            "cases_today",
            _("new cases"),
            Case.objects.filter(grid__code__startswith=area.code, created_at__date=day).count(),
            url=reverse("tracing:case_list"),
        ),
    ]
    figures += [
        Figure(
            f"stage_{stage}", Isolation.Stage(stage).label, stages.get(stage, 0), url=f"{isolation_list}?stage={stage}"
        )
        for stage in OPEN_STAGES
    ]
    figures += [
        Figure("waiting", _("identified, not yet in isolation"), times["waiting"], alert=times["waiting"] > 0),
        Figure(
            "isolation_median",
            _("identification to isolation, median"),
            times["median"],
            _("min"),
            url=reverse("tracing:isolation_times_area", args=[area.code]),
        ),
        Figure("isolation_p90", _("identification to isolation, 90th percentile"), times["p90"], _("min")),
        Figure(
            "handovers_waiting",
            _("hand-overs not yet accepted"),
            waiting.count(),
            url=reverse("tracing:handover_list"),
            alert=escalated > 0,
        ),
    ]
    return figures


def isolation_by_child(area, day):
    rows = selectors.time_to_isolation(area)[1:]
    return {
        row["area"].code: {
            "waiting": row["waiting"],
            "isolation_median": row["median"],
        }
        for row in rows
    }


def _controls_active(area):
    now = timezone.now()
    active = Control.objects.filter(lifted_at__isnull=True, starts_at__lte=now).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )
    if area.level < Area.Level.GRID:
        return active.filter(community__code__startswith=area.code)
    # A grid is touched by a control of its own buildings, of a compound with a building in it, or of an area
    # containing it.
    ancestors = [area.code[:n] for n in Area.CODE_LENGTH.values() if n <= len(area.code)]
    return active.filter(
        Q(building__grid=area) | Q(compound__buildings__grid=area) | Q(area__code__in=ancestors)
    ).distinct()


def control_figures(area, day):
    levels = dict(_controls_active(area).values_list("level").annotate(n=Count("pk", distinct=True)).order_by())
    url = reverse("tracing:control_list")
    return [
        Figure(
            f"control_{level}",
            words(_("under control: %(level)s"), level=Control.Level(level).label),
            levels.get(level, 0),
            url=url,
            alert=level == Control.Level.SEALED and levels.get(level, 0) > 0,
        )
        for level in Control.Level.values
    ]


def control_by_child(area, day):
    if area.level >= Area.Level.COMMUNITY:  # a community's controls are its compounds and buildings, not children
        return {}
    length = Area.CODE_LENGTH[area.level + 1]
    rows = _controls_active(area).values_list("community__code", "level")
    counts = {}
    for code, level in rows:
        child = counts.setdefault(code[:length], {"control_sealed": 0, "control_controlled": 0})
        child[f"control_{level}"] += 1
    children = Area.objects.filter(parent=area).values_list("code", flat=True)
    return {code: counts.get(code, {"control_sealed": 0, "control_controlled": 0}) for code in children}


TILES = [
    Tile(
        "tracing.isolation",
        _("Contacts and isolation"),
        "tracing.view_isolation",
        isolation_figures,
        by_child=isolation_by_child,
        order=40,
        map_keys=("waiting", "isolation_median"),
    ),
    Tile(
        "tracing.control",
        _("Temporary control"),
        "tracing.view_control",
        control_figures,
        by_child=control_by_child,
        order=45,
        map_keys=("control_sealed",),
    ),
]
