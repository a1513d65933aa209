"""`make bench` (`python -m bench.run`): builds the demo district on a fresh SQLite file and a fresh PostgreSQL
database, runs every bench/bench_*.py module against each, and rewrites docs/BENCHMARKS.md.

Each database is measured in a subprocess of its own, because Django's settings (DATABASE_URL) are fixed when a
process starts. The subprocess writes its results as JSON; this process writes the report.

Options: --residents N (default 365,000), --only TOPIC[,TOPIC] (bench modules to run, e.g. `registry`; `none`
runs only the build), --databases sqlite,postgres, --no-report (print only; leaves docs/BENCHMARKS.md alone),
--reuse (measure the district an earlier run built, if there is one, instead of building it again: for working on
one topic; the build time is then not measured)."""

import argparse
import importlib
import io
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench.common import BENCH_PASSWORD, Result

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "BENCHMARKS.md"
HISTORY = ROOT / "bench" / "history.md"
SQLITE_FILE = ROOT / "var" / "bench.sqlite3"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/gridcare_bench")
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
BUILD_TARGET_S = 60
PHASE = re.compile(r"^  (\w+: [\d.]+ s)$", re.MULTILINE)  # "  register: 29.2 s", printed by `gridcare demo`


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=365_000)
    parser.add_argument("--only", default="", help="comma-separated bench topics (bench_<topic>.py); 'none' for none")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="measure the district an earlier run built")
    parser.add_argument("--child", choices=sorted(LABELS), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    results, notes, versions = [], [], {}
    for database in args.databases.split(","):
        url, note = prepare(database, reuse=args.reuse)
        if url is None:
            notes.append(f"{LABELS[database]}: skipped ({note})")
            print(notes[-1])
            continue
        database_results, version = measure(database, url, args)
        results += database_results
        versions[database] = version
    for r in results:
        print(f"{r.database:<11} {r.name:<58} {format_value(r):>14}  {r.target:<12} {'pass' if r.ok else 'FAIL'}")
    if not args.no_report:
        REPORT.write_text(report(results, notes, versions, args), encoding="utf-8")
        print(f"wrote {REPORT.relative_to(ROOT)}")
    return 0 if all(r.ok for r in results) else 1


def prepare(database, reuse=False):
    """A fresh, empty database (or, with `reuse`, the one there is): (DATABASE_URL, None), or (None, why not)."""
    if database == "sqlite":
        SQLITE_FILE.parent.mkdir(exist_ok=True)
        if reuse and SQLITE_FILE.exists():
            return f"sqlite:///{SQLITE_FILE}", None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_FILE}", None
    if database == "postgres":
        import psycopg

        base, name = POSTGRES_URL.rsplit("/", 1)
        try:
            with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
                if reuse and conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                    return POSTGRES_URL, None
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            return None, f"PostgreSQL unreachable at {base}: {str(exc).strip().splitlines()[0]}"
        return POSTGRES_URL, None
    raise SystemExit(f"unknown database {database!r} (sqlite, postgres)")


def measure(database, url, args):
    """Runs the child for one database; a crash becomes one failed row rather than the end of the run."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        out_path = out.name
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TASK_BACKEND": "immediate",
        "DJANGO_SETTINGS_MODULE": "gridcare.settings",
    }
    argv = [sys.executable, "-m", "bench.run", "--child", database, "--out", out_path]
    argv += ["--residents", str(args.residents), "--only", args.only] + (["--reuse"] if args.reuse else [])
    doing = "measuring" if args.reuse else f"building {args.residents:,} residents and measuring"
    print(f"== {LABELS[database]}: {doing} …", flush=True)
    proc = subprocess.run(argv, cwd=ROOT, env=env)
    try:
        payload = json.loads(Path(out_path).read_text() or "{}")
    finally:
        Path(out_path).unlink(missing_ok=True)
    results = [Result(**r) for r in payload.get("results", [])]
    if proc.returncode != 0 and not results:
        results = [failed(LABELS[database], "benchmark run", f"the subprocess exited with {proc.returncode}")]
    return results, payload.get("version", "")


def failed(label, name, note):
    return Result(name=name, value=float("nan"), unit="", target="", ok=False, database=label, note=note)


def child(args):
    """In a process configured for one database: migrate, build the demo (timed), run the bench modules."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    label = LABELS[args.child]
    results = []
    payload = {"results": results, "version": ""}

    def save():
        Path(args.out).write_text(json.dumps({**payload, "results": [r.as_dict() for r in results]}))

    call_command("migrate", interactive=False, verbosity=0)
    payload["version"] = database_version(connection)
    if args.reuse and demo_built():
        print(f"   {label}: reusing the district already built", flush=True)
        return run_topics(args, label, results, save)
    log = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("demo", residents=args.residents, seed=1, password=BENCH_PASSWORD, stdout=log)
    except Exception:
        results.append(failed(label, build_name(args.residents), traceback.format_exc(limit=3).splitlines()[-1]))
        save()
        return 1
    seconds = time.perf_counter() - started
    phases = ", ".join(m.group(1) for m in PHASE.finditer(log.getvalue()))
    results.append(
        Result(
            name=build_name(args.residents),
            value=round(seconds, 1),
            unit="s",
            target=f"< {BUILD_TARGET_S} s",
            ok=seconds < BUILD_TARGET_S,
            database=label,
            note=f"{args.residents / seconds:,.0f} residents/s; {phases}",
        )
    )
    save()
    return run_topics(args, label, results, save)


