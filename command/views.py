"""The dashboard (指挥部大屏): the user's area, a child area to drill down to, and the wall screen that reloads
itself. Thin: the numbers come from command.selectors, the areas from registry.selectors."""

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from command import selectors

DASHBOARD_PERM = "registry.view_person"


def _crumbs(request, area):
    own = request.user.area.code
    return [
        {"area": a, "url_name": "command:area" if a.code.startswith(own) else None} for a in [*area.ancestors(), area]
    ]


def _context(request, area, wall):
    return {
        "area": area,
        "tiles": selectors.dashboard(request.user, area),
        "crumbs": _crumbs(request, area),
        "wall": wall,
        "refresh_seconds": settings.COMMAND_WALL_REFRESH_SECONDS,
    }


@login_required
@require_safe
@permission_required(DASHBOARD_PERM, raise_exception=True)
def dashboard(request, code=None):
    return render(
        request, "command/dashboard.html", _context(request, selectors.area_for(request.user, code), wall=False)
    )


@login_required
@require_safe
@permission_required(DASHBOARD_PERM, raise_exception=True)
def wall(request, code=None):
    """The wall screen: the same tiles, large, reloaded every COMMAND_WALL_REFRESH_SECONDS by htmx (the fragment
    only, without the page around it)."""
    context = _context(request, selectors.area_for(request.user, code), wall=True)
    template = "command/_tiles.html" if request.headers.get("HX-Request") else "command/wall.html"
    return render(request, template, context)
