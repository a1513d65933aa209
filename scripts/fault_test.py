#!/usr/bin/env python
"""`make fault-test`: what a desk was told was saved stays saved, once, through crashes.

For each database (SQLite, then PostgreSQL when reachable) in a scratch database of its own: a small demo district,
`gridcare serve` (gunicorn, the task worker, the scheduler) on a free port, and three desks sending batches of
closed tubes to `POST /api/v1/screening/tubes/batch`, each tube under its own client key, for STREAM_SECONDS.
Meanwhile every process of the service is killed with SIGKILL, several times, and started again, and PostgreSQL is
restarted in immediate mode (a crash: no checkpoint, connections cut). A batch that got no answer (refused
connection, reset, timeout, 5xx) is sent again, unchanged, once the service answers, until it is answered.

Then the database is reconciled: every tube whose write was answered "created" is there exactly once with all its
persons; every tube that was sent is there exactly once (the retries created nothing twice); no sample twice.
Prints the numbers and exits non-zero on any loss or duplicate.

Restarting PostgreSQL cuts every connection to it, so nothing else should be using this machine's PostgreSQL
while it runs (it is not part of `make test` for that reason)."""

import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("FAULT_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "gridcare_fault"
STREAM_SECONDS = int(os.environ.get("FAULT_STREAM_SECONDS", "40"))
DESKS = 3
TUBES_PER_BATCH = 10
PERSONS_PER_TUBE = 5
# Seconds into the stream: kill every process of the service (then start it again), or restart PostgreSQL.
FAULTS = [(6, "kill"), (14, "restart-db"), (22, "kill"), (30, "restart-db"), (34, "kill")]


def main():
    results = [fault_run("SQLite")]
    if postgres_reachable():
        results.append(fault_run("PostgreSQL"))
    else:
        print("PostgreSQL is not reachable: ran on SQLite only")
    print()
    for r in results:
        print(
            f"{r['database']:<11} batches sent {r['batches']}, unanswered {r['unanswered']} (sent again "
            f"{r['resent']} times until answered); tubes sent "
            f"{r['tubes']}, acknowledged {r['acknowledged']}; lost {r['lost']}, duplicated {r['duplicated']}, "
            f"missing after retries {r['missing']}; faults: {', '.join(r['faults'])}"
        )
    print(json.dumps(results, indent=2))
    sys.exit(0 if all(r["lost"] == r["duplicated"] == r["missing"] == 0 for r in results) else 1)


def postgres_reachable():
    try:
        import psycopg

        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False


# --- one database -------------------------------------------------------------------------------------------


def fault_run(database):
    scratch = Path(tempfile.mkdtemp(prefix="gridcare-fault-"))
    if database == "SQLite":
        url = f"sqlite:///{scratch / 'fault.sqlite3'}"
    else:
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DATABASE
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)", f"CREATE DATABASE {PG_DATABASE}")
    env = {**os.environ, "DATABASE_URL": url, "GRIDCARE_VAR_DIR": str(scratch), "TASK_BACKEND": "database"}
    print(f"== {database}: building a demo district in {scratch}", flush=True)
    gridcare = [str(BIN / "gridcare")]
    subprocess.run([*gridcare, "migrate", "--no-input", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*gridcare, "demo", "--residents", "2000", "--seed", "4", "--password", "fault-test-9"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    setup = json.loads(
        subprocess.run(
            [sys.executable, __file__, "--setup"], env=env, check=True, cwd=ROOT, capture_output=True, text=True
        ).stdout
    )
    server = Service(env, scratch)
    server.start()
    try:
        stream = Stream(server.port, setup)
        faults = stream.run(server, database)
        stream.resend_unanswered()
    finally:
        server.stop()
    check = json.loads(
        subprocess.run(
            [sys.executable, __file__, "--reconcile"],
            env=env,
            input=json.dumps({"sent": stream.sent, "acknowledged": sorted(stream.acknowledged)}),
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
    )
    shutil.rmtree(scratch, ignore_errors=True)
    if database == "PostgreSQL":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    return {
        "database": database,
        "batches": stream.batches,
        "unanswered": stream.unanswered_count,
        "resent": stream.resent,
        "tubes": len(stream.sent),
        "acknowledged": len(stream.acknowledged),
        "faults": faults,
        # "second: answered/unanswered" batches, to see how soon the service answers again after each fault
        "timeline": " ".join(f"{t}:{a}/{u}" for t, (a, u) in sorted(stream.timeline.items())),
        **check,
    }


def _pg_admin(*statements):
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


class Service:
    """`gridcare serve` in its own process group, so that one SIGKILL takes every process of it."""

    def __init__(self, env, scratch):
        self.env, self.port, self.process = env, _free_port(), None
        self.log = open(scratch / "serve.log", "ab")

    def start(self):
        self.process = subprocess.Popen(
            [str(BIN / "gridcare"), "serve", f"127.0.0.1:{self.port}", "--workers", "2"],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        self.wait_ready()

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if _request(self.port, "GET", "/readyz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the service did not become ready")

    def kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class Stream:
    def __init__(self, port, setup):
        self.port, self.token = port, setup["token"]
        self.round, self.site, self.persons = setup["round"], setup["site"], setup["persons"]
        self.sent = {}  # tube code → person ids
        self.acknowledged = set()  # tube codes answered 201 (or 200, a replay)
        self.unanswered = []  # batches with no answer
        self.batches = self.resent = self.unanswered_count = 0
        self.lock = threading.Lock()
        self.counter = 0
        self.began = time.monotonic()
        self.timeline = {}  # second of the stream → [answered, unanswered] batches

    def run(self, server, database):
        stop = threading.Event()
        desks = [threading.Thread(target=self._desk, args=(stop,)) for _ in range(DESKS)]
        for desk in desks:
            desk.start()
        began, done = self.began, []
        for at, fault in FAULTS:
            time.sleep(max(0, began + at - time.monotonic()))
            if fault == "kill":
                server.kill()
                done.append(f"kill -9 of every process at {at} s")
                server.start()
            elif database == "PostgreSQL":
                _restart_postgres()
                done.append(f"PostgreSQL restarted (immediate) at {at} s")
        time.sleep(max(0, began + STREAM_SECONDS - time.monotonic()))
        stop.set()
        for desk in desks:
            desk.join()
        return done

    def _batch(self):
        with self.lock:
            start, self.counter = self.counter, self.counter + TUBES_PER_BATCH
        tubes = []
        for n in range(start, start + TUBES_PER_BATCH):
            members = random.Random(n).sample(self.persons, PERSONS_PER_TUBE)
            code = f"F{n:07d}"
            with self.lock:
                self.sent[code] = members
            tubes.append(
                {
                    "client_key": f"fault-{code}",
                    "round": self.round,
                    "site": self.site,
                    "tube_code": code,
                    "pool_size": 10,
                    "closed_at": self._closed_at,
                    "persons": [{"person_id": pid} for pid in members],
                }
            )
        return {"tubes": tubes}

    @property
    def _closed_at(self):
        return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 60))

    def _desk(self, stop):
        while not stop.is_set():
            body = self._batch()
            with self.lock:
                self.batches += 1
            answered = self._send(body)
            with self.lock:
                self.timeline.setdefault(int(time.monotonic() - self.began), [0, 0])[0 if answered else 1] += 1
                if not answered:
                    self.unanswered.append(body)
            time.sleep(0.05)

    def _send(self, body):
        """Whether the batch was answered; its created (or replayed) tubes are acknowledged."""
        try:
            status, data = _request(self.port, "POST", "/api/v1/screening/tubes/batch", body, self.token, timeout=20)
        except OSError:
            return False
        if status != 200:
            return False
        for result in json.loads(data)["results"]:
            if result["http_status"] in (200, 201):
                with self.lock:
                    self.acknowledged.add(result["tube_code"])
        return True

    def resend_unanswered(self, attempts=30):
        pending = self.unanswered
        self.unanswered_count = len(pending)
        for _ in range(attempts):
            if not pending:
                return
            self.resent += len(pending)
            pending = [body for body in pending if not self._send(body)]
            if pending:
                time.sleep(2)
        raise RuntimeError(f"{len(pending)} batches never answered")


def _restart_postgres():
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", "--mode", "immediate", version, "main", "restart"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _request(port, method, path, body=None, token=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- inside Django (child processes on the scratch database) ------------------------------------------------


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcare.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def setup():
    """The running round, a site, a medic's API token and persons a 10-person tube may hold."""
    _django()
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import token_issue
    from core.context import system_actor
    from registry.models import Person
    from screening.models import Round
    from screening.services import pool_size_for

    with system_actor():
        round_ = next(
            r for r in Round.objects.order_by("-starts_at") if r.status_at(timezone.now()) == Round.Status.RUNNING
        )
        campaign = round_.campaign
        rules = list(campaign.pooling_rules.select_related("area"))
        persons = [
            pid
            for pid, code in Person.all_objects.values_list("id", "grid__code")
            if pool_size_for(campaign, code, rules) >= 10
        ]
        medic = User.objects.filter(role=Role.MEDIC).first()
        _token, raw = token_issue(medic, "fault test")
        print(json.dumps({"round": round_.pk, "site": campaign.sites.first().pk, "token": raw, "persons": persons}))


def reconcile():
    _django()
    from django.db.models import Count

    from core.context import system_actor
    from screening.models import Sample, Tube

    given = json.load(sys.stdin)
    sent, acknowledged = given["sent"], set(given["acknowledged"])
    with system_actor():
        tubes = dict(Tube.objects.filter(code__startswith="F").values_list("code").annotate(n=Count("id")).order_by())
        samples = {}
        for code, pid in Sample.all_objects.filter(tube__code__startswith="F").values_list("tube__code", "person_id"):
            samples.setdefault(code, []).append(pid)
    lost = [c for c in acknowledged if tubes.get(c, 0) == 0 or sorted(samples.get(c, [])) != sorted(sent[c])]
    duplicated = [c for c, n in tubes.items() if n > 1] + [
        c for c, pids in samples.items() if len(pids) != len(set(pids))
    ]
    missing = [c for c in sent if c not in tubes]
    print(
        json.dumps(
            {
                "lost": len(lost),
                "duplicated": len(duplicated),
                "missing": len(missing),
                "examples": (lost + duplicated + missing)[:5],
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--setup"]:
        setup()
    elif sys.argv[1:] == ["--reconcile"]:
        reconcile()
    else:
        main()
