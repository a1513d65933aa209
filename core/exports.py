"""Every list a user can see exports to .xlsx through here: as a background task with its progress saved, masked
unless the user may reveal and gave a reason, audited when asked for, when written and when downloaded.

Each app names its exportable lists in its `exports.py` (`EXPORTS = [ExportList(key, label, perm, build)]`, found
through core.discovery, so core imports no app). `build(user, params)` returns (columns, rows, title): it runs in
the request (to check the parameters: a bad one is a ValidationError naming it, an area outside the user's a 404)
and again inside the task, acting as that user (core.context.user_actor), so an export never holds more than the
user may see. The rows are written to a file as they are read (workbook_write streams the sheet into the zip), so
any size fits."""

import json
import logging
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access import require
from core.audit import audit_record
from core.context import Scope, acting_as, current_actor, scope_meet, system_actor, user_actor
from core.discovery import app_modules
from core.masking import mask_id_number, mask_numbers_in, mask_phone
from core.models import AuditEvent, Export
from core.replica import on_replica

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REVEAL_PERM = "registry.reveal_identity"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TITLE_BAD = re.compile(r"[\\/?*\[\]:]")  # characters a sheet's name may not hold
REASON_MIN = 2


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


# A text cell starting with one of these is read as a formula (=WEBSERVICE(…), +cmd|…, @SUM…) by Excel (and by
# openpyxl, which stores any string starting with "=" as a formula): such text is written as a string cell with
# Excel's quote prefix.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML 1.0 cannot hold (a pasted form field may): dropped.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_EPOCH_DATE = _EXCEL_EPOCH.date()
# cellXfs below: 0 plain, 1 bold (the header), 2 quote prefix (text that looks like a formula), 3 date, 4 date-time.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_REL_NS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_REL_NS}">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="styles.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/></Relationships>'
)


def _column_letters(n):
    letters = []
    for i in range(1, n + 1):
        name = ""
        while i:
            i, rest = divmod(i - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _text(value):
    return escape(_XML_ILLEGAL.sub("", value))


def _cell(ref, value):
    """One cell's XML: None as no cell; text as an inline string (quote-prefixed where a spreadsheet would read a
    formula); numbers, booleans, dates and date-times (shown in TIME_ZONE) as such; anything else as its text."""
    if value is None or value == "":
        return ""
    kind = type(value)
    if kind is str or isinstance(value, str | Promise):
        value = str(value)
        style = ' s="2"' if value.startswith(FORMULA_STARTS) else ""
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}" t="inlineStr"{style}><is><t{space}>{_text(value)}</t></is></c>'
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is float or isinstance(value, int | float | Decimal):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = timezone.localtime(value).replace(tzinfo=None)
        serial = (value - _EXCEL_EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="4"><v>{serial:.10f}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="3"><v>{(value - _EXCEL_EPOCH_DATE).days}</v></c>'
    return _cell(ref, str(value))


def workbook_write(target, title, columns, rows, *, reveal=False, progress=None, every=1000):
    """Writes `rows` as one sheet of an .xlsx to `target` (a path or a file object) as they come, so a million rows
    take no more memory than one chunk: the sheet's XML streams into the zip. `progress(count)` is called every
    `every` rows. Returns how many rows were written. (openpyxl's write-only mode does the same at a tenth of the
    speed; the format written here is the small subset a list needs: one sheet, inline strings, five styles.)"""
    letters = _column_letters(len(columns))
    maskers = [MASKERS[c.sensitive] if c.sensitive and not reveal else None for c in columns]
    getters = [(column.value, masker) for column, masker in zip(columns, maskers, strict=True)]
    name = SHEET_TITLE_BAD.sub(" ", str(title))[:31].strip() or "sheet"
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_DOC_REL_NS}"><sheets>'
        f'<sheet name={quoteattr(_XML_ILLEGAL.sub("", name))} sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{c.width or max(10, len(str(c.header)) * 2)}" customWidth="1"/>'
        for i, c in enumerate(columns, start=1)
    )
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            header = "".join(
                f'<c r="{letter}1" t="inlineStr" s="1"><is><t>{_text(str(c.header))}</t></is></c>'
                for letter, c in zip(letters, columns, strict=True)
            )
            sheet.write(
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<worksheet xmlns="{_MAIN_NS}"><cols>{widths}</cols><sheetData><row r="1">{header}</row>'
                ).encode()
            )
            chunk = []
            for row in rows:
                count += 1
                line = count + 1
                cells = []
                for letter, (value_of, masker) in zip(letters, getters, strict=True):
                    value = value_of(row)
                    if masker is not None:
                        value = masker(str(value or ""))
                    cells.append(_cell(f"{letter}{line}", value))
                chunk.append(f'<row r="{line}">{"".join(cells)}</row>')
                if count % every == 0:
                    sheet.write("".join(chunk).encode())
                    chunk = []
                    if progress is not None:
                        progress(count)
            chunk.append("</sheetData></worksheet>")
            sheet.write("".join(chunk).encode())
    return count


