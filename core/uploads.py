"""Every uploaded table (resident import, lab results, care ledger) is read through here, so a hostile file is
refused before it costs anything: the size before reading (UPLOAD_MAX_BYTES); for a zipped workbook (.xlsx, .ods)
each member's uncompressed size and the decompression ratio; and the rows and columns the sheet spans
(UPLOAD_MAX_ROWS, UPLOAD_MAX_COLUMNS), read from `<dimension ref>` and every cell reference while streaming the
sheet's XML, before calamine allocates the sheet's dense range (a 1.5 KB file with one cell at XFD1048576 makes
calamine ask for 512 GB and abort the process). A .csv is capped while it is read. .xls (at most 65,536 × 256) is
checked on calamine's range before it becomes Python objects.

A refused file raises UploadRefused: its message names the limit in the user's language; `status` is 413 for
bytes, 422 for the shape of the table."""

import csv
import io
import re
import zipfile
from pathlib import Path
from xml.etree.ElementTree import iterparse

from django.conf import settings
from django.utils.translation import gettext as _

CHUNK = 1 << 20


class UploadRefused(Exception):
    def __init__(self, message, status=422):
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self):
        return str(self.message)


def limits():
    return {
        "bytes": getattr(settings, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024),
        "rows": getattr(settings, "UPLOAD_MAX_ROWS", 200_000),
        "columns": getattr(settings, "UPLOAD_MAX_COLUMNS", 60),
        "ratio": getattr(settings, "UPLOAD_MAX_RATIO", 100),
        "unzipped": getattr(settings, "UPLOAD_MAX_UNZIPPED_BYTES", 500 * 1024 * 1024),
    }


def _megabytes(n):
    return f"{n / (1024 * 1024):g} MB"


def _too_large(limit):
    return UploadRefused(
        _("The file is larger than %(limit)s, the most an upload may be.") % {"limit": _megabytes(limit)}, status=413
    )


def upload_bytes(path_or_file):
    """The file's bytes, its size checked before anything is read: a path, an uploaded file (its `.size`), a
    file object or bytes."""
    limit = limits()["bytes"]
    if isinstance(path_or_file, bytes | bytearray):
        if len(path_or_file) > limit:
            raise _too_large(limit)
        return bytes(path_or_file)
    if isinstance(path_or_file, str | Path):
        if Path(path_or_file).stat().st_size > limit:
            raise _too_large(limit)
        return Path(path_or_file).read_bytes()
    size = getattr(path_or_file, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit)
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    data = path_or_file.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return data


def _too_many_rows(limit):
    return UploadRefused(_("The table has more than %(limit)s rows, the most an upload may have.") % {"limit": limit})


def _too_many_columns(limit):
    return UploadRefused(
        _("The table has more than %(limit)s columns, the most an upload may have.") % {"limit": limit}
    )


def check_shape(rows, columns):
    cap = limits()
    if rows > cap["rows"]:
        raise _too_many_rows(cap["rows"])
    if columns > cap["columns"]:
        raise _too_many_columns(cap["columns"])


# Zipped workbooks ------------------------------------------------------------------------------------------------


def _not_a_workbook():
    return UploadRefused(_("This is not an Excel workbook."))


def zip_check(data):
    """The open archive, after checking every member's uncompressed size and the whole archive's ratio (what the
    members declare; reading a member stops at its declared size, zipfile checks it)."""
    cap = limits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_a_workbook() from None
    total = sum(m.file_size for m in members)
    if total > cap["unzipped"] or any(m.file_size > cap["unzipped"] for m in members):
        raise UploadRefused(
            _("The workbook unpacks to more than %(limit)s, the most an upload may.")
            % {"limit": _megabytes(cap["unzipped"])},
            status=413,
        )
    if total > cap["ratio"] * max(len(data), 1):
        raise UploadRefused(
            _("The workbook unpacks to more than %(ratio)s times its size; such a file is refused.")
            % {"ratio": cap["ratio"]},
            status=413,
        )
    return archive


# A tag that places a row or a cell, or states the sheet's extent; attributes up to the tag's end.
XLSX_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension)(?=[\s/>])([^>]*)")
REF_ATTR = re.compile(rb"""\b(r|ref)\s*=\s*["']([^"']*)["']""")
CELL_REF = re.compile(rb"\$?([A-Za-z]{1,3})?\$?(\d+)?")
# The fast path, for what Excel, LibreOffice and openpyxl write: no namespace prefix, every cell and row states its
# reference first. Literal prefixes let the regex engine search fast; leading zeros are skipped so the longest
# number is the largest.
CELL_WITH_REF = re.compile(rb'<c r="([A-Z]+)0*(\d+)"')
ROW_WITH_REF = re.compile(rb'<row r="0*(\d+)"')
DIMENSION = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref\s*=\s*["']([^"']*)""")


def _column_number(letters):
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def _extent_exact(data, end, state):
    """Every tag in order, placing rows and cells without a reference after the previous one."""
    for match in XLSX_TAG.finditer(data, 0, end):
        tag, attrs = match.group(1), match.group(2)
        ref = REF_ATTR.search(attrs)
        value = ref.group(2) if ref else b""
        if tag == b"row":
            state["row"] = int(value) if value.isdigit() else state["row"] + 1
            state["col"] = 0
        elif tag == b"c":
            found = CELL_REF.fullmatch(value) if value else None
            if found and found.group(1):
                state["col"] = _column_number(found.group(1))
                if found.group(2):
                    state["row"] = max(state["row"], int(found.group(2)))
            else:
                state["col"] += 1
        state["rows"] = max(state["rows"], state["row"])
        state["cols"] = max(state["cols"], state["col"])


def _largest(numbers):
    longest = max(map(len, numbers))
    return max(n for n in numbers if len(n) == longest)


def _extent_fast(data, end, state):
    """The largest references in the chunk, if every row and cell in it states one; False otherwise."""
    chunk = data[:end]
    if b":c " in chunk or b":row " in chunk:
        return False
    cells = CELL_WITH_REF.findall(chunk)
    rows = ROW_WITH_REF.findall(chunk)
    if len(cells) != chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b"<c/"):
        return False
    if len(rows) != chunk.count(b"<row ") + chunk.count(b"<row>") + chunk.count(b"<row/"):
        return False
    if cells:
        state["cols"] = max(state["cols"], _column_number(_largest({letters for letters, _row in cells})))
        state["rows"] = max(state["rows"], int(_largest({row for _letters, row in cells})))
    if rows:
        state["row"] = int(rows[-1])
        state["rows"] = max(state["rows"], int(_largest(set(rows))))
    return True


