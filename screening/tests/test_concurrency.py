"""Two desks (or a desk and its own retry) sending the same tube at the same moment make one write."""

import threading

import pytest

from conftest import at_once
from core.context import current_actor
from core.models import IdempotencyKey
from screening.models import Sample, Tube
from screening.services import results_record, tube_register, tubes_register


def _race(fn, actors=None):
    """`fn()` twice at once (conftest.at_once); neither may raise."""
    answers = at_once(lambda i: fn(), actors=actors)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    return answers


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_of_the_same_tube_make_one_tube(make_person, tube_item):
    people = [make_person("A") for _ in range(10)]
    item = tube_item(people, key="desk3-77", code="RACE1")
    answers = _race(lambda: tube_register(item))
    assert [status for status, _a in answers] == [201, 201]
    assert answers[0] == answers[1]
    assert Tube.objects.filter(code="RACE1").count() == 1
    assert Sample.objects.count() == 10
    assert IdempotencyKey.objects.filter(key="desk3-77").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_batches_with_the_same_tubes(make_person, tube_item):
    people = [make_person("A") for _ in range(20)]
    items = [tube_item(people[n : n + 10], key=f"b-{n}") for n in (0, 10)]
    answers = _race(lambda: tubes_register([dict(i) for i in items]))
    assert answers[0] == answers[1]
    assert Tube.objects.count() == 2 and Sample.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_two_desks_with_different_keys_and_the_same_tube_code(make_person, tube_item):
    a, b = make_person("A"), make_person("A")
    first, second = tube_item([a], key="x-1", code="SAMECODE"), tube_item([b], key="x-2", code="SAMECODE")
    items = iter([first, second])
    lock = threading.Lock()

    def send():
        with lock:
            item = next(items)
        return tube_register(item)

    answers = _race(send)
    assert sorted(status for status, _a in answers) == [201, 422]
    assert Tube.objects.count() == 1 and Sample.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_positive_result_sent_twice_at_once_holds_each_person_once(make_person, tube_item):
    tube_register(tube_item([make_person("A") for _ in range(10)], code="PP"))
    body = {"tube_code": "PP", "result": "positive", "resulted_at": "2022-09-05T18:00:00+08:00", "lab": "lab"}
    answers = _race(lambda: results_record([dict(body)]))
    assert answers[0] == answers[1]
    from screening.models import Hold

    assert Hold.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_two_team_members_finishing_the_same_home_request_at_once_one_wins(users, make_person, round1):
    from accounts.services import actor_for
    from screening.models import HomeSamplingRequest
    from screening.services import AlreadyDone, home_request_create, home_request_finish

    request = home_request_create(round1, make_person("A"), source=HomeSamplingRequest.Source.KNOCK)

    def finish():
        mine = HomeSamplingRequest.objects.get(pk=request.pk)  # each team member's phone loaded it open
        try:
            home_request_finish(mine, done=True, note=f"by {current_actor().user.username}")
        except AlreadyDone:
            return "already done"
        return "finished"

    answers = _race(finish, actors=[actor_for(users["mia"]), actor_for(users["gwen"])])
    assert sorted(answers) == ["already done", "finished"]
    request.refresh_from_db()
    assert request.status == HomeSamplingRequest.Status.DONE and request.note.startswith("by ")
