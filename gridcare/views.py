from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.roles import Role
from registry import selectors
from registry.models import Area

# The area page each role starts from; grid workers and medics start from search too.
SEARCH_FIRST = {Role.GRID_WORKER, Role.MEDIC}


@require_safe
@login_required
def home(request):
    """Each role lands on its own work: the area it is bound to, counted, with search close at hand."""
    area = request.user.area
    context = {"area": area, "search_first": request.user.role in SEARCH_FIRST}
    if area is not None:
        context["children"] = selectors.area_children_with_counts(area)
        groups = selectors.special_groups()
        for a in [area, *context["children"]]:
            a.group_pairs = [(g.label, a.group_counts.get(g.pk, 0)) for g in groups]
        context["is_grid"] = area.level == Area.Level.GRID
    return render(request, "home.html", context)
