"""The ledger as the familiar sheet: one row per person per group. The export writes it; the import reads the same
columns (Chinese or English headers), keeps good rows and reports each bad one with row, column and reason."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from care.models import Need, RiskLevel
from care.services import ledger_entry_save
from core import uploads
from core.exports import Column
from registry.identity import IdentityError, parse_ric
from registry.models import Person, SpecialGroup


def export_columns():
    return [
        Column(gettext_lazy("grid"), "grid.name"),
        Column(gettext_lazy("name"), "person.name"),
        Column(gettext_lazy("sex"), lambda e: e.person.get_sex_display()),
        Column(gettext_lazy("age"), "person.age"),
        Column(gettext_lazy("ID number"), "person.id_number", sensitive="id_number", width=22),
        Column(gettext_lazy("phone"), "person.phone", sensitive="phone", width=14),
        Column(gettext_lazy("address"), lambda e: str(e.person.household or ""), width=30),
        Column(gettext_lazy("special group"), "group.label"),
        Column(gettext_lazy("since"), "since"),
        Column(gettext_lazy("risk level"), "risk_level.label"),
        Column(gettext_lazy("needs"), lambda e: "、".join(str(n) for n in e.need_labels()), width=20),
        Column(gettext_lazy("other needs"), "needs_note"),
        Column(gettext_lazy("guardian / emergency contact"), "guardian_name"),
        Column(gettext_lazy("relation"), "guardian_relation"),
        Column(gettext_lazy("contact phone"), "guardian_phone", sensitive="phone", width=14),
    ]


# Import headers: each field answers to its Chinese and English names.
HEADERS = {
    "id_number": ("身份证号", "证件号码", "id number"),
    "group": ("人群类别", "特殊人群", "special group", "group"),
    "since": ("纳入日期", "since"),
    "risk_level": ("风险等级", "risk level"),
    "needs": ("需求", "needs"),
    "needs_note": ("其他需求", "other needs"),
    "guardian_name": ("监护人", "监护人或紧急联系人", "guardian / emergency contact", "guardian"),
    "guardian_relation": ("关系", "relation"),
    "guardian_phone": ("联系电话", "监护人电话", "contact phone"),
}


class RowError(Exception):
    def __init__(self, column, reason):
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _header_map(header):
    found = {}
    for index, cell in enumerate(header):
        name = str(cell).strip().lower()
        for field, names in HEADERS.items():
            if name in {n.lower() for n in names}:
                found.setdefault(field, index)
    return found


def _lookup_tables():
    groups = {}
    for group in SpecialGroup.objects.all():
        for key in (group.code, group.name, group.name_en):
            if key:
                groups[key.strip().lower()] = group
    risks = {}
    for level in RiskLevel.objects.all():
        for key in (level.name, level.name_en):
            if key:
                risks[key.strip().lower()] = level
        risks[str(level.rank)] = level
    needs = {}
    for code, label in Need.choices:
        needs[code] = code
        needs[str(label).lower()] = code
    from django.utils import translation

    with translation.override("zh-hans"):
        for code, label in Need.choices:
            needs[str(label).lower()] = code
    return groups, risks, needs


def _cell(row, index):
    if index is None or index >= len(row):
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, date | datetime) else str(value).strip()


def _parse_row(row, columns, tables):
    groups, risks, needs_table = tables
    raw_id = _cell(row, columns["id_number"])
    try:
        number = parse_ric(raw_id)[0]
    except IdentityError as exc:
        raise RowError("id_number", str(exc)) from None
    person = Person.objects.filter(id_number=number).first()
    if person is None:
        raise RowError("id_number", _("no such person in your area"))
    group = groups.get(str(_cell(row, columns["group"])).lower())
    if group is None:
        raise RowError("group", _("unknown special group"))
    fields = {}
    risk = _cell(row, columns.get("risk_level"))
    if risk:
        fields["risk_level"] = risks.get(str(risk).lower())
        if fields["risk_level"] is None:
            raise RowError("risk_level", _("unknown risk level"))
    needs = []
    for part in str(_cell(row, columns.get("needs"))).replace("，", ",").replace("、", ",").split(","):
        if part.strip():
            code = needs_table.get(part.strip().lower())
            if code is None:
                raise RowError("needs", _("unknown need: %s") % part.strip())
            needs.append(code)
    fields["needs"] = needs
    since = _cell(row, columns.get("since"))
    if since:
        fields["since"] = _parse_date(since)
    for field in ("needs_note", "guardian_name", "guardian_relation", "guardian_phone"):
        fields[field] = str(_cell(row, columns.get(field)))
    return person, group, fields


def _parse_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).replace("/", "-"))
    except ValueError:
        raise RowError("since", _("not a date (use 2022-09-05)")) from None


def ledger_import(data, *, by):
    """Reads an .xlsx of the ledger layout. Returns (saved count, [{row, column, reason}]). Raises
    core.uploads.UploadRefused for a file that is not a workbook or is past the upload limits."""
    sheet = uploads.spreadsheet_rows(uploads.upload_bytes(data))
    if not sheet:
        return 0, [{"row": 0, "column": "", "reason": _("The sheet is empty.")}]
    columns = _header_map(sheet[0])
    missing = [HEADERS[f][0] for f in ("id_number", "group") if f not in columns]
    if missing:
        return 0, [{"row": 1, "column": "、".join(missing), "reason": _("required column missing")}]
    tables = _lookup_tables()
    saved, errors = 0, []
    for number, row in enumerate(sheet[1:], start=2):
        if not any(str(c).strip() for c in row):
            continue
        try:
            person, group, fields = _parse_row(row, columns, tables)
            ledger_entry_save(person, group, by=by, **fields)
            saved += 1
        except RowError as exc:
            errors.append({"row": number, "column": HEADERS[exc.column][0], "reason": exc.reason})
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.append({"row": number, "column": HEADERS.get(field, (field,))[0], "reason": "; ".join(messages)})
    return saved, errors
