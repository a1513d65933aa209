"""`gridcare backup` and `gridcare restore` on the database the tests run on (SQLite's file, PostgreSQL's test
database): a district's data, backed up, wiped, restored — every model's row count is back and its users log in."""

import sqlite3
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import PASSWORD
from core.backup import file_engine, table_counts
from core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)
AUDIT = AuditEvent._meta.label


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def district(users, make_person):
    for grid in ("A", "A", "B", "C", "D"):
        make_person(grid)
    return users


def test_backup_wipe_restore_gives_every_row_back(district, client, tmp_path):
    before = table_counts()
    assert before["registry.Person"] == 5 and before["accounts.User"] == 12 and before[AUDIT] >= 5
    path = tmp_path / "nightly.bak"

    printed = run("backup", str(path))
    assert printed.startswith(str(path)) and f"{path.stat().st_size} bytes" in printed
    assert file_engine(path) == connection.vendor
    assert AuditEvent.objects.filter(action=AuditEvent.Action.BACKUP, detail__bytes=path.stat().st_size).exists()

    call_command("flush", interactive=False, verbosity=0)
    assert table_counts()["registry.Person"] == 0 and table_counts()["accounts.User"] == 0

    printed = run("restore", str(path), "--yes")
    assert "accounts.User" in printed and "12" in printed
    after = table_counts()
    # What the file held, and the restore's own audit row (the backup's was written after its file).
    assert after == {**before, AUDIT: before[AUDIT] + 1}
    [restored] = AuditEvent.objects.filter(action=AuditEvent.Action.RESTORE)
    assert restored.detail["rows"]["accounts.User"] == 12
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.BACKUP).exists()

    assert client.login(username="dana", password=PASSWORD)
    assert client.get("/").status_code == 200


def test_backup_goes_to_var_backups_by_default(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    printed = run("backup")
    [path] = (tmp_path / "backups").iterdir()
    suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
    assert path.name.startswith(f"gridcare-{connection.vendor}-") and path.suffix == f".{suffix}"
    assert printed.startswith(str(path))
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no partial file left


def test_restore_refuses_without_yes_another_engine_and_what_is_no_backup(district, tmp_path):
    path = tmp_path / "real.bak"
    run("backup", str(path))
    with pytest.raises(CommandError, match="--yes"):
        run("restore", str(path))

    other = tmp_path / "other.bak"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
    else:
        sqlite3.connect(other).execute("CREATE TABLE django_migrations (id integer)").connection.close()
    with pytest.raises(
        CommandError, match=f"is a {'postgresql' if connection.vendor == 'sqlite' else 'sqlite'} backup"
    ):
        run("restore", str(other), "--yes")

    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    with pytest.raises(CommandError, match="not a gridcare backup"):
        run("restore", str(junk), "--yes")
    with pytest.raises(CommandError, match="no such file"):
        run("restore", str(tmp_path / "missing.bak"), "--yes")
    assert table_counts()["registry.Person"] == 5  # nothing was touched
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RESTORE).exists()
