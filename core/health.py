"""Liveness and readiness for a load balancer or an orchestrator (/healthz, /readyz; views in core.views).

Live: the process answers, nothing else is touched. Ready: the database answers `SELECT 1` and the task queue's
broker is reachable — for the database task backend that is its table in the same database, for RQ a Redis PING;
the immediate backend (tests) has none. Each check answers "ok" or "failed"; the answer is public, so what went
wrong (a host, a port, a database name) goes to the log, not to the world."""

import logging

from django.conf import settings
from django.db import connections

OK, FAILED = "ok", "failed"
logger = logging.getLogger(__name__)


def database_check(alias="default"):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 (any failure is an answer: not ready)
        return _failure("database", exc)
    return OK


def tasks_broker_check():
    backend = settings.TASKS["default"]["BACKEND"]
    try:
        if "rq" in backend.lower():
            import redis

            url = settings.RQ_QUEUES["default"]["URL"]
            redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
        elif "database" in backend.lower():
            from django_tasks_db.models import DBTaskResult

            with connections[DBTaskResult.objects.db].cursor() as cursor:
                cursor.execute(f"SELECT 1 FROM {DBTaskResult._meta.db_table} LIMIT 1")
                cursor.fetchall()
    except Exception as exc:  # noqa: BLE001
        return _failure("tasks", exc)
    return OK


def readiness():
    """({check: "ok" or the error}, ready). The database first: the broker of the database backend is in it."""
    checks = {"database": database_check()}
    checks["tasks"] = tasks_broker_check()
    return checks, all(answer == OK for answer in checks.values())


def _failure(check, exc):
    logger.warning("readiness: %s check failed: %s: %s", check, type(exc).__name__, exc)
    return FAILED
