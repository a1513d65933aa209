"""The command map: the user's area's children drawn from their boundaries, coloured by any figure a tile offers
for the map (core.tiles `map_keys`), with the apps' points (core.maps) on top, and the district admin's upload of
boundaries. Reads the register through registry.selectors only and every other app through tiles and layers."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from command.selectors import area_for, tile_data
from core.maps import layers_for
from core.tiles import tiles_for
from registry import selectors
from registry.boundaries import BoundaryError
from registry.services import area_boundaries_upload


def _map_tiles(user):
    visible = tiles_for(user)
    if not user.has_perm("registry.view_area") or not visible:
        raise PermissionDenied
    return [tile for tile in visible if tile.map_keys and tile.by_child]


def _crumbs(request, area):
    """From the user's own area down to `area`: nothing above the user's area is theirs to open."""
    own = request.user.area.code if request.user.area_id else ""
    return [a for a in [*area.ancestors(), area] if a.code.startswith(own)]


def map_data(user, area, day):
    """(keys, features): the figures the map may colour by ([{"id", "label", "unit"}]) and one feature per child
    of `area` (the area itself when it has none, a grid) with its boundary and those figures' values."""
    tiles = _map_tiles(user)
    children = selectors.area_children(area)
    keys, values = [], {}
    for tile in tiles:
        # The dashboard's cache: the page and its GeoJSON, and the dashboard beside them, count a tile once.
        data = tile_data(tile, area, day)
        figures = {figure["key"]: figure for figure in data["figures"]}
        by_child = data["by_child"] if children else {area.code: {k: f["value"] for k, f in figures.items()}}
        for key in tile.map_keys:
            key_id = f"{tile.key}:{key}"
            figure = figures.get(key)
            keys.append({"id": key_id, "label": figure["label"] if figure else str(tile.label),
                         "unit": figure["unit"] if figure else ""})  # fmt: skip
            for code, row in by_child.items():
                values.setdefault(code, {})[key_id] = row.get(key)
    features = [
        {
            "type": "Feature",
            "id": number,
            "geometry": child.boundary,
            "properties": {
                "code": child.code,
                "name": child.name,
                "href": reverse("command:map_area", args=[child.code]) if children else "",
                **values.get(child.code, {}),
            },
        }
        for number, child in enumerate(children or [area], start=1)
    ]
    return keys, features


def _points(user, area):
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [point.longitude, point.latitude]},
            "properties": {
                "layer": layer.key,
                "name": point.name,
                "details": [[str(label), str(value)] for label, value in point.details],
            },
        }
        for layer in layers_for(user)
        for point in layer.points(area)
    ]


@require_safe
@login_required
def map_page(request, code=None):
    """The map of the user's area (or of an area inside it): polygons, a choice of figure, a legend, the list."""
    area = area_for(request.user, code)
    keys, features = map_data(request.user, area, timezone.localdate())
    layers = [
        {"id": layer.key, "label": str(layer.label), "colour": layer.colour} for layer in layers_for(request.user)
    ]
    return render(
        request,
        "command/map.html",
        {
            "area": area,
            "crumbs": _crumbs(request, area),
            "keys": keys,
            "rows": [
                {**f["properties"], "value": f["properties"].get(keys[0]["id"]) if keys else None} for f in features
            ],
            "missing": sum(1 for f in features if not f["geometry"]),
            # Addresses go in the map element's data- attributes; the JSON island holds only what a reader sees.
            "data_url": reverse("command:map_geojson", args=[area.code]),
            "tiles": settings.MAP_TILES_URL,
            "attribution": settings.MAP_TILES_ATTRIBUTION,
            "config": {"layers": layers, "nodata": _("no data")},
        },
    )


@require_safe
@login_required
def map_geojson(request, code):
    """The area's children as a GeoJSON FeatureCollection (figures in each feature's properties), with the keys
    and the points as foreign members."""
    area = selectors.area_by_code(code)
    keys, features = map_data(request.user, area, timezone.localdate())
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "keys": keys,
            "points": {"type": "FeatureCollection", "features": _points(request.user, area)},
        },
        json_dumps_params={"ensure_ascii": False},
    )


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Boundary file"))

    MAX_BYTES = 20 * 1024 * 1024


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("registry.change_area", raise_exception=True)
def boundaries_upload(request):
    """The district admin's upload of area boundaries: all features or, when one is bad, none."""
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > BoundaryUploadForm.MAX_BYTES:
                raise BoundaryError(_("The file is too large."))
            n = area_boundaries_upload(upload.read(), filename=upload.name)
        except BoundaryError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("Boundaries saved for %(n)s areas.") % {"n": n})
            return redirect("command:map")
    return render(request, "command/boundaries_upload.html", {"form": form})
