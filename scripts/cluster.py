#!/usr/bin/env python
"""`make cluster`: gridcare as it runs past one machine, on this one, on loopback only.

    scripts/cluster.py up [--web 2] [--workers 2] [--residents 30000]
    scripts/cluster.py web N        restarts the web tier with N processes (the load test's knob)
    scripts/cluster.py status
    scripts/cluster.py down         stops everything (the data stays in var/cluster; `rm -rf var/cluster` for new)

What runs: a PostgreSQL primary of its own (127.0.0.1:5442) and a streaming replica of it (127.0.0.1:5443, copied
with pg_basebackup, hot standby) — both in var/cluster, so the machine's own PostgreSQL is left alone; N web
processes (gunicorn, one sync worker each, on 127.0.0.1:8101…, production settings, sharing nothing but the
databases and Redis, as separate machines would); M RQ task workers on Redis (127.0.0.1:6379, database 7, also the
shared cache for limits and lock-outs); one scheduler. Dashboards, coverage and exports read from the replica
(DATABASE_REPLICA_URL, core/replica.py). The demo district is built once, with logins password `cluster-demo-1`.
"""

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from gridcare.management.commands.serve import TASK_WORKER_COMMANDS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOME = ROOT / "var" / "cluster"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PRIMARY_PORT, REPLICA_PORT = 5442, 5443
WEB_PORT = 8101  # the first web process; the next ones count up
REDIS_URL = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/7")
PASSWORD = "cluster-demo-1"
STATE = HOME / "processes.json"


def environment():
    """The settings every process of the cluster runs with (production settings over plain HTTP on loopback)."""
    key_file = HOME / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gridcare.settings",
        "GRIDCARE_PRODUCTION": "1",
        "SECRET_KEY": key_file.read_text(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/gridcare",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/gridcare",
        "TASK_BACKEND": "rq",
        "REDIS_URL": REDIS_URL,
        "CACHE_URL": REDIS_URL,
        "GRIDCARE_VAR_DIR": str(HOME / "var"),
    }


def as_postgres(argv, **kwargs):
    """PostgreSQL refuses to run as root: as root, its tools run as the postgres OS user."""
    if os.getuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    return subprocess.run([str(a) for a in argv], check=True, **kwargs)


def pg_start(directory, port):
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={directory} -c max_connections=200 "
        "-c shared_buffers=1GB -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on"
    )
    as_postgres([PG_BIN / "pg_ctl", "-D", directory, "-l", directory / "server.log", "-w", "-o", options, "start"])


def pg_running(directory):
    return (directory / "postmaster.pid").exists()


