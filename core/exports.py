"""Every list a user can see exports to .xlsx through here: masked unless the user may reveal, and audited."""

from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.audit import audit_record
from core.masking import mask_id_number, mask_phone
from core.models import AuditEvent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Column:
    """One column of an export: a header and how to get the value from a row. `sensitive` is "id_number" or
    "phone" for values that are masked unless the user holds the reveal permission."""

    def __init__(self, header, value, sensitive=None, width=None):
        self.header = header
        self.value = value if callable(value) else (lambda row, attr=value: _dotted(row, attr))
        self.sensitive = sensitive
        self.width = width


def _dotted(row, attr):
    for part in attr.split("."):
        row = row.get(part) if isinstance(row, dict) else getattr(row, part, None)
        if row is None:
            return ""
    return row


MASKERS = {"id_number": mask_id_number, "phone": mask_phone}


# A text cell starting with one of these is read as a formula (=WEBSERVICE(…), +cmd|…, @SUM…) by Excel or by openpyxl
# itself, which stores any string starting with "=" as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(sheet, value):
    """A value as a cell: None as empty, text that a spreadsheet would read as a formula as plain text (a string
    cell, shown with Excel's quote prefix); numbers, dates and other text as they are."""
    if value is None:
        return ""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def workbook_bytes(title, columns, rows, *, reveal=False):
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for i, column in enumerate(columns):
        sheet.column_dimensions[get_column_letter(i + 1)].width = column.width or max(10, len(str(column.header)) * 2)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        values = []
        for column in columns:
            value = column.value(row)
            if column.sensitive and not reveal:
                value = MASKERS[column.sensitive](str(value or ""))
            if hasattr(value, "tzinfo") and value.tzinfo is not None:
                value = timezone.localtime(value).replace(tzinfo=None)
            values.append(_cell(sheet, value))
        sheet.append(values)
        count += 1
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count


def export_response(request, *, name, columns, rows, title=None):
    """An .xlsx download of `rows` for this user. Sensitive columns are masked unless the user may reveal; the
    export (what, how many rows, masked or not) is audited."""
    reveal = request.user.has_perm("registry.reveal_identity")
    data, count = workbook_bytes(title or name, columns, rows, reveal=reveal)
    audit_record(
        AuditEvent.Action.EXPORT,
        summary=f"{name}: {count} rows",
        detail={"name": name, "rows": count, "unmasked": reveal, "path": request.get_full_path()},
    )
    filename = f"{name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
