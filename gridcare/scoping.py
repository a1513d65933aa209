"""The one mechanism that keeps every user inside their part of the district.

Every model that belongs to an area names the path to its area in a class attribute (`area_path = "grid"`, a
FK to registry.Area; "" for Area itself) and uses `ScopedManager` as its default manager. Querysets then filter themselves by the current scope (see gridcare.context), so
pages, the admin, the API and exports are scoped without each view remembering to filter. Related managers
are built from the default manager, so `household.persons.all()` is scoped too. `Model.all_objects` is the
unscoped manager, for migrations and for services that must see across areas on purpose.
"""

from django.db import models

from gridcare.context import current_scope


def area_subtree_ids(code):
    from registry.models import Area

    return Area.all_objects.filter(code__startswith=code).values("pk")


def scope_filter(area_path, scope):
    """A Q that keeps rows whose area (reached by `area_path`, a FK to registry.Area) is inside `scope`.
    `area_path=""` means the model is Area itself."""
    if scope.empty:
        return models.Q(pk__in=[])
    if scope.code is None:
        return models.Q()
    if area_path == "":
        return models.Q(code__startswith=scope.code)
    if scope.is_grid:
        return models.Q(**{f"{area_path}_id": scope.area_id})
    return models.Q(**{f"{area_path}__in": area_subtree_ids(scope.code)})


class ScopedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(scope_filter(self.model.area_path, current_scope()))
