"""Area outlines for the command map: the demo's generated rectangles, and the checks an uploaded GeoJSON
FeatureCollection passes before any area's boundary changes (registry.services.area_boundaries_upload)."""

import json
import math

from django.utils.translation import gettext as _

# The demo district: a rectangle near Jiangmen (lon 113.08, lat 22.58), about 10 km a side.
DEMO_DISTRICT_BOX = (113.03, 22.53, 113.13, 22.63)  # west, south, east, north


def box_polygon(box):
    west, south, east, north = (round(v, 6) for v in box)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def split_box(box, n):
    """`n` boxes tiling `box` exactly, row by row (the last row's boxes stretched to fill it), so children nest
    inside their parent without overlapping."""
    west, south, east, north = box
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    height = (north - south) / rows
    boxes = []
    for row in range(rows):
        in_row = min(cols, n - row * cols)
        width = (east - west) / in_row
        top = north - row * height
        for col in range(in_row):
            boxes.append((west + col * width, top - height, west + (col + 1) * width, top))
    return boxes


def polygon_box(geometry):
    """(west, south, east, north) of a Polygon or MultiPolygon."""
    rings = (
        geometry["coordinates"] if geometry["type"] == "Polygon" else [r for p in geometry["coordinates"] for r in p]
    )
    points = [point for ring in rings for point in ring]
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


class BoundaryError(ValueError):
    """An uploaded file that cannot be used, with a message for the user (in their language)."""


def _is_position(value):
    return (
        isinstance(value, list)
        and len(value) >= 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value[:2])
        and -180 <= value[0] <= 180
        and -90 <= value[1] <= 90
    )


def _is_ring(value):
    return isinstance(value, list) and len(value) >= 4 and all(map(_is_position, value)) and value[0] == value[-1]


def _is_polygon(coordinates):
    return isinstance(coordinates, list) and len(coordinates) >= 1 and all(map(_is_ring, coordinates))


def valid_geometry(geometry):
    if not isinstance(geometry, dict):
        return False
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return _is_polygon(coordinates)
    if kind == "MultiPolygon":
        return isinstance(coordinates, list) and len(coordinates) >= 1 and all(map(_is_polygon, coordinates))
    return False


def parse_feature_collection(raw, known_codes):
    """{area code: geometry} from the bytes of a GeoJSON FeatureCollection whose features carry a `code` property.
    Raises BoundaryError naming the first bad feature (by its number, from 1, and its code when it has one)."""
    try:
        data = json.loads(raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw)
    except (UnicodeDecodeError, ValueError):
        raise BoundaryError(_("The file is not valid JSON.")) from None
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise BoundaryError(_("The file is not a GeoJSON FeatureCollection."))
    if not data["features"]:
        raise BoundaryError(_("The file has no features."))
    boundaries = {}
    for number, feature in enumerate(data["features"], start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = str(properties.get("code", "")).strip() if isinstance(properties, dict) else ""
        name = _("feature %(number)s") % {"number": number} + (f" ({code})" if code else "")
        if not code:
            raise BoundaryError(_("%(feature)s has no “code” property.") % {"feature": name})
        if code not in known_codes:
            raise BoundaryError(_("%(feature)s: no area in your scope has the code %(code)s.") % {
                "feature": name, "code": code})  # fmt: skip
        if not valid_geometry(feature.get("geometry")):
            raise BoundaryError(
                _("%(feature)s: the geometry must be a Polygon or MultiPolygon in longitude and latitude.")
                % {"feature": name}
            )
        if code in boundaries:
            raise BoundaryError(_("%(feature)s: the code %(code)s appears twice.") % {"feature": name, "code": code})
        boundaries[code] = {"type": feature["geometry"]["type"], "coordinates": feature["geometry"]["coordinates"]}
    return boundaries
