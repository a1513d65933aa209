import io
import random

from registry.services import person_create
from registry.testing import synthetic_id_number
from screening.demo import build_demo as screening_demo
from tracing.demo import build_demo
from tracing.models import Case, Contact, Isolation
from tracing.selectors import trace_inbox


def test_the_demo_opens_a_case_with_a_second_generation_and_leaves_one_to_trace(areas, users, make_person):
    for n in range(2):
        head = make_person("A")
        for k in range(2):
            person_create(
                grid=head.grid,
                household=head.household,
                name=f"家属{n}{k}",
                id_number=synthetic_id_number(700 + 3 * n + k),
            )
    screening_demo(rng=random.Random(1), stdout=io.StringIO())
    out = io.StringIO()
    build_demo(rng=random.Random(1), stdout=out)
    first, second = Case.objects.order_by("pk")
    assert second.infected_by == first and first.source == "screening"
    # The whole tracing demo runs: the household (2) and whoever shared a venue with the case are confirmed, each
    # with an isolation; the other parts add isolations of their own.
    confirmed = Contact.objects.filter(case=first, status="confirmed")
    assert confirmed.filter(relation="household").count() == 2
    assert confirmed.count() == Contact.objects.filter(case=first).count()
    assert not confirmed.filter(isolation__isnull=True).exists()
    assert Isolation.objects.filter(contacts__case=first).distinct().count() == confirmed.count()
    assert trace_inbox().count() == 1
    assert "tracing: 2 cases" in out.getvalue()
