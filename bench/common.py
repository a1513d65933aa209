"""What every benchmark module shares. A module `bench/bench_<topic>.py` defines `run(database) -> list[Result]`;
the harness (bench/run.py) calls it in a process already set up for one database, with the 365,000-resident demo
district built (seed 1) and the demo users' password set to BENCH_PASSWORD."""

import statistics
import time
from dataclasses import asdict, dataclass

BENCH_PASSWORD = "bench-password-1"


@dataclass
class Result:
    name: str  # what was measured, e.g. "name/pinyin search over 365,000 people"
    value: float
    unit: str  # "s", "ms p95", "tubes/s"
    target: str  # as the issue states it, e.g. "< 50 ms p95"
    ok: bool
    database: str  # "SQLite" or "PostgreSQL"
    note: str = ""

    def as_dict(self):
        return asdict(self)


def p95(samples):
    ordered = sorted(samples)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def timed_ms(fn, repeat, warmup=3):
    """Calls fn `warmup` times unmeasured, then `repeat` times; returns the list of durations in ms."""
    for _ in range(warmup):
        fn()
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        durations.append((time.perf_counter() - start) * 1000)
    return durations


def summary_ms(durations):
    return {"p50": statistics.median(durations), "p95": p95(durations), "max": max(durations)}
