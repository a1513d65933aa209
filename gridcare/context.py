"""Who is acting, from where, over which part of the district: set once per request (or task), read by the
scoped managers and by the audit log. Outside any request (shell commands, tasks, tests' setup) nothing is set,
which means the whole system acts (`Scope.everything`)."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """The subtree of areas a user may see: codes starting with `code`. `code=None` sees everything; `empty`
    sees nothing (an anonymous request on a page that did not open a public scope)."""

    code: str | None = None
    area_id: int | None = None
    is_grid: bool = False
    empty: bool = False

    @classmethod
    def everything(cls):
        return cls()

    @classmethod
    def nothing(cls):
        return cls(empty=True)

    def covers(self, area_code):
        if self.empty:
            return False
        return self.code is None or area_code.startswith(self.code)


@dataclass(frozen=True)
class Actor:
    user: object = None
    ip: str | None = None
    scope: Scope = Scope()


_SYSTEM = Actor()
_current = ContextVar("gridcare_actor", default=_SYSTEM)  # noqa: B039 (Actor is frozen)


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


@contextmanager
def system_scope():
    """For public pages and services that must see across areas (deduplicating an ID number district-wide,
    a resident's help request). Keeps who and where for the audit log; lifts only the area filter."""
    actor = current_actor()
    with acting_as(Actor(user=actor.user, ip=actor.ip, scope=Scope.everything())):
        yield


@contextmanager
def narrowed_to(area):
    """Narrows the current scope to `area`'s subtree (for "?area=" filters), so every scoped query, searches
    included, stays inside it. Never widens: an area outside the current scope sees nothing."""
    actor = current_actor()
    scope = actor.scope
    if scope.covers(area.code):
        scope = Scope(code=area.code, area_id=area.pk, is_grid=len(area.code) == 15)
    else:
        scope = Scope.nothing()
    with acting_as(Actor(user=actor.user, ip=actor.ip, scope=scope)):
        yield
