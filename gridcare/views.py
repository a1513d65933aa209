"""The home page: each role lands on the day's work in its area, read from the apps' selectors. This module only
assembles; every number comes from a selector of care, screening or registry, through the scoped managers."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.roles import Role
from care import selectors as care
from core.tiles import roll_up
from registry.models import Area
from screening import selectors as screening
from tracing import selectors as tracing
from volunteers import selectors as volunteers


@require_safe
@login_required
def home(request):
    """The user's area and, by role, what is left to do there today."""
    user = request.user
    area = user.area
    context = {"area": area}
    if area is not None:
        build = HOMES.get(user.role)
        if build is not None:
            context.update(build(user, area))
    return render(request, "home.html", context)


def _grid_worker_home(user, area):
    """Figures of the worker's grid: calls left today, doors left in the running round, open requests, holds and
    alerts; each links to its list."""
    round_ = screening.round_running(area)
    holds = screening.holds_open_by_grid(area)
    return {
        "home": "grid_worker",
        "round": round_,
        "day_planned": care.day_planned(),
        "calls_left": care.followups_left(user),
        "doors_left": screening.doors_left(round_, area) if round_ else None,
        "requests_open": sum(care.help_requests_by_area(area).values()),
        "holds_open": sum(n for _code, _round, n in holds),
        "holds_round_id": _holds_round_id(holds, round_),
        "alerts_open": sum(screening.alerts_open_by_area(area).values()),
        "entry_alerts_open": tracing.entry_alerts_open_count(),
        "tests": tracing.tests_due_counts() if user.has_perm("tracing.view_testobligation") else None,
    }


def _staff_home(user, area):
    """The running round's coverage, overdue requests, people not reached for N days and open holds: totals, then
    one row per child area (streets, communities or grids)."""
    round_ = screening.round_running(area)
    children = list(Area.objects.filter(parent=area).order_by("code"))
    length = Area.CODE_LENGTH[area.level + 1]
    coverage = screening.coverage(round_, area) if round_ else None
    covered = {row["code"]: row for row in coverage["children"]} if coverage else {}
    overdue = roll_up(care.help_requests_by_area(area, overdue=True).items(), length)
    unreached_days = care.unreached_days()
    unreached = roll_up(care.unreached_by_grid(area, days=unreached_days).items(), length)
    holds = screening.holds_open_by_grid(area)
    held = roll_up(((code, n) for code, _round, n in holds), length)
    holds_round = {}
    for code, round_id, _n in holds:
        holds_round[code[:length]] = max(round_id, holds_round.get(code[:length], 0))
    rows = [
        {
            "area": child,
            "coverage": covered.get(child.code),
            "overdue": overdue.get(child.code, 0),
            "unreached": unreached.get(child.code, 0),
            "holds": held.get(child.code, 0),
            "holds_round_id": holds_round.get(child.code),
        }
        for child in children
    ]
    return {
        "home": "staff",
        "round": round_,
        "coverage": coverage,
        "rows": rows,
        # Totals count the whole area: a request filed with the community itself belongs to no grid's row.
        "overdue": sum(overdue.values()),
        "unreached": sum(unreached.values()),
        "holds_open": sum(held.values()),
        "holds_round_id": _holds_round_id(holds, round_),
        "unreached_days": unreached_days,
        "handovers": tracing.handover_counts() if user.has_perm("tracing.view_handover") else None,
    }


def _holds_round_id(holds, round_):
    """The round whose holds page to open: the latest with open holds, else the running one."""
    rounds = [round_id for _code, round_id, _n in holds]
    if rounds:
        return max(rounds)
    return round_.pk if round_ else None


def _medic_home(user, area):
    round_ = screening.round_running(area)
    return {
        "home": "medic",
        "round": round_,
        "sites": screening.sites_of_medic(user, round_.campaign) if round_ else [],
    }


def _lab_home(user, area):
    latest, last_day = screening.results_recent()
    return {
        "home": "lab",
        "tubes_awaiting": screening.tubes_awaiting_result(),
        "results_latest": latest,
        "results_last_day": last_day,
    }


def _volunteer_lead_home(user, area):
    round_ = screening.round_running(area)
    return {
        "home": "volunteer_lead",
        "round": round_,
        "unverified": volunteers.unverified_count(),
        "sites": screening.sites_serving(round_.campaign, area) if round_ else [],
    }


def _checkpoint_home(user, area):
    """The gates of the area and today's entries there: the day's work is at the gate."""
    gates = list(tracing.gate_venues())
    return {
        "home": "checkpoint",
        "gates": gates,
        "gate_counts": tracing.gate_counts(tracing.gate_log(gates)),
    }


def _tracing_home(user, area):
    """The tracer's day: to-trace rows not yet cases, proposed contacts waiting, the cases; the oldest waiting first."""
    return {"home": "tracing_staff", **tracing.tracing_day(), "to_trace_first": tracing.trace_inbox()[:5]}


def _volunteer_home(user, area):
    return {"home": "volunteer"}


HOMES = {
    Role.DISTRICT_ADMIN: _staff_home,
    Role.STREET_STAFF: _staff_home,
    Role.COMMUNITY_STAFF: _staff_home,
    Role.GRID_WORKER: _grid_worker_home,
    Role.MEDIC: _medic_home,
    Role.LAB: _lab_home,
    Role.VOLUNTEER_LEAD: _volunteer_lead_home,
    Role.CHECKPOINT_STAFF: _checkpoint_home,
    Role.TRACING_STAFF: _tracing_home,
    Role.VOLUNTEER: _volunteer_home,
}
