#!/usr/bin/env python
"""`make load-test`: the locust scenario (bench/locustfile.py) against the local cluster (scripts/cluster.py), once
with one web process and once with two, the same people and the same time each; bounded (LOAD_SECONDS each, 60 by
default) and on loopback only.

For each run it prints the throughput and p50/p95/p99 per kind of request, the tubes the desks were told were saved
against the tubes in the database, and where the machine's two cores went (processor time per part of the cluster,
measured from /proc through psutil): the limiting resource. The table is written to var/cluster/load-report.md for
docs/BENCHMARKS.md."""

import csv
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster  # noqa: E402

ROOT = cluster.ROOT
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
USERS = int(os.environ.get("LOAD_USERS", "40"))
WEB_COUNTS = [int(n) for n in os.environ.get("LOAD_WEB", "1,2").split(",")]
REPORT = cluster.HOME / "load-report.md"


def main():
    if not all(cluster.pg_running(cluster.HOME / d) for d in ("primary", "replica")) or not cluster.processes():
        cluster.up(web=max(WEB_COUNTS), workers=2, residents=30000)
    setup_file = cluster.HOME / "load-setup.json"
    setup_file.write_text(_setup())
    results = [_run(web, setup_file) for web in WEB_COUNTS]
    report = _report(results)
    REPORT.write_text(report)
    print(report)
    print(json.dumps(results, indent=1))
    sys.exit(0 if all(r["tubes_missing"] == 0 for r in results) else 1)


def _setup():
    return _in_cluster("--setup")


