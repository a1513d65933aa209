"""Screening benchmarks (issue 3), on the demo district and its demo campaign:

- ingestion of closed 10-person tubes through `POST /api/v1/screening/tubes/batch` on a real HTTP server
  (gunicorn, one worker per core, started here), two desks sending 200-tube batches at once;
- the same tubes one per call through `POST /api/v1/screening/tubes`;
- the raw database insert rate of the same rows (Tube + Sample bulk_create in one transaction, no HTTP, no
  validation), measured in the same run, and the batch API's share of it;
- on PostgreSQL, two ceilings: the same rows written with COPY into our tables (ids drawn from the sequences
  first, every column given, the indexes and keys checked), and sample rows COPYed into a bare table of the same
  columns; the batch API's share of the bare one, in persons per second, is issue 10's target (10%);
- live coverage of the whole district and of one grid, and the knock list of a grid (selectors, as the API
  handlers call them).
"""

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from bench.common import Result, p95, timed_ms

ROOT = Path(__file__).resolve().parent.parent
BATCH_TUBES = 200
BATCH_TOTAL = 6000  # tubes through the batch API (60,000 people)
SINGLE_TOTAL = 300
RAW_TOTAL = 6000
DESKS = 2


def run(database):
    import django

    django.setup()
    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import token_issue
    from registry.models import Area, Person
    from screening.demo import CAMPAIGN_PREFIX
    from screening.models import Campaign

    # The demo's campaign is named by its dates now (screening.demo.campaign_name): the newest with its prefix.
    campaign = Campaign.objects.filter(name__startswith=CAMPAIGN_PREFIX).order_by("-id").first()
    if campaign is None:
        raise SystemExit("no demo screening campaign: run `gridcare demo` first")
    round_ = campaign.rounds.get(number=1)
    site = campaign.sites.order_by("id").first()
    medic = User.objects.filter(role=Role.MEDIC).first()
    _token, raw = token_issue(medic, "bench")
    rng = random.Random(3)
    from screening.services import pool_size_for

    rules = list(campaign.pooling_rules.select_related("area"))
    # 10-person tubes: persons of a zone pooling fewer (a sealed grid's single tubes) would be refused.
    people = [
        p[:4]
        for p in Person.all_objects.values_list("id", "id_number", "grid_id", "household_id", "grid__code")
        if pool_size_for(campaign, p[4], rules) >= 10
    ]
    rng.shuffle(people)
    tag = f"{int(time.time()) % 100000:05d}"
    tubes = _tubes(people, round_, site, tag, BATCH_TOTAL + SINGLE_TOTAL)

    results = []
    raw_rate = _raw_insert_rate(people, round_, site, tag)
    copy_rate, bare_rate = _copy_rate(people, round_, site, tag) if database == "PostgreSQL" else (None, None)
    server = Gunicorn()
    try:
        batch_rate = _batch_rate(server.port, raw, tubes[:BATCH_TOTAL])
        single_rate = _single_rate(server.port, raw, tubes[BATCH_TOTAL:])
    finally:
        server.stop()
    share = batch_rate / raw_rate if raw_rate else 0
    results.append(
        Result(
            name="screening: 10-person tubes through the batch HTTP API",
            value=round(batch_rate),
            unit="tubes/s",
            target="≥ 500 tubes/s",
            ok=batch_rate >= 500 if database == "PostgreSQL" else True,
            database=database,
            note=f"{batch_rate * 10:,.0f} people/s; {share:.0%} of the raw insert rate (target ≥ 25%); "
            f"{DESKS} desks × {BATCH_TUBES}-tube batches, gunicorn {server.workers} workers",
        )
    )
    results.append(
        Result(
            name="screening: raw insert of the same rows (no HTTP, no checks)",
            value=round(raw_rate),
            unit="tubes/s",
            target="reference",
            ok=True,
            database=database,
            note="Tube + 10 Sample rows per tube, bulk_create in one transaction",
        )
    )
    results.append(
        Result(
            name="screening: batch API share of the raw insert rate",
            value=round(100 * share, 1),
            unit="%",
            target="≥ 25%",
            ok=share >= 0.25,
            database=database,
        )
    )
    if copy_rate:
        persons = batch_rate * 10
        results.append(
            Result(
                name="screening: COPY of the same rows into our tables",
                value=round(copy_rate * 10),
                unit="persons/s",
                target="reference",
                ok=True,
                database=database,
                note=f"{copy_rate:,.0f} tubes/s; Tube and Sample rows by COPY in one transaction, ids from the sequences, "
                f"with the tables' indexes, keys and constraints; the batch API is {persons / (copy_rate * 10):.0%} of it",
            )
        )
        results.append(
            Result(
                name="screening: COPY of sample rows into a bare table (the engine's ceiling)",
                value=round(bare_rate),
                unit="rows/s",
                target="reference",
                ok=True,
                database=database,
                note="the same Sample rows into a table of the same columns with no index, key or constraint (dropped after)",
            )
        )
        results.append(
            Result(
                name="screening: batch API share of the bare COPY rate",
                value=round(100 * persons / bare_rate, 1),
                unit="%",
                target="≥ 10%",
                ok=persons / bare_rate >= 0.10,
                database=database,
                note=f"{persons:,.0f} persons/s through the batch API against {bare_rate:,.0f} sample rows/s",
            )
        )
    results.append(
        Result(
            name="screening: one 10-person tube per HTTP call",
            value=round(single_rate),
            unit="tubes/s",
            target="reported",
            ok=True,
            database=database,
            note=f"{DESKS} desks",
        )
    )
    results += _reads(database, round_, Area)
    return results


