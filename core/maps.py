"""Points on the command map, contributed by each app as core.tiles contributes numbers: an app's `maps.py` lists
`LAYERS = [PointLayer(...)]` (found with `core.discovery.app_modules("maps")`), so the map imports no app's models.
A layer's function runs in the asking user's scope, like a tile's."""

from collections.abc import Callable
from dataclasses import dataclass

from core.discovery import app_modules


@dataclass(frozen=True)
class Point:
    longitude: float
    latitude: float
    name: str
    details: list  # [(label, value)] shown in the point's popup


@dataclass(frozen=True)
class PointLayer:
    key: str  # "<app label>.<name>", unique
    label: str  # a lazy translation (the legend)
    perm: str  # a user without it does not see the layer
    points: Callable[[object], list[Point]]  # points(area) -> the points inside the area
    colour: str = "#1d4ed8"


def layers_for(user):
    layers = [layer for module in app_modules("maps") for layer in getattr(module, "LAYERS", ())]
    return sorted((layer for layer in layers if user.has_perm(layer.perm)), key=lambda layer: layer.key)
