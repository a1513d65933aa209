"""The dashboard (指挥部大屏): the user's area, a child area to drill down to, and the wall screen that reloads
itself. Thin: the numbers come from command.selectors, the areas from registry.selectors."""

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from command import selectors
from registry.selectors import area_by_code

DASHBOARD_PERM = "registry.view_person"


def _area(request, code):
    own = request.user.area
    area = area_by_code(code) if code else own
    if area is None or own is None or not area.code.startswith(own.code):
        raise Http404
    return area


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
    return render(request, "command/dashboard.html", _context(request, _area(request, code), wall=False))


@login_required
@require_safe
@permission_required(DASHBOARD_PERM, raise_exception=True)
def wall(request, code=None):
    """The wall screen: the same tiles, large, reloaded every COMMAND_WALL_REFRESH_SECONDS by htmx (the fragment
    only, without the page around it)."""
    context = _context(request, _area(request, code), wall=True)
    template = "command/_tiles.html" if request.headers.get("HX-Request") else "command/wall.html"
    return render(request, template, context)