def _tubes(people, round_, site, tag, count):
    closed = (round_.starts_at + timedelta(hours=2)).isoformat()
    tubes = []
    for n in range(count):
        members = people[(n * 10) % len(people) : (n * 10) % len(people) + 10]
        tubes.append(
            {
                "client_key": f"bench-{tag}-{n}",
                "round": round_.pk,
                "site": site.pk,
                "tube_code": f"B{tag}{n:07d}",
                "pool_size": 10,
                "closed_at": closed,
                "persons": [{"id_number": m[1]} for m in members],
            }
        )
    return tubes


def _raw_insert_rate(people, round_, site, tag):
    from django.db import transaction

    from screening.models import Sample, Tube

    closed = round_.starts_at + timedelta(hours=3)
    started = time.perf_counter()
    with transaction.atomic():
        made = Tube.objects.bulk_create(
            Tube(round=round_, site=site, code=f"R{tag}{n:07d}", pool_size=10, closed_at=closed)
            for n in range(RAW_TOTAL)
        )
        samples = []
        for n, tube in enumerate(made):
            for pid, _number, grid_id, household_id in people[(n * 10) % len(people) : (n * 10) % len(people) + 10]:
                samples.append(
                    Sample(
                        tube=tube,
                        round=round_,
                        person_id=pid,
                        grid_id=grid_id,
                        household_id=household_id,
                        sampled_at=closed,
                    )
                )
        Sample.all_objects.bulk_create(samples, batch_size=5000)
    rate = RAW_TOTAL / (time.perf_counter() - started)
    Sample.all_objects.filter(tube__code__startswith=f"R{tag}").delete()
    Tube.objects.filter(code__startswith=f"R{tag}").delete()
    return rate


def _copy_rate(people, round_, site, tag):
    """Tubes per second written with COPY: the rows _raw_insert_rate writes, every column of each given (COPY
    knows no Django default), the ids drawn from the sequences first so that the samples can name their tubes. The
    rows are built from a template per table, so the time is COPY's, not the bench's."""
    from django.db import connection, transaction
    from django.utils import timezone

    from screening.models import Sample, Tube

    closed = round_.starts_at + timedelta(hours=4)

    def template(model, values):
        """(column names, a row with every column filled, {attname: its index})"""
        fields = model._meta.concrete_fields
        row = [values[f.attname] if f.attname in values else f.get_default() for f in fields]
        return ", ".join(f.column for f in fields), row, {f.attname: n for n, f in enumerate(fields)}

    def ids(cursor, model, n):
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [model._meta.db_table, n]
        )
        return [row[0] for row in cursor.fetchall()]

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for COPY
        tube_ids = ids(cursor, Tube, RAW_TOTAL)
        values = {"round_id": round_.pk, "site_id": site.pk, "pool_size": 10, "closed_at": closed}
        names, row, at = template(
            Tube, values | {"received_at": timezone.now(), "registered_by_id": None, "result": "pending"}
        )
        with cursor.copy(f"COPY {Tube._meta.db_table} ({names}) FROM STDIN") as out:
            for n, tube_id in enumerate(tube_ids):
                row[at["id"]], row[at["code"]] = tube_id, f"C{tag}{n:07d}"
                out.write_row(row)
        sample_ids = iter(ids(cursor, Sample, RAW_TOTAL * 10))
        values = {"round_id": round_.pk, "sampled_at": closed, "result": "pending"}
        names, row, at = template(
            Sample, values | {"tube_id": None, "person_id": None, "grid_id": None, "household_id": None}
        )
        columns = [at[name] for name in ("id", "tube_id", "person_id", "grid_id", "household_id")]
        with cursor.copy(f"COPY {Sample._meta.db_table} ({names}) FROM STDIN") as out:
            for n, tube_id in enumerate(tube_ids):
                for pid, _number, grid_id, household_id in people[(n * 10) % len(people) : (n * 10) % len(people) + 10]:
                    for index, value in zip(
                        columns, (next(sample_ids), tube_id, pid, grid_id, household_id), strict=True
                    ):
                        row[index] = value
                    out.write_row(row)
    rate = RAW_TOTAL / (time.perf_counter() - started)
    Sample.all_objects.filter(tube__code__startswith=f"C{tag}").delete()
    Tube.objects.filter(code__startswith=f"C{tag}").delete()
    return rate, _bare_copy_rate(Sample, names, row)