def xlsx_extent(stream):
    """(rows, columns) a worksheet spans, from its `<dimension ref>` and every `<row r>` and `<c r>` (a row or
    cell without a reference follows the previous one, as readers place it), streamed in chunks and refused as
    soon as it passes a limit."""
    state = {"rows": 0, "cols": 0, "row": 0, "col": 0}
    tail = b""
    while True:
        chunk = stream.read(CHUNK)
        data = tail + chunk
        end = len(data) if not chunk else max(data.rfind(b"<"), 0)
        # <dimension> comes before <sheetData>; searching 40 MB of cells for it would double the time.
        head_end = end if not state.get("in_data") else 0
        if not state.get("in_data") and (found := data.find(b"sheetData", 0, end)) >= 0:
            head_end, state["in_data"] = found, True
        for ref in DIMENSION.findall(data, 0, head_end):
            for part in ref.split(b":"):
                found = CELL_REF.fullmatch(part.strip())
                if found:
                    state["cols"] = max(state["cols"], _column_number(found.group(1) or b""))
                    state["rows"] = max(state["rows"], int(found.group(2) or 0))
        if not _extent_fast(data, end, state):
            _extent_exact(data, end, state)
        check_shape(state["rows"], state["cols"])
        if not chunk:
            return state["rows"], state["cols"]
        tail = data[end:]


def xlsx_check(data):
    archive = zip_check(data)
    for member in archive.infolist():
        if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
            with archive.open(member) as stream:
                xlsx_extent(stream)


ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def ods_check(data):
    """The rows and columns an .ods spans as a reader expands `number-rows-repeated` / `number-columns-repeated`
    up to the last cell that holds something."""
    archive = zip_check(data)
    try:
        stream = archive.open("content.xml")
    except KeyError:
        raise _not_a_workbook() from None
    rows = max_rows = max_cols = 0
    try:
        for _event, element in iterparse(stream, events=("end",)):
            if element.tag == ODS_TABLE + "table-row":
                repeat = int(element.get(ODS_TABLE + "number-rows-repeated", "1"))
                col = last = 0
                for cell in element:
                    span = int(cell.get(ODS_TABLE + "number-columns-repeated", "1"))
                    col += span
                    if cell.get(ODS_OFFICE + "value-type") or len(cell) or (cell.text or "").strip():
                        last = col
                rows += repeat
                if last:
                    max_rows, max_cols = rows, max(max_cols, last)
                    check_shape(max_rows, max_cols)
                element.clear()
            elif element.tag == ODS_TABLE + "table":
                rows = 0
                element.clear()
    except (SyntaxError, ValueError):  # ParseError is a SyntaxError
        raise _not_a_workbook() from None


# Reading ---------------------------------------------------------------------------------------------------------


def spreadsheet_rows(data, *, skip_empty_area=False):
    """The first sheet's rows as calamine reads them (.xlsx, .xls, .ods), after every check above."""
    from python_calamine import CalamineError, CalamineWorkbook

    # calamine picks the format from the content, whatever the name says, so the checks do too.
    if data[:4] == b"PK\x03\x04" or zipfile.is_zipfile(io.BytesIO(data)):
        if "content.xml" in zip_check(data).namelist():
            ods_check(data)
        else:
            xlsx_check(data)
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        check_shape(sheet.total_height if not skip_empty_area else sheet.height, sheet.total_width)
        return sheet.to_python(skip_empty_area=skip_empty_area)
    except (CalamineError, ValueError, IndexError, TypeError) as exc:
        raise UploadRefused(_("The spreadsheet cannot be read: %(error)s") % {"error": exc}) from None


def csv_rows(text, *, delimiter=","):
    """The rows of a CSV text, refused as soon as it passes the row or column limit."""
    cap = limits()
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            check_shape(len(rows), len(row))
    except csv.Error as exc:
        raise UploadRefused(_("The file cannot be read as CSV: %(error)s") % {"error": exc}) from None
    if len(rows) > cap["rows"]:
        raise _too_many_rows(cap["rows"])
    return rows
