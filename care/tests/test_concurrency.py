"""Two people (or two runs of a job) doing the same thing at the same moment: exactly one applies (finding 11)."""

import pytest
from django.test import Client

from care.models import HelpRequest, Relief, RequestEvent, RequestKind
from care.services import Conflict, help_request_create, help_request_escalate_overdue, help_request_step, relief_create
from conftest import at_once


def _request(area, **fields):
    return help_request_create(
        area=area, kind=RequestKind.SUPPLIES, channel="hotline", requester_name="x", description="米", **fields
    )


@pytest.mark.django_db(transaction=True)
def test_two_workers_starting_the_same_request_at_once_start_it_once(areas, users):
    request = _request(areas["A"])
    help_request_step(request, "assign", by=users["cora"], assigned_to=users["gwen"])
    stale = [HelpRequest.all_objects.get(pk=request.pk) for _ in range(2)]  # both read it as "assigned"
    answers = at_once(lambda i: help_request_step(stale[i], "start", by=users["gwen"]))
    assert sum(isinstance(a, HelpRequest) for a in answers) == 1
    assert sum(isinstance(a, Conflict) for a in answers) == 1
    assert RequestEvent.all_objects.filter(request=request, action="start").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reassignments_read_at_once_apply_once(areas, users):
    request = _request(areas["A"])
    stale = [HelpRequest.all_objects.get(pk=request.pk) for _ in range(2)]
    workers = [users["gwen"], users["greg"]]
    answers = at_once(lambda i: help_request_step(stale[i], "assign", by=users["cora"], assigned_to=workers[i]))
    winners = [i for i, a in enumerate(answers) if isinstance(a, HelpRequest)]
    assert len(winners) == 1 and sum(isinstance(a, Conflict) for a in answers) == 1
    request.refresh_from_db()
    assert request.assigned_to == workers[winners[0]]
    assert RequestEvent.all_objects.filter(request=request, action="assign").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_api_clients_stepping_at_once_step_once(areas, users):
    request = _request(areas["A"])
    help_request_step(request, "assign", by=users["cora"], assigned_to=users["gwen"])
    url = f"/api/v1/care/requests/{request.pk}/steps"
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(users["gwen"])
    answers = at_once(lambda i: clients[i].post(url, {"step": "start"}, content_type="application/json"))
    codes = sorted(a.status_code for a in answers)
    assert codes[0] == 200 and codes[1] in (409, 422), codes  # lost the race, or came after it
    assert RequestEvent.all_objects.filter(request=request, action="start").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_the_same_relief_at_once_deliver_once(areas, users):
    request = _request(areas["A"])
    relief = relief_create(approved_by=users["cora"], kind=Relief.Kind.GOODS, item="米", quantity=1, request=request)
    stale = [Relief.all_objects.get(pk=relief.pk) for _ in range(2)]
    names = ["本人", "邻居"]
    answers = at_once(lambda i: _deliver(stale[i], users["gwen"], names[i]))
    assert sum(isinstance(a, Relief) for a in answers) == 1
    assert sum(isinstance(a, Conflict) for a in answers) == 1
    relief.refresh_from_db()
    assert relief.signed_by in names
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(target_type="care.relief", summary__startswith="delivered").count() == 1


def _deliver(relief, by, name):
    from care.services import relief_deliver

    return relief_deliver(relief, delivered_by=by, signed_by=name)


@pytest.mark.django_db(transaction=True)
def test_two_escalation_runs_at_once_escalate_each_request_once(areas, users):
    from datetime import timedelta

    from django.utils import timezone

    requests = [_request(areas["A"]) for _ in range(5)]
    HelpRequest.all_objects.update(deadline_at=timezone.now() - timedelta(hours=1))
    now = timezone.now()
    answers = at_once(lambda i: help_request_escalate_overdue(now))
    assert sum(answers) == 5, answers
    for request in requests:
        request.refresh_from_db()
        assert request.escalated_to == areas["zhongfu"]
        assert RequestEvent.all_objects.filter(request=request, action="escalate").count() == 1