def databases_up():
    """The primary (made and filled on first use) and its replica (copied from the primary on first use)."""
    primary, replica = HOME / "primary", HOME / "replica"
    fresh = not (primary / "PG_VERSION").exists()
    if fresh:
        _postgres_dir(primary)
        # initdb's pg_hba.conf trusts local and loopback connections, replication ones included.
        as_postgres(
            [PG_BIN / "initdb", "-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            stdout=subprocess.DEVNULL,
        )
    if not pg_running(primary):
        pg_start(primary, PRIMARY_PORT)
    env = environment()
    if fresh:
        _psql(PRIMARY_PORT, "CREATE DATABASE gridcare")
    _gridcare(env, "migrate", "--no-input", "-v0")  # the code may be newer than the database
    if not (replica / "PG_VERSION").exists():
        _postgres_dir(replica)
        as_postgres(
            [PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", PRIMARY_PORT, "-U", "postgres", "-D", replica]
            + ["-R", "-X", "stream", "-c", "fast"]
        )
    if not pg_running(replica):
        pg_start(replica, REPLICA_PORT)
    return fresh


def _postgres_dir(directory):
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    if os.getuid() == 0:
        subprocess.run(["chown", "postgres:", str(directory)], check=True)


def _psql(port, sql):
    subprocess.run([PG_BIN / "psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-qtAc", sql], check=True)


def _gridcare(env, *args, **kwargs):
    return subprocess.run([str(BIN / "gridcare"), *args], env=env, cwd=ROOT, check=True, **kwargs)


def demo_build(residents):
    _gridcare(
        environment(),
        "demo",
        "--residents",
        str(residents),
        "--seed",
        "1",
        "--password",
        PASSWORD,
        "--reset",
        "--url",
        f"http://127.0.0.1:{WEB_PORT}/",
    )


def processes():
    return json.loads(STATE.read_text()) if STATE.exists() else {}


def _save(state):
    STATE.write_text(json.dumps(state, indent=1))


def _spawn(name, argv):
    log = open(HOME / f"{name}.log", "ab")
    child = subprocess.Popen(
        argv, env=environment(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    return child.pid


def web_ports(count):
    return [WEB_PORT + n for n in range(count)]


def web_start(count):
    """Stops the web processes there are and starts `count` (gunicorn, one sync worker each)."""
    state = processes()
    for name in [n for n in state if n.startswith("web")]:
        _stop(state.pop(name))
    for n, port in enumerate(web_ports(count), 1):
        argv = [sys.executable, "-m", "gunicorn", "gridcare.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"]
        state[f"web{n}"] = _spawn(f"web{n}", argv + ["--graceful-timeout", "5", "--error-logfile", "-"])
    _save(state)
    for port in web_ports(count):
        _wait_ready(port)


def workers_start(count):
    state = processes()
    for n in range(1, count + 1):
        state[f"worker{n}"] = _spawn(f"worker{n}", [sys.executable, "-m", "django", *TASK_WORKER_COMMANDS["rq"]])
    state["scheduler"] = _spawn("scheduler", [sys.executable, "-m", "django", "scheduler"])
    _save(state)


def _wait_ready(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the web process on port {port} is not ready after {timeout} s (see {HOME}/web*.log)")


def _stop(pid):
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


def up(web, workers, residents):
    HOME.mkdir(parents=True, exist_ok=True)
    down(keep_databases=True)
    if databases_up() or not (HOME / "demo-built").exists():
        demo_build(residents)
        (HOME / "demo-built").write_text(str(residents))
    env = environment()
    _gridcare(env, "collectstatic", "--noinput", "-v0")
    workers_start(workers)
    web_start(web)
    print(f"cluster up: web {', '.join(f'http://127.0.0.1:{p}/' for p in web_ports(web))}; {workers} RQ workers;")
    print(f"  primary 127.0.0.1:{PRIMARY_PORT}, replica 127.0.0.1:{REPLICA_PORT}; logins: demo users / {PASSWORD}")


def down(keep_databases=False):
    state = processes()
    for pid in state.values():
        _stop(pid)
    _save({})
    if not keep_databases:
        for directory in (HOME / "replica", HOME / "primary"):
            if pg_running(directory):
                as_postgres([PG_BIN / "pg_ctl", "-D", directory, "-m", "fast", "-w", "stop"])


def status():
    for name, pid in processes().items():
        try:
            os.killpg(pid, 0)
            alive = "running"
        except ProcessLookupError:
            alive = "stopped"
        print(f"{name:<10} pid {pid:<8} {alive}")
    for directory, port in ((HOME / "primary", PRIMARY_PORT), (HOME / "replica", REPLICA_PORT)):
        print(f"{directory.name:<10} 127.0.0.1:{port} {'running' if pg_running(directory) else 'stopped'}")
    if pg_running(HOME / "replica"):
        _psql(REPLICA_PORT, "SELECT 'replica lag: ' || coalesce((now() - pg_last_xact_replay_timestamp())::text, '-')")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up")
    start.add_argument("--web", type=int, default=2)
    start.add_argument("--workers", type=int, default=2)
    start.add_argument("--residents", type=int, default=30000)
    commands.add_parser("web").add_argument("count", type=int)
    commands.add_parser("status")
    commands.add_parser("down")
    args = parser.parse_args()
    if args.command == "up":
        up(args.web, args.workers, args.residents)
    elif args.command == "web":
        web_start(args.count)
    elif args.command == "status":
        status()
    else:
        down()


if __name__ == "__main__":
    main()
