"""Register pages. Objects come only through the scoped default managers, so another area's object is a 404."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from registry import selectors, services
from registry.models import Area, Building, Person


@require_safe
@login_required
@permission_required("registry.view_area", raise_exception=True)
def area_detail(request, code):
    """Drill-down: the area's children with persons and special groups counted."""
    area = get_object_or_404(Area, code=code)
    if area.level == Area.Level.GRID:
        return redirect("registry:grid", code=code)
    children = selectors.area_children_with_counts(area)
    groups = selectors.special_groups()
    for child in [*children, area]:
        _group_columns(child, groups)
    return render(
        request,
        "registry/area.html",
        {"area": area, "children": children, "groups": groups, "crumbs": _crumbs(request, area)},
    )


@require_safe
@login_required
@permission_required("registry.view_area", raise_exception=True)
def my_area(request):
    """The menu's "my area": the user's own area page (their grid's, for a grid worker)."""
    area = request.user.area
    if area is None:
        raise Http404
    return redirect(_area_url_name(request.user, area), code=area.code)


def _area_url_name(user, area):
    return (
        "registry:grid" if area.level == Area.Level.GRID and user.has_perm("registry.view_person") else "registry:area"
    )


@require_safe
@login_required
@permission_required("registry.view_person", raise_exception=True)
def grid_detail(request, code):
    """A grid: its buildings (households → persons open per building), counts by special group first."""
    grid = get_object_or_404(Area, code=code, level=Area.Level.GRID)
    selectors.area_children_with_counts(grid)
    groups = selectors.special_groups()
    _group_columns(grid, groups)
    return render(
        request,
        "registry/grid.html",
        {
            "grid": grid,
            "groups": groups,
            "buildings": selectors.grid_buildings(grid),
            "unhoused": selectors.grid_unhoused(grid),
            "crumbs": _crumbs(request, grid),
        },
    )


@require_safe
@login_required
@permission_required("registry.view_person", raise_exception=True)
def building_detail(request, building_id):
    building = get_object_or_404(Building.objects.select_related("grid", "compound"), pk=building_id)
    households = selectors.building_households(building, page=request.GET.get("page"))
    _label_members(households)
    context = {"building": building, "households": households}
    if request.htmx:
        return render(request, "registry/_households.html", context)
    context["crumbs"] = _crumbs(request, building.grid)
    return render(request, "registry/building.html", context)


@require_safe
@login_required
@permission_required("registry.view_person", raise_exception=True)
def person_detail(request, person_id):
    person = _person_or_404(person_id)
    context = {"person": person, "crumbs": _crumbs(request, person.grid), **selectors.person_detail(person)}
    return render(request, "registry/person.html", context)


@login_required
@permission_required("registry.view_person", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_reveal(request, person_id):
    """GET: the form asking why (an htmx fragment). POST: the full numbers once, audited."""
    person = _person_or_404(person_id)
    if not request.user.has_perm("registry.reveal_identity"):
        raise PermissionDenied
    context = {"person": person}
    if request.method == "POST":
        try:
            context["revealed"] = services.person_reveal(request.user, person, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
    return render(request, "registry/_reveal.html", context)


@login_required
@permission_required("registry.export_person_data", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_data_export(request, person_id):
    """GET: the form (full numbers only with a reason). POST: the person's data as a JSON download, audited."""
    person = _person_or_404(person_id)
    context = {"person": person, "crumbs": _crumbs(request, person.grid)}
    if request.method == "POST":
        try:
            document = services.person_data_export(person, reveal_reason=request.POST.get("reveal_reason", ""))
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
        else:
            response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
            name = f"person-{person.pk}-{timezone.localtime():%Y%m%d-%H%M}.json"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(request, "registry/person_data.html", context, status=400 if "error" in context else 200)


@login_required
@permission_required("registry.erase_person", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_erase(request, person_id):
    """GET: the confirmation step — what erasure does, and why it is refused if it is. POST (confirmed, with a
    reason): the erasure (registry.services.person_erase), then the person's page, now anonymous."""
    person = _person_or_404(person_id)
    context = {"person": person, "crumbs": _crumbs(request, person.grid), "refusals": []}
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            context["error"] = _("Tick the box to confirm the erasure.")
        else:
            try:
                services.person_erase(person, reason=request.POST.get("reason", ""))
            except ValidationError as exc:
                context["error"] = " ".join(exc.messages)
            else:
                return redirect("registry:person", person_id=person.pk)
    elif person.residence_status != Person.ResidenceStatus.ERASED:
        context["refusals"] = services.person_erase_refusals(person)
    status = 400 if "error" in context else 200
    return render(request, "registry/person_erase.html", context, status=status)


class TelRedirect(HttpResponseRedirect):
    allowed_schemes = ["tel"]


@login_required
@require_POST
def person_call(request, person_id):
    """The audited call link, a POST (CSRF-protected: another site cannot make a worker's browser ask for it).
    Through a privacy-number bridge, a page with the virtual number; without one, a redirect to `tel:` with the
    real number (it reaches the phone's dialler, not the page). Checks in registry.services.person_call."""
    person = _person_or_404(person_id)
    try:
        dial = services.person_call(person, by=request.user)
    except ValidationError:
        raise Http404(_("No phone number is registered.")) from None
    if dial.bridged:
        return render(request, "registry/call.html", {"person": person, "dial": dial})
    return TelRedirect(f"tel:{dial.number}")


@require_safe
@login_required
@permission_required("registry.view_person", raise_exception=True)
def search(request):
    """Name, pinyin initials, last 4 digits of ID or phone, or address; live results via htmx."""
    q = request.GET.get("q", "").strip()
    context = {"q": q, "results": selectors.person_search(q) if q else [], "limit": selectors.SEARCH_LIMIT}
    template = "registry/_search_results.html" if request.htmx else "registry/search.html"
    return render(request, template, context)


def _group_columns(area, groups):
    area.group_list = [area.group_counts.get(g.pk, 0) for g in groups]
    area.group_pairs = [(g.label, n) for g, n in zip(groups, area.group_list, strict=True)]


def _person_or_404(pk):
    try:
        return selectors.person_get(pk)
    except Person.DoesNotExist:
        raise Http404 from None


def _label_members(households):
    """Each member's link and "sex · age · relation" line, worked out once per page: the template's per-person
    choice lookups and URL reversing were most of the building page's time."""
    sexes, relations = dict(Person.Sex.choices), dict(Person.Relation.choices)
    sexes, relations = ({k: str(v) for k, v in d.items()} for d in (sexes, relations))
    years = _("y")
    person_url = reverse("registry:person", args=[0]).removesuffix("0/")
    for household in households:
        for p in household.members:
            age = p.age
            parts = [sexes.get(p.sex, ""), f"{age}{years}" if age is not None else "", relations.get(p.relation, "")]
            p.line = " · ".join(filter(None, parts))
            p.url = f"{person_url}{p.pk}/"


def _crumbs(request, area):
    """The path from the district down to `area`; only areas inside the user's own are links (those above are
    not theirs to open)."""
    own = request.user.area.code if request.user.area_id else None
    return [
        {"area": a, "url_name": _area_url_name(request.user, a) if own and a.code.startswith(own) else None}
        for a in [*area.ancestors(), area]
    ]
