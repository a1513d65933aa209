"""The one mechanism for writes, as core.scoping is for reads.

A service that changes something on a user's behalf is declared with the permission it needs:

    @writes("care.change_helprequest")
    def help_request_step(request, step, *, by, note=""): ...

Before the body runs, the current actor (core.context) must hold that permission — else PermissionDenied (403) —
and every area-bound model instance passed in must be inside the actor's scope — else NotInScope (404, "not
found", as a read would answer). However the caller fetched the object (a view, the API, the admin, a task), the
service refuses what the actor may not change, so no view has to remember. Services that create rows in an area
take that area (or a grid, a household, a person) as an argument, so the same check covers creation.

A service that must change rows outside the actor's area on purpose (a desk samples whoever comes) fetches them
through `all_objects` and says why in its docstring. `WRITE_SERVICES` lists every declared service with its
permission, for docs/ROLES.md.
"""

import functools
from itertools import chain

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.context import current_actor

WRITE_SERVICES = {}  # "module.function" -> permission


class NotInScope(Http404):
    """The object is outside the actor's area: answered like an object that does not exist."""


def require(perm):
    """PermissionDenied unless the current actor holds `perm`."""
    if not current_actor().may(perm):
        raise PermissionDenied(f"missing permission {perm}")


def in_scope(obj):
    """Whether the current actor's scope covers `obj` (objects not bound to an area always are)."""
    model = type(obj)
    if not hasattr(model, "area_path") or obj.pk is None:
        return True
    if current_actor().scope.code is None and not current_actor().scope.empty:
        return True
    return model.objects.filter(pk=obj.pk).exists()


def require_in_scope(*objects):
    for obj in objects:
        if isinstance(obj, models.Model) and not in_scope(obj):
            raise NotInScope(f"{type(obj)._meta.label} {obj.pk} is not in your area")


def writes(perm):
    """Declares a write service: checks `perm` and the scope of every model instance argument, then runs it."""

    def declare(service):
        WRITE_SERVICES[f"{service.__module__}.{service.__name__}"] = perm

        @functools.wraps(service)
        def checked(*args, **kwargs):
            require(perm)
            require_in_scope(*chain(args, kwargs.values()))
            return service(*args, **kwargs)

        checked.permission = perm
        return checked

    return declare


def writable(model_or_queryset, perm, **lookup):
    """The object to change, fetched through the scoped manager (404 outside the area) after checking `perm`
    (403): for views and handlers that change an object through a service."""
    require(perm)
    queryset = model_or_queryset
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset.objects.all()
    return get_object_or_404(queryset, **lookup)