def workbook_bytes(title, columns, rows, *, reveal=False):
    buffer = BytesIO()
    count = workbook_write(buffer, title, columns, rows, reveal=reveal)
    return buffer.getvalue(), count


def export_response(request, *, name, columns, rows, title=None):
    """An .xlsx download of `rows` made in the request, always masked; audited. Only for a sheet small by nature
    (the error report of one import, bounded by the uploaded file, which the report reads whole anyway): every list
    goes through `export_start` instead."""
    data, count = workbook_bytes(title or name, columns, rows, reveal=False)
    audit_record(
        AuditEvent.Action.EXPORT,
        summary=f"{name}: {count} rows",
        detail={"name": name, "rows": count, "unmasked": False, "path": request.get_full_path()},
    )
    filename = f"{name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- the lists --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportList:
    """An exportable list: its key ("registry.persons"), a label, the permission it needs, the parameters it takes
    (names of strings) and `build(user, params) -> (columns, rows, title)`, run acting as the user."""

    key: str
    label: object
    perm: str
    build: object
    params: tuple = ()


def export_lists():
    """Every app's lists, by key."""
    found = {}
    for module in app_modules("exports"):
        for entry in getattr(module, "EXPORTS", ()):
            found[entry.key] = entry
    return found


def export_list_get(key):
    found = export_lists().get(key or "")
    if found is None:
        raise ValidationError({"list": _("There is no such list to export.")})
    return found


def may_export(user):
    """Whether `user` may export any list (the menu's "my exports")."""
    return any(user.has_perm(entry.perm) for entry in export_lists().values())


def may_reveal(user):
    return user.has_perm(REVEAL_PERM)


def _clean_params(entry, params):
    params = params if isinstance(params, dict) else {}
    cleaned = {}
    for name in entry.params:
        value = params.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str | int):
            raise ValidationError({name: _("Give a text or a number.")})
        cleaned[name] = str(value).strip()[:200]
    return cleaned


def _count(rows):
    if isinstance(rows, QuerySet):
        return rows.count()
    return len(rows) if hasattr(rows, "__len__") else 0


def _iterate(rows):
    return rows.iterator(chunk_size=2000) if isinstance(rows, QuerySet) else iter(rows)


# --- services ---------------------------------------------------------------------------------------------------