def _in_cluster(*args):
    """This script's answer to `args`, run with the cluster's settings (a Django process of its own)."""
    answer = subprocess.run(
        [sys.executable, __file__, *args],
        env=cluster.environment(),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return answer.stdout.strip()


def _django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def setup_print():
    """What the people of the locustfile need: the running round, a site, a medic's API token, persons a 10-person
    tube may hold, the demo password, a venue code."""
    _django()
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import token_issue
    from core.context import system_actor
    from registry.models import Person
    from screening.models import Round
    from screening.services import pool_size_for
    from tracing.models import Venue

    with system_actor():
        running = Round.objects.order_by("-starts_at")
        round_ = next(r for r in running if r.status_at(timezone.now()) == Round.Status.RUNNING)
        campaign = round_.campaign
        rules = list(campaign.pooling_rules.select_related("area"))
        persons = [
            pid
            for pid, grid in Person.all_objects.values_list("id", "grid__code")
            if pool_size_for(campaign, grid, rules) >= 10
        ]
        _token, raw = token_issue(User.objects.get(username="medic"), "load test")
        setup = {
            "round": round_.pk,
            "site": campaign.sites.order_by("pk").first().pk,
            "token": raw,
            "persons": persons,
            "password": cluster.PASSWORD,
            "venue_code": Venue.objects.order_by("pk").first().code,
        }
    print(json.dumps(setup))


def tubes_print(run):
    _django()
    from core.context import system_actor
    from screening.models import Tube

    with system_actor():
        print(Tube.objects.filter(code__startswith=f"L{run}").count())


def _run(web, setup_file):
    cluster.web_start(web)
    run = uuid.uuid4().hex[:6].upper()
    prefix = cluster.HOME / f"locust-{web}web"
    hosts = ",".join(f"http://127.0.0.1:{port}" for port in cluster.web_ports(web))
    env = {**os.environ, "LOAD_SETUP": str(setup_file), "LOAD_HOSTS": hosts, "LOAD_RUN": run}
    argv = [str(cluster.BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"]
    argv += ["-u", str(USERS), "-r", str(USERS), "-t", f"{SECONDS}s", "--csv", str(prefix), "--only-summary"]
    print(f"== {web} web process(es): {USERS} people for {SECONDS} s", flush=True)
    locust = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cpu = _processor_time(locust)
    locust.wait()
    stats = _stats(prefix)
    tubes = _tubes_saved(run)
    batch = stats.get("tube batch (10 tubes, 100 persons)", {})
    acknowledged = (batch.get("count", 0) - batch.get("failures", 0)) * 10
    return {
        "web": web,
        "seconds": SECONDS,
        "users": USERS,
        "requests": stats,
        "total_rps": sum(s["rps"] for s in stats.values()),
        "persons_per_second": batch.get("rps", 0) * 100,
        "tubes_acknowledged": acknowledged,
        "tubes_saved": tubes,
        "tubes_missing": max(0, acknowledged - tubes),
        "cores_used": cpu,
    }


def _groups(locust):
    """The processes of each part of the cluster, found anew at each look (RQ forks a work horse per task)."""
    state = cluster.processes()

    def tree(pid):
        try:
            root = psutil.Process(pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    postgres = []
    for directory in ("primary", "replica"):
        pid_file = cluster.HOME / directory / "postmaster.pid"
        if pid_file.exists():
            postgres += tree(int(pid_file.read_text().split()[0]))
    return {
        "web": [p for name, pid in state.items() if name.startswith("web") for p in tree(pid)],
        "task workers": [p for name, pid in state.items() if name.startswith("worker") for p in tree(pid)],
        "scheduler": tree(state.get("scheduler", 0)),
        "PostgreSQL (primary + replica)": postgres,
        "load generator (locust)": tree(locust.pid),
    }


def _processor_time(locust):
    """Cores used on average by each part over the run (user + system time of its processes / wall time)."""
    seen = {}  # (group, pid) → last cpu seconds

    def look():
        for group, members in _groups(locust).items():
            for p in members:
                try:
                    t = p.cpu_times()
                    seen[(group, p.pid, p.create_time())] = t.user + t.system
                except psutil.NoSuchProcess:
                    pass

    look()
    first = dict(seen)
    began, machine_before = time.monotonic(), psutil.cpu_times()
    while locust.poll() is None:
        time.sleep(1)
        look()
    wall = time.monotonic() - began
    machine_after = psutil.cpu_times()
    used = {}
    for (group, *_), seconds in seen.items():
        used[group] = used.get(group, 0) + seconds - first.get((group, *_), 0)
    busy = sum(machine_after) - sum(machine_before) - (machine_after.idle - machine_before.idle)
    used = {group: round(seconds / wall, 2) for group, seconds in used.items()}
    used["whole machine"] = round(busy / wall, 2)
    return used


def _stats(prefix):
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            rows[row["Name"]] = {
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50": int(float(row["50%"])),
                "p95": int(float(row["95%"])),
                "p99": int(float(row["99%"])),
            }
    return rows


def _tubes_saved(run):
    return int(_in_cluster("--tubes", run))


def _report(results):
    lines = [f"{results[0]['users']} people for {results[0]['seconds']} s per run, on loopback, 2 cores.", ""]
    names = list(dict.fromkeys(name for r in results for name in r["requests"]))  # a kind seen in any run
    head = "| request | " + " | ".join(f"{r['web']} web: req/s · p50/p95/p99 ms · failed" for r in results) + " |"
    lines += [head, "|---|" + "---|" * len(results)]
    for name in names:
        cells = []
        for r in results:
            s = r["requests"].get(name)
            cells.append(f"{s['rps']} · {s['p50']}/{s['p95']}/{s['p99']} · {s['failures']}" if s else "–")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| all requests, per second | " + " | ".join(f"{r['total_rps']:.1f}" for r in results) + " |")
    lines.append(
        "| persons ingested per second | " + " | ".join(f"{r['persons_per_second']:.0f}" for r in results) + " |"
    )
    lines.append(
        "| tubes acknowledged / in the database | "
        + " | ".join(f"{r['tubes_acknowledged']} / {r['tubes_saved']}" for r in results)
        + " |"
    )
    lines += ["", "Cores used on average (of 2):", ""]
    groups = list(results[0]["cores_used"])
    lines += ["| part | " + " | ".join(f"{r['web']} web" for r in results) + " |", "|---|" + "---|" * len(results)]
    for group in groups:
        lines.append(f"| {group} | " + " | ".join(str(r["cores_used"].get(group, 0)) for r in results) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--setup"]:
        setup_print()
    elif sys.argv[1:2] == ["--tubes"]:
        tubes_print(sys.argv[2])
    else:
        main()
