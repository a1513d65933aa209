"""Tracing benchmarks (issue 7): on the demo district with a week of venue visits (≥ 5 million at 365,000
residents; built here, once, if the district has fewer), finding every person co-located with a case over 7 days
(`tracing.selectors.colocated_visits`: everyone at a venue the case visited within ±30 minutes of the visit)."""

import random
import time
from datetime import timedelta

from bench.common import Result, p95, timed_ms

VISITS = 5_000_000
CASES = 40


def run(database):
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from tracing.demo import venues_build, visits_build
    from tracing.models import Case, VenueVisit
    from tracing.selectors import colocated_visits

    results = []
    have = VenueVisit.all_objects.count()
    if have < VISITS:
        rng = random.Random(7)
        venues_build(rng)
        started = time.perf_counter()
        visits_build(rng, VISITS - have)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seconds = time.perf_counter() - started
        results.append(
            Result(
                name=f"tracing: writing {VISITS - have:,} venue visits (`gridcare demo --venue-scans`)",
                value=round(seconds, 1),
                unit="s",
                target="reported",
                ok=True,
                database=database,
                note=f"{(VISITS - have) / seconds:,.0f} visits/s, indexes built after the load",
            )
        )
    total = VenueVisit.all_objects.count()
    now = timezone.now()
    since = now - timedelta(days=7)
    # Cases among the residents who went out this week, as a positive result would pick them.
    rng = random.Random(11)
    people = list(
        VenueVisit.all_objects.filter(visited_at__gte=since).order_by("?").values_list("person_id", flat=True)[:CASES]
        if connection.vendor == "postgresql"
        else VenueVisit.all_objects.filter(pk__in=[rng.randint(1, total) for _ in range(CASES * 3)]).values_list(
            "person_id", flat=True
        )[:CASES]
    )
    cases = [Case(person_id=pk, sampled_on=timezone.localdate()) for pk in people]
    found = []

    def one():
        case = cases[len(found) % len(cases)]
        found.append(len(colocated_visits(case, since=since, until=now)))

    durations = timed_ms(one, repeat=len(cases) * 2, warmup=3)
    target = 200 if database == "PostgreSQL" else 1000
    case_visits = VenueVisit.all_objects.filter(person_id__in=people, visited_at__gte=since).count() / len(people)
    results.append(
        Result(
            name=f"tracing: every co-located person of a case over 7 days ({total:,} visits)",
            value=round(p95(durations), 1),
            unit="ms p95",
            target=f"< {target} ms",
            ok=p95(durations) < target,
            database=database,
            note=f"{len(cases)} cases × 2, {case_visits:.1f} visits a case, "
            f"{sum(found) / len(found):,.0f} co-located persons a case (max {max(found):,}), ±30 min",
        )
    )
    return results
