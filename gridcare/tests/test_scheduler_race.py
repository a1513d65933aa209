"""Schedulers on several machines: ticking at the same moment, they fire each run once (the claim in
core.scheduler._fire). A test of its own, as the other race tests are: it needs a real transaction per thread."""

import pytest
from django.utils import timezone

from conftest import at_once
from core.context import SYSTEM
from core.models import ScheduledJob
from core.scheduler import registered_jobs, scheduler_tick


@pytest.mark.django_db(transaction=True)
def test_schedulers_ticking_at_once_fire_each_job_once(areas):
    now = timezone.now()
    answers = at_once(lambda i: scheduler_tick(now), n=3, actors=[SYSTEM] * 3)
    assert not [a for a in answers if isinstance(a, Exception)]
    assert sorted(ScheduledJob.objects.values_list("runs", flat=True)) == [1] * len(registered_jobs())
