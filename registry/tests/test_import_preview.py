"""The import a clerk can find: menu, template, preview before anything is written, doors however they are written,
one building whichever grid a ledger puts it in."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from accounts.roles import Role
from core.models import AuditEvent
from registry.importing import EXAMPLE_ID_NUMBER, door_parse, residents_import
from registry.models import Building, Household, ImportJob, Person
from registry.testing import synthetic_id_number

HEADERS = ["姓名", "身份证号", "网格", "地址", "房号", "备注"]


def ric(n):
    return synthetic_id_number(n, birth=date(1960, 5, 1))


def xlsx(rows, headers=HEADERS):
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


# Doors ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "door"),
    [
        (("明泰城3栋1单元502",), ("明泰城3栋", "1", "502")),
        (("明泰城3栋 1单元 502",), ("明泰城3栋", "1", "502")),
        (("明泰城3栋1-502",), ("明泰城3栋", "1", "502")),
        (("明泰城1栋2单元502室",), ("明泰城1栋", "2", "502")),
        (("明泰城3号楼1单元502",), ("明泰城3栋", "1", "502")),
        (("明泰城3幢502室",), ("明泰城3栋", "", "502")),
        (("明泰城３栋１－５０２",), ("明泰城3栋", "1", "502")),
        (("明泰城3栋", "", "1单元 502"), ("明泰城3栋", "1", "502")),
        (("明泰城3栋", "", "1-502"), ("明泰城3栋", "1", "502")),
        (("明泰城3栋", "1单元", "502室"), ("明泰城3栋", "1", "502")),
        # Not doors: a street number and a village house keep their address whole.
        (("外海大道12-3号",), ("外海大道12-3号", "", "")),
        (("新创村5巷3号",), ("新创村5巷3号", "", "")),
    ],
)
def test_doors_as_ledgers_write_them(cells, door):
    assert door_parse(*cells) == door


FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
COMPOUNDS = st.text(alphabet="明泰城海逸华庭乐苑新南小区花园", min_size=2, max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    compound=COMPOUNDS,
    building=st.integers(1, 60),
    unit=st.integers(1, 9),
    floor=st.integers(1, 33),
    door=st.integers(1, 8),
    style=st.sampled_from(["单元", "单元 ", "-", " - "]),
    mark=st.sampled_from(["栋", "号楼", "幢", "座", "号栋"]),
    room_mark=st.sampled_from(["", "室", "房"]),
    wide=st.booleans(),
)
def test_every_spelling_of_a_door_keys_the_same_building_and_household(
    compound, building, unit, floor, door, style, mark, room_mark, wide
):
    room = f"{floor}{door:02d}"
    written = f"{compound}{building}{mark}{unit}{style}{room}{room_mark}"
    written = written.translate(FULL_WIDTH) if wide else written
    expected = (f"{compound}{building}栋", str(unit), room)
    assert door_parse(written) == expected
    assert door_parse(f"{compound}{building}{mark}", "", f"{unit}{style}{room}{room_mark}") == expected
    assert door_parse(f"{compound} {building}{mark}", f"{unit}单元", f"{room}{room_mark}") == expected


def test_spellings_of_one_door_import_into_one_household(areas):
    a = areas["A"].code
    rows = [
        ["甲", ric(1), a, "明泰城3栋1单元502", ""],
        ["乙", ric(2), a, "明泰城3号楼", "1-502"],
        ["丙", ric(3), a, "明泰城 3栋 1单元 502室", ""],
    ]
    report = residents_import(io.BytesIO(xlsx(rows, HEADERS[:5])), filename="x.xlsx")
    assert report.counts()["created"] == 3
    [household] = Household.objects.all()
    assert (household.building.address, household.unit, household.floor, household.room) == ("明泰城3栋", 1, 5, "502")


# One building, whichever grid -------------------------------------------------------------------------------------


@pytest.fixture
def tower_in_b(areas):
    """明泰城3栋, registered in grid B of 中福社区."""
    return Building.all_objects.create(grid=areas["B"], address="明泰城3栋", name="3栋", floors=11, units=2)


def test_a_row_stating_another_grid_for_a_registered_building_is_held_for_a_decision(areas, tower_in_b):
    rows = [
        ["甲", ric(1), areas["A"].code, "明泰城3栋1单元502", ""],
        ["乙", ric(2), areas["B"].code, "明泰城3栋", "2-101"],
    ]
    report = residents_import(io.BytesIO(xlsx(rows, HEADERS[:5])), filename="x.xlsx")

    assert report.counts() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    [error] = report.errors
    assert error["row"] == 2 and error["column"] == "地址"
    assert "中福2网格" in error["message"] and "中福1网格" in error["message"]
    assert Building.all_objects.filter(address="明泰城3栋").count() == 1
    assert Person.objects.get().household.building == tower_in_b


def test_a_row_without_a_grid_joins_the_registered_building_not_a_copy_in_the_default_grid(areas, tower_in_b, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(xlsx([["甲", ric(1), "明泰城3栋1单元502"]], ["姓名", "身份证号", "地址"]))
    call_command("import_residents", str(path), "--grid", areas["A"].code, stdout=io.StringIO())

    person = Person.objects.get()
    assert person.household.building == tower_in_b and person.grid == areas["B"] == person.household.grid
    assert Building.all_objects.count() == 1


def test_the_same_address_in_another_community_is_another_building(areas, tower_in_b):
    rows = [["甲", ric(1), areas["C"].code, "明泰城3栋1单元502", ""]]
    report = residents_import(io.BytesIO(xlsx(rows, HEADERS[:5])), filename="x.xlsx")
    assert report.counts()["created"] == 1
    assert Building.all_objects.filter(address="明泰城3栋").count() == 2


def test_a_new_building_put_in_two_grids_by_one_file_is_created_once(areas):
    rows = [
        ["甲", ric(1), areas["A"].code, "乐苑小区2栋1-101", ""],
        ["乙", ric(2), areas["B"].code, "乐苑小区2栋1-102", ""],
    ]
    report = residents_import(io.BytesIO(xlsx(rows, HEADERS[:5])), filename="x.xlsx")
    assert report.counts()["rejected"] == 1
    assert report.errors[0]["row"] == 3 and "第 2 行" in report.errors[0]["message"]
    assert list(Building.all_objects.values_list("grid__code", flat=True)) == [areas["A"].code]


# Menu, template, preview, import --------------------------------------------------------------------------------


def test_import_is_in_the_menu_of_community_staff_only(client, users):
    client.force_login(users["cora"])
    assert reverse("imports:upload") in client.get(reverse("registry:search")).content.decode()
    client.force_login(users["gwen"])
    assert reverse("imports:upload") not in client.get(reverse("registry:search")).content.decode()


@pytest.mark.parametrize(
    ("language", "name_header", "id_header"), [("zh-hans", "姓名*", "身份证号*"), ("en", "name*", "id_number*")]
)
def test_the_template_filled_in_imports_and_its_example_row_is_refused(
    client, users, areas, language, name_header, id_header
):
    client.force_login(users["cora"])
    response = client.get(reverse("imports:template"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(response.content))
    sheet, notes = book.worksheets
    headers = [c.value for c in sheet[1]]
    example = [c.value for c in sheet[2]]
    assert headers[0] == name_header and example[headers.index(id_header)] == EXAMPLE_ID_NUMBER
    assert notes.max_row == len(headers) + 1 and sheet.column_dimensions["C"].width >= 20
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()  # no one's data in it

    filled = dict(zip(headers, example, strict=True))
    # A clerk's row: the example's words (in the template's language), another name and ID number.
    sheet.append(
        [
            {"姓名*": "新来的", "name*": "新来的"}.get(h) or (ric(5) if v == EXAMPLE_ID_NUMBER else v)
            for h, v in filled.items()
        ]
    )
    out = io.BytesIO()
    book.save(out)
    client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("t.xlsx", out.getvalue())})
    job = ImportJob.objects.get()
    client.post(reverse("imports:start", args=[job.pk]))
    job.refresh_from_db()
    assert (job.result["created"], job.result["rejected"]) == (1, 1)
    assert job.result["errors"][0]["row"] == 2
    person = Person.objects.get()
    assert (person.name, person.id_number, person.grid) == ("新来的", ric(5), areas["A"])
    assert person.household.door_label == "1单元 502" and person.special_groups.count() == 1


def test_upload_shows_a_preview_and_writes_nothing_to_the_register(client, users, areas):
    client.force_login(users["cora"])
    rows = [
        ["甲", ric(1), areas["A"].code, "明泰城3号楼", "1-502", "留意"],
        ["乙", "44070419600501123", areas["A"].code, "明泰城3栋", "1-503", ""],
        ["丙", ric(3), "不存在网格", "", "", ""],
    ]
    persons_before = Person.all_objects.count()
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("台账.xlsx", xlsx(rows))})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:job", args=[job.pk]) and job.status == ImportJob.Status.PREVIEW

    page = client.get(response["Location"]).content.decode()
    assert Person.all_objects.count() == persons_before and not Building.all_objects.filter(address="明泰城3栋")
    assert "备注" in page and "未导入" in page  # the unknown column, named
    assert "明泰城3栋 1单元 502" in page and "新楼栋" in page
    assert ric(1) not in page and ric(1)[:6] + "********" + ric(1)[-4:] in page
    assert "不存在网格" in page and "身份证号" in page  # row errors, with the column
    assert reverse("imports:start", args=[job.pk]) in page and reverse("imports:cancel", args=[job.pk]) in page


def test_a_double_click_on_import_imports_once(client, users, areas):
    client.force_login(users["cora"])
    client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("x.xlsx", xlsx([["甲", ric(1), areas["A"].code, "", ""]]))},
    )
    job = ImportJob.objects.get()
    for _ in range(2):
        response = client.post(reverse("imports:start", args=[job.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.pk])
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 1
    assert Person.objects.count() == 1
    assert client.post(reverse("imports:cancel", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


def test_cancel_drops_the_upload_and_imports_nothing(client, users, areas, django_capture_on_commit_callbacks):
    client.force_login(users["cora"])
    client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("x.xlsx", xlsx([["甲", ric(1), areas["A"].code, "", ""]]))},
    )
    job = ImportJob.objects.get()
    storage, name = job.file.storage, job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("imports:cancel", args=[job.pk]))["Location"] == reverse("imports:upload")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and not storage.exists(name)
    assert client.post(reverse("imports:start", args=[job.pk])).status_code == 302
    assert not Person.objects.exists()
    assert "已取消" in client.get(reverse("imports:job", args=[job.pk])).content.decode()


def test_a_preview_of_another_area_is_not_found_nor_startable(client, users, areas, django_user_model):
    client.force_login(users["cora"])
    client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("x.xlsx", xlsx([["甲", ric(1), areas["A"].code, "", ""]]))},
    )
    job = ImportJob.objects.get()
    walt = django_user_model.objects.create_user("walt", role=Role.STREET_STAFF, area=areas["waihai"])
    client.force_login(walt)
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:start", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW and not Person.all_objects.exists()
