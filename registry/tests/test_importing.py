import csv
import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from accounts.roles import Role
from conftest import PASSWORD
from core.models import AuditEvent
from registry.importing import ImportFileError, residents_import
from registry.models import Household, ImportJob, Person, Residence
from registry.testing import synthetic_id_number

CN_HEADERS = ["姓名", "身份证号", "手机", "网格", "地址", "单元", "房号", "特殊人群", "与户主关系"]
EN_HEADERS = ["name", "id_number", "phone", "grid", "address", "unit", "room", "special_groups", "relation"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def ric(n):
    return synthetic_id_number(n, birth=date(1955, 3, 1))


def bad_check_digit(number):
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def csv_bytes(rows, headers=CN_HEADERS, encoding="gbk"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, headers=CN_HEADERS):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def messy_rows(areas):
    """The issue's messy file, row by row (spreadsheet row numbers in the comments)."""
    a = areas["A"].code
    wide_id, wide_phone = ric(1).translate(FULL_WIDTH), "13800138000".translate(FULL_WIDTH)
    return [
        ["张伟", wide_id, wide_phone, a, "明泰城3栋", "1", "302", "独居老人", "户主"],  # 2
        ["李娜", bad_check_digit(ric(2)), "13800138001", a, "明泰城3栋", "1", "303", "", ""],  # 3 bad check digit
        ["王芳", ric(3), "", "中福2网格", "海逸华庭1栋", "2", "101", "孕产妇、行动不便", "配偶"],  # 4 grid by name
        ["张伟", ric(1), "13800138000", a, "明泰城3栋", "1", "302", "", ""],  # 5 duplicate of row 2
        ["刘洋", ric(4), "13800138002", "", "明泰城3栋", "1", "401", "", ""],  # 6 missing grid
        ["陈静", "4.40704E+17", "13800138003", a, "明泰城3栋", "1", "402", "", ""],  # 7 Excel-mangled ID
        ["杨磊", ric(5), "13800138004", "不存在网格", "明泰城3栋", "1", "501", "", ""],  # 8 unknown grid
    ]


def errors_by_row(report):
    found = {}
    for error in report.errors:
        found.setdefault(error["row"], []).append((error["column"], error["message"]))
    return found


def test_messy_gbk_csv_keeps_exactly_the_good_rows_and_names_each_bad_one(areas):
    data = csv_bytes(messy_rows(areas))
    report = residents_import(io.BytesIO(data), filename="台账.csv")

    assert report.counts() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 5}
    assert set(Person.objects.values_list("name", flat=True)) == {"张伟", "王芳"}
    errors = errors_by_row(report)
    assert set(errors) == {3, 5, 6, 7, 8}
    assert errors[3] == [("身份证号", "ID number check digit is wrong")]
    assert errors[5] == [("身份证号", "same person as row 2")]
    assert errors[6][0][0] == "网格"
    assert errors[7][0][0] == "身份证号" and "Excel" in errors[7][0][1]
    assert errors[8][0][0] == "网格" and "不存在网格" in errors[8][0][1]