def demo_built():
    from accounts.models import User

    return User.objects.filter(username="admin").exists()


def run_topics(args, label, results, save):
    for topic, module_name in bench_modules(args.only):
        print(f"   {label}: bench_{topic} …", flush=True)
        try:
            results += importlib.import_module(module_name).run(label)
        except Exception as exc:
            results.append(failed(label, f"bench_{topic}", f"{type(exc).__name__}: {exc}"[:300]))
        save()
    return 0


def build_name(residents):
    return f"building the {residents:,}-resident demo district (`gridcare demo`)"


def bench_modules(only):
    wanted = {t.strip() for t in only.split(",") if t.strip()}
    for path in sorted((ROOT / "bench").glob("bench_*.py")):
        topic = path.stem.removeprefix("bench_")
        if not wanted or topic in wanted:
            yield topic, f"bench.{path.stem}"


def database_version(connection):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return f"SQLite {sqlite3.sqlite_version}"


def format_value(r):
    if r.value != r.value:  # NaN: the measurement failed
        return "—"
    return f"{r.value:,.1f} {r.unit}" if isinstance(r.value, float) else f"{r.value:,} {r.unit}"


def machine():
    meminfo = Path("/proc/meminfo")
    memory = "unknown"
    if meminfo.exists():
        kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    return {
        "CPU cores (nproc)": str(os.cpu_count()),
        "memory": memory,
        "system": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": platform.python_version(),
        # The machine may be shared; a high load makes every number here slower than the code is.
        "load average (1/5/15 min) when the report was written": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def report(results, notes, versions, args):
    lines = [
        "# Benchmarks",
        "",
        f"`make bench` wrote this file on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"({args.residents:,} residents, seed 1).",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in machine().items()],
        *[f"- {version}" for version in versions.values()],
        "",
    ]
    for database in args.databases.split(","):
        rows = [r for r in results if r.database == LABELS.get(database)]
        if not rows:
            continue
        lines += [
            f"## {LABELS[database]}",
            "",
            "| what | result | target | pass/fail | note |",
            "|---|---|---|---|---|",
            *[
                f"| {r.name} | {format_value(r)} | {r.target} | {'pass' if r.ok else '**fail**'} | "
                f"{r.note.replace('|', '/')} |"
                for r in rows
            ],
            "",
        ]
    if notes:
        lines += ["## Not measured", "", *[f"- {note}" for note in notes], ""]
    if HISTORY.exists():  # before/after numbers of past changes, written by hand: a run must not lose them
        lines += [HISTORY.read_text(encoding="utf-8").strip(), ""]
    lines += [
        "## How to run",
        "",
        "```sh",
        "make bench                                   # everything, both databases; rewrites this file",
        ".venv/bin/python -m bench.run --residents 30000 --only registry --databases sqlite --no-report",
        ".venv/bin/python -m bench.run --reuse --only registry --no-report  # the district the last run built",
        "make load-test                               # locust against scripts/cluster.py, 1 then 2 web processes",
        "```",
        "",
        f"SQLite uses a fresh `var/{SQLITE_FILE.name}`; PostgreSQL the database in `BENCH_POSTGRES_URL` (default "
        f"`{POSTGRES_URL}`), dropped and recreated (skipped with a note if the server is unreachable). Each database "
        "is measured in its own process: migrate, build the demo district (seed 1, every demo user's password "
        "`bench.common.BENCH_PASSWORD`), then `run(database)` of every `bench/bench_<topic>.py` module. A module "
        "that raises becomes a failed row. Background tasks run inline (`TASK_BACKEND=immediate`). The machine may "
        "be shared: run it once, on an otherwise idle machine, for numbers worth quoting.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