def export_start(key, params=None, *, reveal_reason=None):
    """Asks for an export of list `key` with `params` for the acting user: their permission for the list (403);
    the parameters checked by building the list once (a ValidationError naming the field, a 404 outside the area);
    full numbers (asked for by giving `reveal_reason`, None: masked) only with the reveal permission (403) and a
    reason of at least REASON_MIN characters (ValidationError on "reveal_reason"). Audited;
    the task is enqueued on commit. Returns the Export."""
    actor = current_actor()
    entry = export_list_get(key)
    require(entry.perm)
    params = _clean_params(entry, params)
    reveal = reveal_reason is not None
    reason = (reveal_reason or "").strip()
    if reveal:
        require(REVEAL_PERM)
        if len(reason) < REASON_MIN:
            raise ValidationError({"reveal_reason": _("Say why you need the full numbers.")})
    _columns, rows, title = entry.build(actor.user, params)
    total = _count(rows)
    if total > settings.EXPORT_MAX_ROWS:
        raise ValidationError(
            {
                "list": _("This list has %(n)s rows; at most %(max)s can be exported.")
                % {"n": total, "max": settings.EXPORT_MAX_ROWS}
            }
        )
    scope = actor.scope
    with transaction.atomic():
        export = Export.all_objects.create(
            owner=actor.user,
            name=str(title)[:200],
            kind=entry.key,
            params=params,
            actor={
                "scope": {
                    "code": scope.code,
                    "area_id": scope.area_id,
                    "is_grid": scope.is_grid,
                    "empty": scope.empty,
                    "owner_id": scope.owner_id,
                },
                "allowed": sorted(actor.allowed) if actor.allowed is not None else None,
            },
            language=translation.get_language() or "",
            ip=actor.ip,
            rows_total=total,
            revealed=reveal,
            reveal_reason=reason[:200],
        )
        audit_record(
            AuditEvent.Action.EXPORT,
            target=export,
            summary=f"{entry.key}: requested" + (f", full numbers: {reason}" if reveal else ""),
            detail={"list": entry.key, "params": params, "revealed": reveal, "reason": reason, "rows": total},
        )
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id):
    from core.tasks import export_run_task

    export_run_task.enqueue(export_id)


def _export_actor(export):
    """The owner's actor as a request of theirs would have it now, narrowed to what the asking request had."""
    fresh = user_actor(export.owner, export.ip)
    asked = export.actor or {}
    if asked.get("scope"):
        fresh = fresh.replace(scope=scope_meet(fresh.scope, Scope(**asked["scope"])))
    if asked.get("allowed") is not None:
        allowed = frozenset(asked["allowed"])
        fresh = fresh.replace(allowed=allowed if fresh.allowed is None else fresh.allowed & allowed)
    return fresh


def export_path(export):
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    slug = slugify(export.kind.replace(".", "-")) or "export"
    return f"exports/{export.pk}-{slug}-{stamp}.xlsx"


def _export_write(export, entry, partial):
    """Reads the export's rows and writes them to `partial`, from the start; (rows counted, rows written)."""
    columns, rows, title = entry.build(export.owner, export.params)
    total = _count(rows)
    Export.all_objects.filter(pk=export.pk).update(rows_total=total)

    def progress(count):
        Export.all_objects.filter(pk=export.pk, status=Export.Status.RUNNING).update(rows_done=count)

    os.makedirs(os.path.dirname(partial), exist_ok=True)
    with open(partial, "wb") as target:
        count = workbook_write(
            target,
            title,
            columns,
            _iterate(rows),
            reveal=export.revealed,
            progress=progress,
            every=settings.EXPORT_PROGRESS_ROWS,
        )
    return total, count


def export_run(export_id):
    """The task's work: claims the queued export, reads its rows acting as its owner and writes the file, saving
    progress every EXPORT_PROGRESS_ROWS rows; done with the row count (audited), or failed with the message. It
    never raises: a failure is the export's, not the worker's."""
    with system_actor():
        claimed = Export.all_objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
            status=Export.Status.RUNNING
        )
        if not claimed:
            return None
        export = Export.all_objects.select_related("owner").get(pk=export_id)
    name = export_path(export)
    path = default_storage.path(name)
    partial = path + ".part"
    try:
        actor = _export_actor(export)
        with acting_as(actor), translation.override(export.language or settings.LANGUAGE_CODE):
            entry = export_list_get(export.kind)
            if not actor.may(entry.perm) or (export.revealed and not actor.may(REVEAL_PERM)):
                raise PermissionDenied(f"{export.owner} may no longer export {export.kind}")
            # The rows are read on the replica when there is one; if it fails mid-way, the file is written
            # again from the start on the primary (core.replica).
            total, count = on_replica(_export_write, export, entry, partial)
            os.replace(partial, path)
            Export.all_objects.filter(pk=export.pk).update(
                status=Export.Status.DONE,
                rows_done=count,
                rows_total=max(total, count),
                file=name,
                finished_at=timezone.now(),
            )
            audit_record(
                AuditEvent.Action.EXPORT,
                target=export,
                summary=f"{export.kind}: {count} rows" + (" (full numbers)" if export.revealed else ""),
                detail={"list": export.kind, "params": export.params, "rows": count, "unmasked": export.revealed},
            )
    except Exception as exc:  # noqa: BLE001 (the export fails, the worker goes on)
        logger.exception("export %s failed", export_id)
        if os.path.exists(partial):
            os.remove(partial)
        with system_actor():
            Export.all_objects.filter(pk=export.pk).update(
                status=Export.Status.FAILED,
                error=mask_numbers_in(f"{type(exc).__name__}: {exc}")[:1000],
                finished_at=timezone.now(),
            )
    return Export.all_objects.get(pk=export.pk)


