from django.urls import reverse

from care.models import CareSettings, FollowUp, FollowUpTask, HelpRequest, Pairing
from care.services import followup_plan_day, followup_record, pairing_assign
from core.models import AuditEvent


def test_today_list_shows_the_workers_planned_calls_only(login, paired):
    mine = paired("A", "gwen", name="陈今天")
    paired("B", "greg", name="林别人")
    page = login("gwen").get(reverse("care:today")).content.decode()
    assert "陈今天" in page and "林别人" not in page
    assert reverse("registry:person_call", args=[mine.pk]) in page
    assert mine.phone not in page


def test_today_list_query_count_does_not_grow_with_rows(login, paired, django_assert_max_num_queries):
    for _ in range(10):
        paired("A")
    client = login("gwen")
    client.get(reverse("care:today"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("care:today"))
    assert response.context["counts"]["planned"] == 10


def test_reached_and_well_marks_the_task_done(login, paired):
    person = paired()
    response = login("gwen").post(
        reverse("care:followup_record", args=[person.pk]), {"outcome": "well", "kind": "call"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    task = FollowUpTask.objects.get(person=person)
    assert task.status == FollowUpTask.Status.DONE and task.attempts == 1
    assert Pairing.objects.get(person=person, ended_at__isnull=True).last_reached_on is not None
    followup_plan_day(person_ids=[person.pk])  # planning again the same day changes nothing
    assert FollowUpTask.objects.filter(person=person).count() == 1


def test_reached_with_a_need_opens_a_green_channel_request(login, paired):
    person = paired()
    login("gwen").post(
        reverse("care:followup_record", args=[person.pk]),
        {"outcome": "need", "kind": "call", "need_kind": "medical", "note": "降压药吃完了"},
    )
    request = HelpRequest.objects.get(person=person)
    assert request.channel == HelpRequest.Channel.FOLLOWUP and request.kind == "medical"
    assert request.green_channel and request.status == HelpRequest.Status.RECEIVED


def test_not_reached_retries_then_escalates_to_a_home_visit(paired, users):
    settings = CareSettings.current()
    settings.misses_before_visit = 2
    settings.save()
    person = paired()
    followup_record(person, worker=users["gwen"], outcome="not_reached")
    assert FollowUpTask.objects.get(person=person).status == FollowUpTask.Status.RETRY
    followup_record(person, worker=users["gwen"], outcome="not_reached")
    assert FollowUpTask.objects.get(person=person).status == FollowUpTask.Status.VISIT
    followup_record(person, worker=users["gwen"], outcome="well", kind=FollowUp.Kind.VISIT)
    assert FollowUpTask.objects.get(person=person).status == FollowUpTask.Status.DONE
    assert Pairing.objects.get(person=person, ended_at__isnull=True).misses == 0


def test_weekly_plan_skips_a_person_reached_yesterday_but_emergency_mode_calls_daily(paired, users):
    from datetime import timedelta

    from django.utils import timezone

    person = paired()
    followup_record(person, worker=users["gwen"], outcome="well")
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert followup_plan_day(tomorrow, person_ids=[person.pk]) == 0
    settings = CareSettings.current()
    settings.emergency_mode = True
    settings.save()
    assert followup_plan_day(tomorrow, person_ids=[person.pk]) == 1


def test_one_tap_call_goes_through_the_audited_call_link(login, paired):
    person = paired(phone="13812345678")
    client = login("gwen")
    link = reverse("registry:person_call", args=[person.pk])
    assert link in client.get(reverse("care:today")).content.decode()
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == "tel:13812345678"
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL, target_id=str(person.pk))
    assert event.actor.username == "gwen"


def test_reassignment_keeps_history_and_moves_todays_task(paired, users):
    person = paired()
    pairing_assign(person, users["greg"])
    assert Pairing.objects.filter(person=person).count() == 2
    assert Pairing.objects.get(person=person, ended_at__isnull=True).worker == users["greg"]
    assert FollowUpTask.objects.get(person=person).worker == users["greg"]


def test_unpaired_page_and_bulk_assignment_by_grid(login, make_person, group, users, areas):
    from care.services import ledger_entry_save

    people = [make_person("A") for _ in range(3)]
    for person in people:
        ledger_entry_save(person, group)
    client = login("cora")
    assert client.get(reverse("care:unpaired")).context["page"].paginator.count == 3
    response = client.post(reverse("care:pair_grid", args=[areas["A"].pk]), {"worker": users["gwen"].pk})
    assert response.status_code == 302
    assert client.get(reverse("care:unpaired")).context["page"].paginator.count == 0
    assert Pairing.objects.filter(worker=users["gwen"], ended_at__isnull=True).count() == 3