def test_imported_person_has_normalised_numbers_a_household_and_groups(areas):
    residents_import(io.BytesIO(csv_bytes(messy_rows(areas))), filename="台账.csv")
    zhang = Person.objects.get(id_number=ric(1))
    assert zhang.phone == "13800138000"
    assert zhang.grid == areas["A"]
    assert (zhang.household.building.address, zhang.household.unit, zhang.household.floor) == ("明泰城3栋", 1, 3)
    assert zhang.household.room == "302" and zhang.relation == Person.Relation.HEAD
    assert [g.code for g in zhang.special_groups.all()] == ["elderly_alone"]
    assert zhang.name_initials == "zw" and zhang.birth_date == date(1955, 3, 1)
    wang = Person.objects.get(id_number=ric(3))
    assert wang.grid == areas["B"]
    assert {g.code for g in wang.special_groups.all()} == {"pregnant", "mobility_impaired"}
    assert Residence.objects.filter(person=zhang, ended_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, target_id=str(zhang.pk)).count() == 1
    imports = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT)
    assert [(e.detail["created"], e.detail["rejected"], e.detail["file"]) for e in imports] == [(2, 5, "台账.csv")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(areas, encoding):
    data = csv_bytes([["张伟", ric(1), "", areas["A"].code, "", "", "", "", ""]], encoding=encoding)
    assert residents_import(io.BytesIO(data), filename="x.csv").created == 1


def test_xlsx_with_english_headers_and_an_id_excel_turned_into_a_number(areas):
    rows = [
        ["Zhang Wei", ric(1), 13800138000, areas["A"].code, "Mingtai 3", 1, 302, "elderly_alone", "head"],
        ["Chen Jing", 440704195503010000, 13800138003, areas["A"].code, "Mingtai 3", 1, 402, "", ""],
    ]
    report = residents_import(io.BytesIO(xlsx_bytes(rows, EN_HEADERS)), filename="ledger.xlsx")
    assert report.counts() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert report.errors == [
        {
            "row": 3,
            "column": "id_number",
            "message": "ID number was turned into a number by Excel (e.g. 4.40704E+17); its digits are lost",
        }
    ]
    assert Person.objects.get().phone == "13800138000"


def test_xlsx_with_chinese_headers_and_reimport_changes_nothing(areas):
    data = xlsx_bytes([row for i, row in enumerate(messy_rows(areas)) if i in (0, 2)])
    first = residents_import(io.BytesIO(data), filename="台账.xlsx")
    assert first.created == 2
    audit_before = AuditEvent.objects.exclude(action=AuditEvent.Action.IMPORT).count()
    households_before = Household.objects.count()

    again = residents_import(io.BytesIO(data), filename="台账.xlsx")

    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert Person.objects.count() == 2 and Household.objects.count() == households_before
    assert AuditEvent.objects.exclude(action=AuditEvent.Action.IMPORT).count() == audit_before


def test_changed_row_updates_and_is_audited(areas):
    rows = [["张伟", ric(1), "13800138000", areas["A"].code, "明泰城3栋", "1", "302", "", ""]]
    residents_import(io.BytesIO(csv_bytes(rows)), filename="a.csv")
    rows[0][2] = "13900139000"
    rows[0][6] = "303"

    report = residents_import(io.BytesIO(csv_bytes(rows)), filename="b.csv")

    assert report.counts() == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    person = Person.objects.get()
    assert person.phone == "13900139000" and person.household.room == "303"
    update = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, target_id=str(person.pk))
    assert update.detail["changes"]["phone"] == ["138****8000", "139****9000"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MOVE, target_id=str(person.pk)).count() == 1
    assert Residence.objects.filter(person=person).count() == 2


def test_person_registered_in_another_area_is_rejected_not_moved(users, make_person, areas):
    outsider = make_person("D", id_number=ric(7))
    rows = [
        ["外来", ric(7), "", areas["A"].code, "", "", "", "", ""],
        ["本地", ric(8), "", areas["A"].code, "", "", "", "", ""],
        ["越界", ric(9), "", areas["D"].code, "", "", "", "", ""],
    ]
    report = residents_import(io.BytesIO(csv_bytes(rows)), filename="x.csv", user=users["cora"])

    assert report.counts() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 2}
    assert report.errors[0] == {"row": 2, "column": "身份证号", "message": "registered in another area"}
    assert report.errors[1]["row"] == 4 and report.errors[1]["column"] == "网格"
    outsider.refresh_from_db()
    assert outsider.grid == areas["D"] and outsider.name != "外来"


def test_unreadable_files_raise(areas):
    with pytest.raises(ImportFileError):
        residents_import(io.BytesIO(b"\x00\x01garbage"), filename="x.xlsx")
    with pytest.raises(ImportFileError):
        residents_import(io.BytesIO(csv_bytes([["a"]], headers=["foo"])), filename="x.csv")


# Command -------------------------------------------------------------------------------------------------------


def test_command_prints_json(areas, tmp_path):
    path = tmp_path / "台账.csv"
    path.write_bytes(csv_bytes(messy_rows(areas)))
    out = io.StringIO()
    call_command("import_residents", str(path), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["created"], result["updated"], result["unchanged"], result["rejected"]) == (2, 0, 0, 5)
    assert [e["row"] for e in result["errors"]] == [3, 5, 6, 7, 8]
    assert set(result["errors"][0]) == {"row", "column", "message"}


def test_command_default_grid_and_unreadable_file(areas, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes([["张伟", ric(1)]], headers=["姓名", "身份证号"]))
    out = io.StringIO()
    call_command("import_residents", str(path), "--json", "--grid", areas["C"].code, stdout=out)
    assert json.loads(out.getvalue())["created"] == 1
    assert Person.objects.get().grid == areas["C"]
    with pytest.raises(CommandError) as raised:
        call_command("import_residents", str(tmp_path / "missing.csv"))
    assert raised.value.returncode == 1


# Pages ---------------------------------------------------------------------------------------------------------