def export_download(export):
    """Opens the finished file of the acting user's export for reading; audited. Http404-like None when there is
    no file (not done, failed, or deleted)."""
    if export.status != Export.Status.DONE or not export.file or not default_storage.exists(export.file.name):
        return None
    audit_record(
        AuditEvent.Action.EXPORT,
        target=export,
        summary=f"{export.kind}: downloaded",
        detail={"list": export.kind, "rows": export.rows_done, "unmasked": export.revealed, "download": True},
    )
    return default_storage.open(export.file.name, "rb")


def export_filename(export):
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    return f"{SHEET_TITLE_BAD.sub('-', export.name)}-{stamp}.xlsx"


def exports_purge():
    """Exports older than EXPORT_KEEP_HOURS: their files, then their rows (one audit row with the count). A list of
    residents in a file is not kept longer than it is needed."""
    hours = settings.EXPORT_KEEP_HOURS
    old = Export.all_objects.filter(created_at__lt=timezone.now() - timedelta(hours=hours))
    for name in old.exclude(file="").values_list("file", flat=True):
        if default_storage.exists(name):
            default_storage.delete(name)
    from core.retention import rows_purge

    return rows_purge(old, hours=hours)


# --- the audit log, for an inspector ------------------------------------------------------------------------------


class AuditPeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("from"), required=False)
    end = forms.DateField(label=gettext_lazy("to"), required=False)


def _audit_columns():
    actions = dict(AuditEvent.Action.choices)
    return [
        Column(gettext_lazy("time"), lambda r: r[0], width=20),
        Column(gettext_lazy("username"), lambda r: r[1]),
        Column(gettext_lazy("action"), lambda r: str(actions.get(r[2], r[2]))),
        Column(gettext_lazy("object type"), lambda r: r[3]),
        Column(gettext_lazy("object id"), lambda r: r[4]),
        Column(gettext_lazy("summary"), lambda r: r[5], width=40),
        Column(gettext_lazy("address"), lambda r: r[6] or ""),
        Column(gettext_lazy("detail"), lambda r: json.dumps(r[7], ensure_ascii=False, sort_keys=True), width=60),
    ]


def audit_log(user, params):
    """The audit log of a period (`start`, `end`: local dates, both included; a bad one is refused naming it): what
    an inspector asks for. Its rows hold numbers masked already (core.audit); the export is audited like any."""
    from core.selectors import audit_events_between

    period = AuditPeriodForm(params)
    if not period.is_valid():
        raise ValidationError(
            {name: [f"{period.fields[name].label}: {e}" for e in errors] for name, errors in period.errors.items()}
        )
    start, end = period.cleaned_data["start"], period.cleaned_data["end"]
    if start and end and end < start:
        raise ValidationError({"end": _("The end is before the start.")})
    return _audit_columns(), audit_events_between(start, end), _("audit log")


EXPORTS = [
    ExportList("core.audit", gettext_lazy("audit log"), "core.view_auditevent", audit_log, params=("start", "end"))
]
