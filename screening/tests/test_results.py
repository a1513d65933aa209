import io
import time

from django.utils import timezone

from screening.models import Alert, Hold, HomeSamplingRequest, Sample, TraceEntry, Tube
from screening.services import results_import, results_record, tube_register


def _result(code, result="positive"):
    return {"tube_code": code, "result": result, "resulted_at": timezone.now().isoformat(), "lab": "江门市中心医院"}


def test_a_negative_tube_clears_its_persons(make_person, tube_item):
    people = [make_person("A") for _ in range(3)]
    tube_register(tube_item(people, code="N1"))
    [(status, answer)] = results_record([_result("N1", "negative")])
    assert status == 200 and answer["result"] == "negative"
    assert set(Sample.objects.filter(tube__code="N1").values_list("result", flat=True)) == {"negative"}
    assert not Hold.objects.exists()


def test_a_positive_10_in_1_tube_holds_10_people_and_opens_10_resampling_tasks_within_a_second(
    areas, make_person, tube_item
):
    people = [make_person("A" if n < 6 else "B") for n in range(10)]
    tube_register(tube_item(people, code="P10"))
    started = time.perf_counter()
    [(status, answer)] = results_record([_result("P10")])
    elapsed = time.perf_counter() - started
    assert status == 200 and answer["holds"] == 10
    assert elapsed < 1.0
    holds = Hold.objects.filter(tube__code="P10")
    assert sorted(holds.values_list("person_id", flat=True)) == sorted(p.pk for p in people)
    assert set(holds.values_list("state", flat=True)) == {"held"}
    requests = HomeSamplingRequest.objects.filter(source="positive_pool", single_tube=True)
    assert requests.count() == 10
    tube = Tube.objects.get(code="P10")
    first_task = min(r.created_at for r in requests)
    assert (first_task - tube.result_received_at).total_seconds() < 1.0
    grid_alerts = Alert.objects.filter(kind="positive_pool", person__isnull=False)
    assert grid_alerts.count() == 10
    assert set(grid_alerts.values_list("area__code", flat=True)) == {areas["A"].code, areas["B"].code}
    assert Alert.objects.filter(kind="positive_pool", area=areas["zhongfu"], person__isnull=True).count() == 1


def test_the_hold_follows_the_resample_to_its_result(make_person, tube_item):
    people = [make_person("A") for _ in range(5)]
    tube_register(tube_item(people, code="P5", pool_size=5))
    results_record([_result("P5")])
    status, answer = tube_register(tube_item([people[0]], code="S1", pool_size=1))
    assert status == 201 and answer["repeat_person_ids"] == [people[0].pk]
    hold = Hold.objects.get(person=people[0])
    assert hold.state == "resampled"
    request = HomeSamplingRequest.objects.get(person=people[0])
    assert request.status == "done" and request.sample.tube.code == "S1"
    results_record([_result("S1", "negative")])
    hold.refresh_from_db()
    assert hold.state == "cleared"
    assert Hold.objects.filter(state="held").count() == 4


def test_a_positive_single_tube_goes_on_the_trace_list_with_a_district_alert(areas, make_person, tube_item):
    person = make_person("D")
    tube_register(tube_item([person], code="S9", pool_size=1))
    results_record([_result("S9")])
    assert TraceEntry.objects.get().person == person
    assert Alert.objects.get(kind="positive_single").area == areas["district"]


def test_results_are_idempotent_per_tube(make_person, tube_item):
    tube_register(tube_item([make_person("A")], code="I1"))
    item = _result("I1", "negative")
    first = results_record([item])
    assert results_record([item]) == first
    [(status, _answer)] = results_record([dict(item, result="positive")])
    assert status == 409
    assert Tube.objects.get(code="I1").result == "negative"


def test_an_unknown_tube_or_result_is_rejected(make_person, tube_item):
    tube_register(tube_item([make_person("A")], code="U1"))
    answers = results_record([_result("NOPE"), _result("U1", "maybe")])
    assert [s for s, _ in answers] == [422, 422]
    assert answers[1][1]["errors"].keys() == {"result"}


def test_lab_csv_and_xlsx_imports(make_person, tube_item):
    from openpyxl import Workbook

    tube_register(tube_item([make_person("A")], code="C1"))
    tube_register(tube_item([make_person("A")], code="X1"))
    csv_text = "管码,结果,时间,检测机构\nC1,阴性,2022-09-05 18:00:00,江门市中心医院\n"
    [(status, _a)] = results_import(io.BytesIO(csv_text.encode("utf-8-sig")), filename="lab.csv")
    assert status == 200
    book = Workbook()
    book.active.append(["tube code", "result", "time", "lab"])
    book.active.append(["X1", "positive", "2022-09-05 19:00:00", "lab 2"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    [(status, _a)] = results_import(data, filename="lab.xlsx")
    assert status == 200
    assert dict(Tube.objects.values_list("code", "result")) == {"C1": "negative", "X1": "positive"}
