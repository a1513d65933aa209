"""Who is acting, from where, over which part of the district, and with what authority: set once per request (the
middleware) or task, read by the scoped managers, the write checks (core.access) and the audit log.

It fails closed: where nothing was set — a thread, a task that forgot, a queryset evaluated outside any request —
the actor is nobody and sees nothing. Commands, tasks and the demo say explicitly that the system acts
(`system_actor()`), and so does the one service a public form calls."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """The subtree of areas a user may see: codes starting with `code`. `code=None` sees everything; `empty`
    sees nothing. `owner_id`, for a role that acts on its own rows only (a volunteer), narrows every model that
    declares `owner_filter(user_id)` to the rows that user owns, inside the area."""

    code: str | None = None
    area_id: int | None = None
    is_grid: bool = False
    empty: bool = False
    owner_id: int | None = None

    @classmethod
    def everything(cls):
        return cls()

    @classmethod
    def nothing(cls):
        return cls(empty=True)

    @classmethod
    def of_area(cls, area):
        return cls(code=area.code, area_id=area.pk, is_grid=len(area.code) == 15)

    def covers(self, area_code):
        if self.empty:
            return False
        return self.code is None or area_code.startswith(self.code)


@dataclass(frozen=True)
class Actor:
    """`allowed`, when set, narrows the user's permissions further (an API token made read-only or desk-only).
    `system` is the system itself (a command, a scheduled job, a public form's own service) and may do anything
    its code asks for; a user never is."""

    user: object = None
    ip: str | None = None
    scope: Scope = Scope(empty=True)
    system: bool = False
    allowed: frozenset | None = None

    def may(self, perm):
        if self.system:
            return True
        user = self.user
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if self.allowed is not None and perm not in self.allowed:
            return False
        return user.has_perm(perm)

    def replace(self, **changes):
        fields = {"user": self.user, "ip": self.ip, "scope": self.scope, "system": self.system, "allowed": self.allowed}
        return Actor(**(fields | changes))


NOBODY = Actor()
SYSTEM = Actor(scope=Scope.everything(), system=True)
_current = ContextVar("gridcare_actor", default=NOBODY)  # noqa: B039 (Actor is frozen)


def current_actor():
    return _current.get()


def current_scope():
    return _current.get().scope


@contextmanager
def acting_as(actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def system_actor():
    """The system acts, unscoped and unrestricted: for commands, scheduled jobs, the demo, test setup, the one
    service a public form calls, and a step a service takes on the register's behalf (a desk registering a person
    its medic may not). Who and from where stay, for the audit log."""
    actor = current_actor()
    return acting_as(SYSTEM.replace(user=actor.user, ip=actor.ip))


@contextmanager
def system_scope():
    """For reads that must see across areas on purpose (deduplicating an ID number district-wide). Keeps who,
    where and what they may do; lifts only the area filter."""
    actor = current_actor()
    with acting_as(actor.replace(scope=Scope.everything())):
        yield


@contextmanager
def narrowed_to(area):
    """Narrows the current scope to `area`'s subtree (for "?area=" filters and sub-area tokens), so every scoped
    query stays inside it. Never widens: an area outside the current scope sees nothing."""
    actor = current_actor()
    scope = Scope.of_area(area) if actor.scope.covers(area.code) else Scope.nothing()
    with acting_as(actor.replace(scope=scope)):
        yield


def user_actor(user, ip=None):
    """The actor a request of `user` would have (their area's scope, their role's permissions), for a task that
    works on a user's behalf: what it reads is what that user may see. Built by settings.ACTOR_FOR_USER, since
    core knows no app (accounts.services.actor_for)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.ACTOR_FOR_USER)(user, ip)


def scope_meet(one, other):
    """The part of the district both scopes see (the narrower of two nested subtrees; nothing if they are apart),
    owner-bound if either is."""
    owner_id = one.owner_id if one.owner_id is not None else other.owner_id
    if one.empty or other.empty:
        return Scope.nothing()
    if other.code is None or (one.code is not None and one.code.startswith(other.code)):
        narrower = one
    elif one.code is None or other.code.startswith(one.code):
        narrower = other
    else:
        return Scope.nothing()
    return Scope(code=narrower.code, area_id=narrower.area_id, is_grid=narrower.is_grid, owner_id=owner_id)
