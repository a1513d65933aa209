"""The register's numbers for the command centre (core.tiles): who lives in the area and in each special group."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.tiles import Figure, Tile
from registry import selectors
from registry.models import Area, Household


def _area_url(area):
    name = "registry:grid" if area.level == Area.Level.GRID else "registry:area"
    return reverse(name, args=[area.code])


def population(area, day):
    selectors.area_children_with_counts(area)  # sets the area's own totals
    figures = [
        Figure("persons", _("residents"), area.person_count, url=_area_url(area)),
        Figure("households", _("households"), Household.objects.filter(grid__code__startswith=area.code).count()),
    ]
    for group in selectors.special_groups():
        figures.append(Figure(f"group_{group.code}", group.label_lazy, area.group_counts.get(group.pk, 0)))
    return figures


def population_by_child(area, day):
    groups = selectors.special_groups()
    return {
        child.code: {
            "persons": child.person_count,
            **{f"group_{group.code}": child.group_counts.get(group.pk, 0) for group in groups},
        }
        for child in selectors.area_children_with_counts(area)
    }


TILES = [
    Tile(
        "registry.population",
        _("Population"),
        "registry.view_person",
        population,
        by_child=population_by_child,
        order=10,
        map_keys=("persons",),
    )
]