def _bare_copy_rate(Sample, names, row):
    """Sample rows per second COPYed into a bare table of the same columns (no index, no key, no constraint): the
    engine's ceiling for rows of this shape, whatever our schema asks of them."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        # A logged table (a temporary one writes no WAL: faster than any real table could be), dropped after.
        cursor.execute(f"CREATE TABLE bench_bare_samples (LIKE {Sample._meta.db_table})")
        started = time.perf_counter()
        with cursor.copy(f"COPY bench_bare_samples ({names}) FROM STDIN") as out:
            for n in range(RAW_TOTAL * 10):
                row[0] = n
                out.write_row(row)
        rate = RAW_TOTAL * 10 / (time.perf_counter() - started)
        cursor.execute("DROP TABLE bench_bare_samples")
    return rate


def _post(port, token, path, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request(
        "POST",
        "/api/v1/screening" + path,
        json.dumps(body),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def _in_parallel(work, chunks):
    errors = []

    def run(chunk):
        try:
            for item in chunk:
                work(item)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def _batch_rate(port, token, tubes):
    batches = [tubes[i : i + BATCH_TUBES] for i in range(0, len(tubes), BATCH_TUBES)]
    _post(port, token, "/tubes/batch", {"tubes": batches[0]})  # warm the workers (counted as sent, not timed)

    def send(batch):
        status, data = _post(port, token, "/tubes/batch", {"tubes": batch})
        if status != 200 or json.loads(data)["rejected"]:
            raise RuntimeError(f"batch answered {status}: {data[:300]!r}")

    seconds = _in_parallel(send, [batches[1 + d :: DESKS] for d in range(DESKS)])
    return (len(tubes) - len(batches[0])) / seconds


def _single_rate(port, token, tubes):
    def send(tube):
        status, data = _post(port, token, "/tubes", tube)
        if status != 201:
            raise RuntimeError(f"tube answered {status}: {data[:300]!r}")

    seconds = _in_parallel(send, [tubes[d::DESKS] for d in range(DESKS)])
    return len(tubes) / seconds


def _reads(database, round_, Area):
    from screening.selectors import coverage, knock_list

    district = Area.all_objects.get(level=Area.Level.DISTRICT)
    grids = list(Area.all_objects.filter(level=Area.Level.GRID).order_by("code")[:200])
    rng = random.Random(5)
    whole = timed_ms(lambda: coverage(round_, district), repeat=5, warmup=1)
    grid_ms = timed_ms(lambda: coverage(round_, rng.choice(grids)), repeat=40)
    knock_ms = timed_ms(lambda: knock_list(round_, rng.choice(grids)), repeat=40)
    return [
        Result(
            name="screening: live coverage of the whole district",
            value=round(p95(whole), 1),
            unit="ms p95",
            target="< 1 s",
            ok=p95(whole) < 1000,
            database=database,
            note="expected/sampled/missing/excluded/resulted/positive by street",
        ),
        Result(
            name="screening: live coverage of one grid (by building)",
            value=round(p95(grid_ms), 1),
            unit="ms p95",
            target="< 50 ms",
            ok=p95(grid_ms) < 50,
            database=database,
        ),
        Result(
            name="screening: knock list of a grid",
            value=round(p95(knock_ms), 1),
            unit="ms p95",
            target="< 100 ms p95",
            ok=p95(knock_ms) < 100,
            database=database,
        ),
    ]


class Gunicorn:
    """gunicorn serving the project on a free port, one worker per core, same environment as this process."""

    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.workers = max(2, os.cpu_count() or 2)
        bin_dir = Path(sys.executable).parent
        self.proc = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "gridcare.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(self.workers),
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, "DEBUG": "false"},
        )
        self._wait()

    def _wait(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
