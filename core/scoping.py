"""The one mechanism that keeps every user inside their part of the district when reading.

Every model that belongs to an area names the path to its area in a class attribute (`area_path = "grid"`, a
FK to the area model; `"person__grid"` through a person; "" for the area model itself) and uses `ScopedManager`
as its default manager. Querysets then filter themselves by the current scope (core.context), so pages, the admin,
the API and exports are scoped without each view remembering to filter. Related managers are built from the
default manager, so `household.persons.all()` is scoped too. `Model.all_objects` is the unscoped manager, for
migrations and for services that must see across areas on purpose (their docstring says why).
"""

from django.db import models

from core.context import current_scope


def area_model(model):
    """The area model at the end of `model.area_path`."""
    for part in filter(None, model.area_path.split("__")):
        model = model._meta.get_field(part).related_model
    return model


def scope_filter(model, scope):
    """A Q that keeps rows of `model` whose area is inside `scope` (and, for an owner-bound scope, that the user
    owns, where the model says what owning is)."""
    area = _area_filter(model, scope)
    if scope.owner_id is not None and hasattr(model, "owner_filter"):
        return area & model.owner_filter(scope.owner_id)
    return area


def _area_filter(model, scope):
    area_path = model.area_path
    if scope.empty:
        return models.Q(pk__in=[])
    if scope.code is None:
        return models.Q()
    if area_path == "":
        return models.Q(code__startswith=scope.code)
    if scope.is_grid:
        return models.Q(**{f"{area_path}_id": scope.area_id})
    subtree = area_model(model)._base_manager.filter(code__startswith=scope.code).values("pk")
    return models.Q(**{f"{area_path}__in": subtree})


class ScopedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(scope_filter(self.model, current_scope()))
