"""The command centre's dashboard (issue 9, part 2), through the HTTP stack as the demo's district admin, with a
full round of samples (every resident sampled in 10-person tubes, 20 positive) written here and removed after.

Two numbers: the page as people get it — the job `command.dashboards_warm` recounts the district's and the
streets' tiles every minute, so a page reads them from the cache — and the page with every tile recounted (the
cache cleared before each request), which is what the job itself costs each minute."""

from django.core.cache import cache

from bench.bench_homes import remove, running_round
from bench.bench_registry import logged_in
from bench.common import Result, p95, timed_ms

TARGET_MS = 300


def run(database):
    from command.jobs import dashboards_warm
    from core.context import system_actor

    with system_actor():
        campaign, _round = running_round(share=1.0, name="bench: command")
    try:
        client = logged_in("admin")
        with system_actor():
            dashboards_warm()
        warm = timed_ms(lambda: _get(client), repeat=30, warmup=2)

        def cold():
            cache.clear()
            _get(client)

        recount = timed_ms(cold, repeat=5, warmup=1)
    finally:
        with system_actor():
            remove(campaign)
    note = "GET /command/ as the district admin, every resident sampled in the running round"
    return [
        Result(
            "district dashboard (tiles kept warm by the job)",
            round(p95(warm), 1),
            "ms p95",
            f"< {TARGET_MS} ms p95",
            p95(warm) < TARGET_MS,
            database,
            note,
        ),
        Result(
            "district dashboard, every tile recounted (the job's work each minute)",
            round(p95(recount), 1),
            "ms p95",
            "reported",
            True,
            database,
            note,
        ),
    ]


def _get(client):
    response = client.get("/command/")
    if response.status_code != 200:
        raise RuntimeError(f"/command/ answered {response.status_code}")
