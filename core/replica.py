"""Reads from a PostgreSQL streaming replica, when one is configured (DATABASE_REPLICA_URL), for the heavy read-only
pages: the dashboard's tile counts, the coverage pages and the exports' rows.

Nothing reads from the replica unless it asks to: `on_replica(fn, …)` runs fn inside `replica_reads()`, and only
there does the router (ReplicaRouter) answer "replica" — and only if, when the block starts, the replica is
configured, healthy (reachable, and its replay lag under REPLICA_MAX_LAG_SECONDS: a cached check) and the acting
user has not written in the last REPLICA_STICKY_SECONDS (read-your-writes: RequestContextMiddleware marks the user
on each successful POST/PUT/PATCH/DELETE). Writes, migrations and the database cache always use the primary.

A replica that fails mid-way never breaks the page: `on_replica` marks it down for REPLICA_RETRY_SECONDS, closes
the connection and runs fn again on the primary; until the retry time passes nobody tries it again."""

import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections

from core.context import current_actor

REPLICA = "replica"
CHECK_SECONDS = 5  # how long a healthy (or lagging) answer of the check is trusted
_reading = ContextVar("gridcare_replica_reads", default=False)
# Per process: {"until": time.time() when the answer expires, "healthy": bool}. Races only repeat a check.
_state = {"until": 0.0, "healthy": False}

# A replica that replays nothing because the primary writes nothing is not behind: its last replayed
# transaction is old, but it has replayed all it received — if it is still receiving. One cut off from the primary
# (or whose user may not see pg_stat_wal_receiver) is as far behind as its last replayed transaction.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
        AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


class ReplicaRouter:
    """Reads go to the replica only inside replica_reads() (decided when the block starts); everything else,
    the database cache's reads included, goes to default."""

    def db_for_read(self, model, **hints):
        if _reading.get() and _state["healthy"] and model._meta.app_label != "django_cache":
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def replica_configured():
    return REPLICA in connections


def replica_lag(alias=REPLICA):
    """Seconds the replica's replay is behind (0 on a server not in recovery: a test mirror, the primary)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def replica_healthy():
    """The cached check: reachable (connect_timeout is short) and lag under REPLICA_MAX_LAG_SECONDS. A failure
    leaves the replica alone for REPLICA_RETRY_SECONDS; an answer either way is kept CHECK_SECONDS."""
    now = time.time()
    if now < _state["until"]:
        return _state["healthy"]
    try:
        lag = replica_lag()
    except Exception:  # noqa: BLE001 (whatever stops the check — down, refused, not allowed — means "not now")
        replica_down()
        return False
    _state.update(until=now + CHECK_SECONDS, healthy=lag <= settings.REPLICA_MAX_LAG_SECONDS)
    return _state["healthy"]


def replica_down():
    """Marks the replica down for REPLICA_RETRY_SECONDS and drops its connection."""
    _state.update(until=time.time() + settings.REPLICA_RETRY_SECONDS, healthy=False)
    try:
        connections[REPLICA].close()
    except Exception:  # noqa: BLE001, S110 (closing a broken connection may fail too: it is gone either way)
        pass


def replica_reset():
    """Forgets the check's answer (tests, and an operator who has just brought the replica back)."""
    _state.update(until=0.0, healthy=False)


def _sticky_key(user_id):
    return f"replica:wrote:{user_id}"


def replica_mark_write(user):
    """Read-your-writes: `user` has just changed something, so their reads stay on the primary for
    REPLICA_STICKY_SECONDS. Called by RequestContextMiddleware on every successful unsafe request."""
    if replica_configured() and user is not None and user.is_authenticated:
        cache.set(_sticky_key(user.pk), 1, settings.REPLICA_STICKY_SECONDS)


def _sticky():
    user = current_actor().user
    return user is not None and user.is_authenticated and cache.get(_sticky_key(user.pk)) is not None


@contextmanager
def replica_reads():
    """Reads inside the block go to the replica if it may be used now (configured, healthy, the acting user not
    within their read-your-writes window); otherwise to default, as everywhere else."""
    use = replica_configured() and replica_healthy() and not _sticky()
    token = _reading.set(use)
    try:
        yield use
    finally:
        _reading.reset(token)


def _raised_by_replica(exc):
    """Whether the error came from this thread's replica connection (a frame of its DatabaseWrapper or of one of
    its cursors on the way), not from the primary."""
    wrapper = connections[REPLICA]
    tb = exc.__traceback__
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        if owner is wrapper or getattr(owner, "db", None) is wrapper:
            return True
        tb = tb.tb_next
    return False


def on_replica(fn, *args, **kwargs):
    """fn(*args, **kwargs) with its reads on the replica when it may be used; if the replica fails on the way, it
    is marked down and fn runs again, on the primary."""
    with replica_reads() as use:
        if not use:
            return fn(*args, **kwargs)
        try:
            return fn(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            if not _raised_by_replica(exc):
                raise
    replica_down()
    token = _reading.set(False)  # an outer replica_reads() block too reads from the primary now
    try:
        return fn(*args, **kwargs)
    finally:
        _reading.reset(token)
