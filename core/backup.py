"""`gridcare backup` / `gridcare restore`: the whole database to one file and back.

SQLite: the online backup API (`sqlite3.Connection.backup`), page by page under SQLite's own locking, so a backup
taken while the app writes is a consistent snapshot; a restore copies the file into the live database the same way.
PostgreSQL: `pg_dump -Fc` and `pg_restore --clean --if-exists --no-owner --single-transaction` (all or nothing,
in an order that drops the partitioned tables' keys cleanly: `_restore_order`), with the connection of
settings.DATABASES and the password in PGPASSWORD, never on the command line. A file says which engine wrote it by
its first bytes, so a restore refuses the other engine's file."""

import getpass
import os
import re
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditEvent

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
SUFFIX = {"sqlite": "sqlite3", "postgresql": "dump"}


class BackupError(Exception):
    """What an operator must fix: a file of the other engine, not a backup, a failed pg_dump."""


def backup_default_path(vendor):
    """var/backups/gridcare-<engine>-<local time>.<sqlite3|dump>."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"gridcare-{vendor}-{stamp}.{SUFFIX[vendor]}"


def file_engine(path):
    """ "sqlite" or "postgresql" by the file's first bytes, or None."""
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return None


def database_backup(path=None, *, using="default"):
    """Writes the database to `path` (default: backup_default_path), audits it, returns (path, size in bytes).
    The file appears only when complete (written beside it, then renamed)."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in SUFFIX:
        raise BackupError(f"no backup for the {vendor} engine")
    path = Path(path) if path else backup_default_path(vendor)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if vendor == "sqlite":
            _sqlite_backup(connection, partial)
        else:
            _pg_run(["pg_dump", "--format=custom", f"--file={partial}"], settings.DATABASES[using])
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    size = path.stat().st_size
    detail = {"path": str(path.resolve()), "bytes": size, "engine": vendor}
    audit_record(AuditEvent.Action.BACKUP, summary=f"{path.name} ({size} bytes)", detail=detail, actor_name=_who())
    return path, size


def database_restore(path, *, using="default"):
    """Replaces the database's content with the backup at `path`, audits it (in the restored database), returns
    table_counts(). Refuses a file that is not a backup of this engine."""
    path = Path(path)
    connection = connections[using]
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    engine = file_engine(path)
    if engine is None:
        raise BackupError(f"{path} is not a gridcare backup (neither an SQLite database nor a pg_dump -Fc file)")
    if engine != connection.vendor:
        raise BackupError(
            f"{path} is a {engine} backup; this database is {connection.vendor}: restore it into a {engine} "
            f"database (DATABASE_URL), or move the data with dumpdata/loaddata"
        )
    if engine == "sqlite":
        _sqlite_restore(connection, path)
    else:
        connection.close()  # pg_restore drops and recreates the tables: no session of ours holds them meanwhile
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"]
        with tempfile.NamedTemporaryFile("w", suffix=".list") as order:
            order.write(_restore_order(path))
            order.flush()
            _pg_run([*command, f"--use-list={order.name}", str(path)], settings.DATABASES[using])
    counts = table_counts(using)
    detail = {"path": str(path.resolve()), "engine": engine, "rows": key_counts(counts)}
    audit_record(AuditEvent.Action.RESTORE, summary=path.name, detail=detail, actor_name=_who())
    return counts


def table_counts(using="default"):
    """{model label: rows} for every model with a table of its own in the database (a backup older than the code
    may lack some: `gridcare migrate` adds them)."""
    tables = set(connections[using].introspection.table_names())
    counts = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in tables:
            counts[model._meta.label] = model._base_manager.using(using).count()
    return counts


def migrations_unapplied(using="default"):
    """How many of the code's migrations the (restored) database has not applied."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[using])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def key_counts(counts, largest=5):
    """The users, the audit log and the `largest` other tables: what an operator glances at after a restore."""
    keys = [settings.AUTH_USER_MODEL, AuditEvent._meta.label]
    others = sorted((label for label in counts if label not in keys), key=lambda label: -counts[label])
    return {label: counts[label] for label in [*keys, *others[:largest]] if label in counts}


def _sqlite_backup(connection, target):
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


def _sqlite_restore(connection, path):
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} is a damaged SQLite database (PRAGMA quick_check)")
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "django_migrations" not in tables:
            raise BackupError(f"{path} is an SQLite database, but not a gridcare one (no django_migrations)")
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


_ATTACHED = re.compile(r"^\d+; \d+ \d+ TABLE ATTACH (\S+) (\S+) ")
_CONSTRAINT = re.compile(r"^\d+; \d+ \d+ CONSTRAINT (\S+) (\S+) ")


def _restore_order(path):
    """The archive's table of contents (`pg_restore --list`) with the partitions' own constraints (their share of
    the partitioned tables' keys, core/partitions.py) moved before the first constraint. `--clean` drops in the
    reverse order, and PostgreSQL refuses to drop a partition's constraint while its table's stands (PostgreSQL
    15's pg_dump asks it to, first); dropped after the table's, it is gone already (IF EXISTS), and made before
    it, it is attached to it as pg_dump intends."""
    listed = subprocess.run(  # noqa: S603
        ["pg_restore", "--list", str(path)], capture_output=True, text=True, check=False
    )
    if listed.returncode:
        raise BackupError(f"pg_restore --list failed ({listed.returncode}): {listed.stderr.strip()[-2000:]}")
    lines = listed.stdout.splitlines()
    partitions = {match.groups() for line in lines if (match := _ATTACHED.match(line))}

    def of_partition(line):
        match = _CONSTRAINT.match(line)
        return match is not None and match.groups() in partitions

    moved, rest = [line for line in lines if of_partition(line)], [line for line in lines if not of_partition(line)]
    first = next((n for n, line in enumerate(rest) if _CONSTRAINT.match(line)), len(rest))
    return "\n".join([*rest[:first], *moved, *rest[first:]]) + "\n"


def _pg_run(command, database):
    """Runs pg_dump/pg_restore against `database` (a settings.DATABASES entry), the password in PGPASSWORD."""
    env = dict(os.environ)  # libpq's own PG* variables and ~/.pgpass apply, as they do to Django's connection
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    options = database.get("OPTIONS", {})
    if options.get("sslmode"):
        env["PGSSLMODE"] = options["sslmode"]
    arguments = [f"--dbname={database['NAME']}", "--no-password"]
    if database.get("HOST"):
        arguments.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        arguments.append(f"--port={database['PORT']}")
    if database.get("USER"):
        arguments.append(f"--username={database['USER']}")
    with tempfile.TemporaryFile() as errors:
        result = subprocess.run([*command, *arguments], env=env, stderr=errors, check=False)  # noqa: S603
        if result.returncode:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip()
            raise BackupError(f"{command[0]} failed ({result.returncode}): {message[-2000:]}")


def _who():
    """The operating-system user who ran the command (a command acts as the system, no user of ours)."""
    try:
        return f"{getpass.getuser()} (command)"
    except (KeyError, OSError):
        return "(command)"
