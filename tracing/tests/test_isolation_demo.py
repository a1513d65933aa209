"""Isolation part of the demo: risk persons at every stage, handed over, a few accepted."""

import io
import random

import pytest

from core.context import system_actor
from tracing.models import HandOver, Isolation

pytestmark = pytest.mark.django_db


def test_demo_builds_isolation_paths_at_every_stage(users, make_person):
    from tracing.demo import build_demo

    for n in range(10):
        make_person("AB"[n % 2])
    with system_actor():
        build_demo(rng=random.Random(1), stdout=io.StringIO())
    stages = set(Isolation.all_objects.values_list("stage", flat=True))
    assert {"identified", "notified", "transferred", "isolating"} <= stages
    assert HandOver.all_objects.count() == 10 and HandOver.all_objects.filter(accepted_at__isnull=False).exists()
