"""Hostile files at every upload: refused with a message naming the limit, in the user's language, and the process
lives (the old code handed a 1.5 KB workbook to calamine, which asked for 512 GB and aborted the process)."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from accounts.services import token_issue
from core import uploads

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def workbook(sheet_data, dimension="A1:B2"):
    """A minimal .xlsx written by hand: one sheet with this <sheetData> content."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/>'
        f"<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def sparse_workbook():
    """1.5 KB: a header cell at A1 and one cell at XFD1048576, the last cell Excel has."""
    return workbook(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>身份证号</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        dimension="A1:XFD1048576",
    )


def zip_bomb():
    """A workbook whose sheet is 60 MB of blanks packed into about 60 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData>" + " " * 60_000_000 + "</sheetData>")
    return buffer.getvalue()


@pytest.fixture
def en():
    with translation.override("en"):
        yield


ROWS_ZH = "表格超过 200000 行"
ROWS_EN = "The table has more than 200000 rows"


def test_the_sparse_workbook_is_small_and_refused_before_reading():
    data = sparse_workbook()
    assert len(data) < 2000
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.spreadsheet_rows(data)
    assert refused.value.status == 422


def test_columns_are_capped_too(settings, en):
    data = workbook('<row r="1"><c r="A1"><v>1</v></c><c r="BJ1"><v>1</v></c></row>', dimension="A1:A1")
    with pytest.raises(uploads.UploadRefused, match="60 columns"):
        uploads.spreadsheet_rows(data)
    settings.UPLOAD_MAX_COLUMNS = 100
    assert len(uploads.spreadsheet_rows(data)[0]) == 62


def test_cells_without_references_are_counted_in_order(settings, en):
    settings.UPLOAD_MAX_COLUMNS = 3
    data = workbook("<row>" + "<c><v>1</v></c>" * 4 + "</row>", dimension="A1")
    with pytest.raises(uploads.UploadRefused, match="3 columns"):
        uploads.spreadsheet_rows(data)


def test_a_normal_workbook_reads():
    from openpyxl import Workbook

    book = Workbook()
    for i in range(300):
        book.active.append(["张三", i, "x"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = uploads.spreadsheet_rows(buffer.getvalue())
    assert len(rows) == 300 and rows[299][1] == 299


def test_a_zip_bomb_is_refused_by_its_ratio():
    data = zip_bomb()
    assert len(data) < 200_000
    with pytest.raises(uploads.UploadRefused, match="100") as refused:
        uploads.spreadsheet_rows(data)
    assert refused.value.status == 413


def test_size_is_checked_before_reading(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    upload = SimpleUploadedFile("big.csv", b"x" * 1001)
    with pytest.raises(uploads.UploadRefused, match="MB") as refused:
        uploads.upload_bytes(upload)
    assert refused.value.status == 413


def test_csv_rows_and_columns_are_capped_while_reading(settings, en):
    settings.UPLOAD_MAX_ROWS = 10
    with pytest.raises(uploads.UploadRefused, match="10 rows"):
        uploads.csv_rows("a\n" * 11)
    assert len(uploads.csv_rows("a\n" * 10)) == 10
    with pytest.raises(uploads.UploadRefused, match="60 columns"):
        uploads.csv_rows("," * 60)
    with pytest.raises(uploads.UploadRefused):  # a field past csv's own limit is a refusal, not a 500
        uploads.csv_rows('"' + "x" * 200_000 + '"')


def test_an_ods_with_repeated_cells_is_refused(en):
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="S"><table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    with pytest.raises(uploads.UploadRefused, match="200000 rows"):
        uploads.spreadsheet_rows(buffer.getvalue())


# At every upload ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "message"), [("zh-hans", ROWS_ZH), ("en", ROWS_EN)])
def test_resident_import_page_refuses_the_sparse_workbook(client, users, language, message):
    client.force_login(users["cora"])
    response = client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("台账.xlsx", sparse_workbook())},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert client.get(reverse("imports:upload")).status_code == 200


def test_resident_import_page_refuses_a_zip_bomb(client, users):
    client.force_login(users["cora"])
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("台账.xlsx", zip_bomb())})
    assert response.status_code == 200 and "100 倍" in response.content.decode()


def test_import_command_prints_a_clean_error(tmp_path, areas):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(sparse_workbook())
    with pytest.raises(CommandError, match="200000"):
        call_command("import_residents", str(path))


def test_import_job_fails_cleanly_when_its_file_is_refused(users, settings):
    from django.core.files.base import ContentFile

    from registry.importing import import_job_run
    from registry.models import ImportJob

    job = ImportJob.all_objects.create(
        file=ContentFile(sparse_workbook(), name="台账.xlsx"),
        filename="台账.xlsx",
        user=users["cora"],
        area=users["cora"].area,
    )
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "200000" in job.result["error"]


@pytest.mark.parametrize(("language", "message"), [("zh-hans", ROWS_ZH), ("en", ROWS_EN)])
def test_lab_result_import_api_refuses_the_sparse_workbook(client, users, language, message):
    _token, raw = token_issue(users["lena"], "test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": language}
    response = client.post(
        "/api/v1/screening/results/import", {"file": SimpleUploadedFile("lab.xlsx", sparse_workbook())}, **auth
    )
    assert response.status_code == 422
    assert message in json.loads(response.content)["detail"]
    bomb = client.post("/api/v1/screening/results/import", {"file": SimpleUploadedFile("lab.bin", zip_bomb())}, **auth)
    assert bomb.status_code == 413
    csv_ok = client.post("/api/v1/screening/results/import", {"file": SimpleUploadedFile("lab.csv", b"")}, **auth)
    assert csv_ok.status_code == 200


@pytest.mark.parametrize(("language", "message"), [("zh-hans", ROWS_ZH), ("en", ROWS_EN)])
def test_care_ledger_import_refuses_the_sparse_workbook(client, users, language, message):
    client.force_login(users["gwen"])
    response = client.post(
        reverse("care:ledger_import"),
        {"file": SimpleUploadedFile("ledger.xlsx", sparse_workbook())},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200 and response.context["result"] is None
    assert message in response.content.decode()
    assert client.get(reverse("care:ledger_import")).status_code == 200