def upload(client, data, name="台账.csv", start=True):
    """Uploads, then presses "Import" on the preview (unless `start` is false): the response of the last step."""
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, data)})
    if not start or response.status_code != 302:
        return response
    job = ImportJob.objects.order_by("-pk").first()
    return client.post(reverse("imports:start", args=[job.pk]))


def test_upload_small_file_imports_at_once_and_shows_the_result(client, users, areas):
    client.login(username="cora", password=PASSWORD)
    response = upload(client, csv_bytes(messy_rows(areas)))

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.pk])
    assert job.status == ImportJob.Status.DONE and job.result["created"] == 2
    page = client.get(response["Location"]).content.decode()
    assert "不存在网格" in page and ric(3) not in page
    assert AuditEvent.objects.get(action=AuditEvent.Action.IMPORT).actor == users["cora"]


def test_error_report_has_original_columns_and_an_error_column(client, users, areas):
    client.login(username="cora", password=PASSWORD)
    upload(client, csv_bytes(messy_rows(areas)))
    job = ImportJob.objects.get()

    response = client.get(reverse("imports:errors", args=[job.pk]))

    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][1:-1] == CN_HEADERS
    assert [int(row[0]) for row in sheet[1:]] == [3, 5, 6, 7, 8]
    assert sheet[2][1] == "张伟" and "身份证号" in sheet[2][-1]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_upload_above_the_threshold_runs_in_the_background(
    client, users, areas, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 3
    client.login(username="cora", password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, csv_bytes(messy_rows(areas)))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PENDING and job.rows_total == 7
    page = client.get(response["Location"]).content.decode()
    assert reverse("imports:progress", args=[job.pk]) in page and "<progress" in page

    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.rows_done == 7 and job.result["created"] == 2
    progress = client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 204 and progress["HX-Refresh"] == "true"


def test_unreadable_upload_is_a_form_error(client, users):
    client.login(username="cora", password=PASSWORD)
    response = upload(client, b"\x00garbage", name="x.xlsx")
    assert response.status_code == 200 and ImportJob.objects.count() == 0
    assert "errorlist" in response.content.decode()


def test_without_permission_the_upload_page_is_forbidden(client, users):
    client.login(username="gwen", password=PASSWORD)
    assert client.get(reverse("imports:upload")).status_code == 403


def test_a_job_of_another_area_is_not_found(client, users, areas, django_user_model):
    client.login(username="cora", password=PASSWORD)
    upload(client, csv_bytes(messy_rows(areas)))
    job = ImportJob.objects.get()
    django_user_model.objects.create_user("walt", password=PASSWORD, role=Role.STREET_STAFF, area=areas["waihai"])
    client.login(username="walt", password=PASSWORD)
    for name in ("imports:job", "imports:progress", "imports:errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert job.filename not in client.get(reverse("imports:upload")).content.decode()


def test_upload_page_lists_recent_jobs_in_few_queries(client, users, areas, django_assert_max_num_queries):
    client.login(username="cora", password=PASSWORD)
    for _ in range(3):
        upload(client, csv_bytes(messy_rows(areas)[:1]))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("imports:upload")).content.decode()
    assert page.count("台账.csv") == 3


def test_other_documents_and_chinese_choice_words(areas):
    headers = ["姓名", "证件类型", "证件号码", "网格", "居住状态", "行动能力"]
    rows = [
        ["John Smith", "护照", "e1234567８", "中福1网格", "流动人口", "卧床"],
        ["陈某", "外星证", "E7654321", "中福1网格", "", ""],
    ]
    report = residents_import(io.BytesIO(csv_bytes(rows, headers=headers, encoding="utf-8")), filename="x.csv")
    assert report.counts() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert report.errors[0]["row"] == 3 and report.errors[0]["column"] == "证件类型"
    person = Person.objects.get()
    assert (person.id_type, person.id_number, person.birth_date) == (Person.IdType.PASSPORT, "E12345678", None)
    assert (person.residence_status, person.mobility) == (Person.ResidenceStatus.FLOATING, Person.Mobility.BEDRIDDEN)


def test_command_default_grid_does_not_move_a_registered_person(make_person, areas, tmp_path):
    person = make_person("A", id_number=ric(11))
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes([["新名字", ric(11)], ["新人", ric(12)]], headers=["姓名", "身份证号"]))
    call_command("import_residents", str(path), "--grid", areas["C"].code, stdout=io.StringIO())
    person.refresh_from_db()
    assert (person.name, person.grid) == ("新名字", areas["A"])
    assert Person.objects.get(id_number=ric(12)).grid == areas["C"]
