"""Limits counted in the shared cache (settings.CACHES: the database cache by default, Redis when configured), so
that every gunicorn worker and every machine counts against the same number.

`hit()` counts one use in a fixed window with `cache.add` + `cache.incr`: `add` is atomic in every backend (the
database cache relies on the table's primary key), `incr` is atomic in Redis and in `core.cache.DatabaseCache`
(Django's own database cache reads, then writes). `exclusive()` is a short mutex on the same store, for a
check-then-act that must not run twice at once (a login's lock-out check and its password check)."""

import hashlib
import time
import uuid
from contextlib import contextmanager

from django.core.cache import cache


def _key(kind, name, ident, *extra):
    digest = hashlib.sha256(str(ident).encode()).hexdigest()[:32]
    return ":".join(["gc", kind, name, digest, *map(str, extra)])


def hit(name, ident, *, limit, window):
    """Counts one use of `name` by `ident` (an address, a username) in the current window of `window` seconds and
    answers whether it is still within `limit`. Uses past the limit are counted too (they answer False)."""
    key = _key("limit", name, ident, int(time.time() // window))
    for _attempt in range(3):
        cache.add(key, 0, window + 60)
        try:
            return cache.incr(key) <= limit
        except ValueError:  # culled between add and incr: add it again
            continue
    return False


def used(name, ident, *, window):
    """How many uses `hit()` counted for `ident` in the current window (for pages and tests)."""
    return cache.get(_key("limit", name, ident, int(time.time() // window)), 0)


@contextmanager
def exclusive(name, ident, *, hold=10, wait=5.0, poll=0.05):
    """Holds a mutex on `name`/`ident` for the block; yields True when it got it, False after waiting `wait`
    seconds in vain (the caller refuses then). A holder that dies frees it after `hold` seconds."""
    key = _key("lock", name, ident)
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    got = cache.add(key, token, hold)
    while not got and time.monotonic() < deadline:
        time.sleep(poll)
        got = cache.add(key, token, hold)
    try:
        yield got
    finally:
        if got and cache.get(key) == token:
            cache.delete(key)


class LimitReached(Exception):
    """A use past its limit. Its message, in the user's language, says which limit and when to try again; pages
    answer it with the 429 page (gridcare.errors.LimitPages), the API with a 429 JSON body."""
