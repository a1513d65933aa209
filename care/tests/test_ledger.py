from io import BytesIO

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from care.models import LedgerEntry, RiskLevel
from registry.models import PersonGroup


def test_survey_form_adds_a_ledger_entry_and_tags_the_person(login, make_person, group):
    person = make_person("A", phone="13800001111")
    response = login("gwen").post(
        reverse("care:survey", args=[person.pk]),
        {
            "group": group.pk,
            "risk_level": RiskLevel.objects.get(rank=3).pk,
            "needs": ["oxygen", "meals"],
            "guardian_name": "李四",
            "guardian_phone": "13900002222",
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(person=person, group=group)
    assert entry.needs == ["oxygen", "meals"] and entry.risk_level.rank == 3 and entry.grid_id == person.grid_id
    assert PersonGroup.objects.filter(person=person, group=group).exists()


def test_a_register_tag_without_ledger_entry_shows_as_to_survey(login, make_person, group):
    person = make_person("A", name="王待查")
    PersonGroup.objects.create(person=person, group=group)
    page = login("gwen").get(reverse("care:to_survey")).content.decode()
    assert "王待查" in page
    assert "王待查" not in login("greg").get(reverse("care:to_survey")).content.decode()


def _sheet(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "ledger.xlsx"
    return buffer


def test_import_keeps_good_rows_and_reports_each_bad_one(login, make_person):
    good = make_person("A")
    other_grid = make_person("B")
    upload = _sheet(
        [
            ["身份证号", "人群类别", "风险等级", "需求", "监护人", "联系电话"],
            [good.id_number, "独居老人", "高", "药品、oxygen", "张三", "13900001234"],
            [good.id_number, "unknown group", "", "", "", ""],
            ["12345", "独居老人", "", "", "", ""],
            [other_grid.id_number, "独居老人", "", "", "", ""],
            [good.id_number, "pregnant", "", "飞行", "", ""],
        ]
    )
    response = login("gwen").post(reverse("care:ledger_import"), {"file": upload})
    result = response.context["result"]
    assert result["saved"] == 1, result["errors"]
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (3, "人群类别"),
        (4, "身份证号"),
        (5, "身份证号"),
        (6, "需求"),
    ]
    entry = LedgerEntry.objects.get(person=good)
    assert entry.needs == ["medicine", "oxygen"] and entry.guardian_phone == "13900001234"


def test_ledger_export_is_masked_for_a_grid_worker(login, paired):
    person = paired("A", phone="13812345678")
    from core.testing import exported

    rows = list(load_workbook(BytesIO(exported(login("gwen"), "care.ledger"))).active.values)
    flat = " ".join(str(c) for row in rows for c in row)
    assert person.name in flat
    assert person.id_number not in flat and "13812345678" not in flat
    assert person.masked_phone in flat


def test_ledger_list_query_count_is_flat(login, paired, django_assert_max_num_queries):
    for _ in range(8):
        paired("A")
    client = login("gwen")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("care:ledger"))
    assert response.status_code == 200 and len(response.context["page"]) == 8


def test_person_panel_page_and_include_tag_show_groups_contact_and_followups(login, paired):
    from django.template import Context, Template

    from care.services import followup_record

    person = paired("A")
    followup_record(person, worker=person.pairings.get().worker, outcome="well")
    page = login("gwen").get(reverse("care:person_ledger", args=[person.pk])).content.decode()
    assert "独居老人" in page and "gwen" in page and person.id_number not in page
    html = Template("{% load care %}{% care_panel person %}").render(Context({"person": person}))
    assert "独居老人" in html and reverse("care:pair_person", args=[person.pk]) in html
