"""Importing residents from a ledger spreadsheet (.xlsx, .xls, .ods, or .csv in UTF-8 or GBK).

Good rows are kept, bad rows are reported (row number as the spreadsheet shows it, the column's header as the file
writes it, and why). A person is the same person when their document (type and number) is the same, district-wide:
an unchanged row changes nothing, a changed row updates through registry.services (audited). New persons are
created in bulk, one transaction per chunk, each with a residence and a CREATE audit row, so a crash loses nothing
already accepted and every person's history starts with the import that registered them.
"""

import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from stdnum.cn.ric import calc_check_digit

from accounts.services import actor_for, scope_for_user
from core import uploads
from core.audit import audit_record
from core.context import Scope, acting_as, current_actor, current_scope
from core.masking import mask_id_number, mask_phone
from core.models import AuditEvent
from core.retention import days_ago
from registry.identity import IdentityError, clean_text, parse_phone
from registry.models import Area, Building, Household, ImportJob, Person, PersonGroup, Residence, SpecialGroup
from registry.services import derived_fields, identity_fields, person_move, person_update

CHUNK = 2000
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}

# Header aliases, compared after normalising (NFKC, lower case, no spaces or '*' marks of required columns).
HEADERS = {
    "name": ["姓名", "name", "名字", "居民姓名"],
    "id_type": ["证件类型", "id_type", "idtype", "documenttype"],
    "id_number": ["身份证号", "身份证号码", "证件号码", "证件号", "公民身份号码", "id_number", "idnumber", "id"],
    "phone": ["手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile", "tel"],
    "grid": ["网格", "所属网格", "网格编码", "网格名称", "grid"],
    "address": ["地址", "楼栋", "住址", "居住地址", "楼栋地址", "address", "building"],
    "unit": ["单元", "unit"],
    "floor": ["楼层", "层", "floor"],
    "room": ["房号", "房间号", "门牌号", "室", "room"],
    "relation": ["与户主关系", "关系", "relation"],
    "residence_status": ["居住状态", "人口类型", "residence_status", "residencestatus", "status"],
    "special_groups": ["特殊人群", "人群类别", "special_groups", "specialgroups", "groups"],
    "mobility": ["行动能力", "mobility"],
}
REQUIRED = ("name", "id_number")
# What each column means, for the preview's column mapping and the template's notes sheet.
FIELD_LABELS = {
    "name": pgettext_lazy("person", "name"),
    "id_type": gettext_lazy("ID type"),
    "id_number": gettext_lazy("ID number"),
    "phone": gettext_lazy("phone"),
    "grid": gettext_lazy("grid"),
    "address": gettext_lazy("address (building)"),
    "unit": gettext_lazy("unit"),
    "floor": gettext_lazy("floor"),
    "room": gettext_lazy("room"),
    "relation": gettext_lazy("relation to the head of household"),
    "residence_status": gettext_lazy("residence status"),
    "special_groups": gettext_lazy("special groups"),
    "mobility": gettext_lazy("mobility"),
}
FIELD_NOTES = {
    "name": gettext_lazy("Required."),
    "id_type": gettext_lazy("Blank means a resident ID card. Also: passport, Hong Kong/Macao permit, Taiwan permit."),
    "id_number": gettext_lazy("Required. Keep the column as text so that Excel does not round the number."),
    "phone": gettext_lazy("A mainland mobile or fixed line."),
    "grid": gettext_lazy("The grid's code, or its name if no other grid has it."),
    "address": gettext_lazy(
        "The building as the register names it; the door may follow it (unit-room: 1-502) when the room column is blank."
    ),
    "unit": gettext_lazy("A number; blank is unit 1."),
    "floor": gettext_lazy("A number; blank means the room's first digits (502 is on floor 5)."),
    "room": gettext_lazy("The room (502), or the whole door (1-502)."),
    "special_groups": gettext_lazy("Separated by 、 or commas; names as the district's special groups."),
}
# Columns whose values are the register's choices: the template lists them in the user's language.
CHOICE_COLUMNS = {"relation": Person.Relation, "residence_status": Person.ResidenceStatus, "mobility": Person.Mobility}
TEMPLATE_COLUMNS = [
    "name",
    "id_type",
    "id_number",
    "phone",
    "grid",
    "address",
    "unit",
    "room",
    "relation",
    "residence_status",
    "special_groups",
    "mobility",
]
# The template's example row carries this synthetic number, which the importer refuses: an example left in a
# filled-in template must not become a person.
EXAMPLE_ID_NUMBER = "44070419500101003" + calc_check_digit("44070419500101003")
PREVIEW_ROWS = 10

# Words ledgers use for the choices, beyond the codes and the labels in both languages.
CHOICE_WORDS = {
    "id_type": {
        "ric": ["身份证", "居民身份证", "二代身份证"],
        "passport": ["护照"],
        "hkmo": ["港澳通行证", "港澳居民来往内地通行证", "港澳居民居住证"],
        "tw": ["台胞证", "台湾居民来往大陆通行证", "台湾居民居住证"],
        "other": ["其他"],
    },
    "relation": {
        "head": ["户主", "本人"],
        "spouse": ["配偶", "妻", "夫", "妻子", "丈夫"],
        "child": ["子女", "子", "女", "儿子", "女儿"],
        "parent": ["父母", "父亲", "母亲"],
        "grandchild": ["孙子女", "孙子", "孙女", "外孙", "外孙女"],
        "grandparent": ["祖父母", "祖父", "祖母", "外祖父", "外祖母"],
        "sibling": ["兄弟姐妹", "兄", "弟", "姐", "妹"],
        "tenant": ["租户", "租客"],
        "other": ["其他"],
    },
    "residence_status": {
        "registered": ["户籍", "户籍人口"],
        "resident": ["常住", "常住人口"],
        "floating": ["流动", "流动人口", "暂住"],
        "away": ["外出", "不在本地"],
        "moved_out": ["迁出"],
        "deceased": ["死亡", "已故"],
    },
    "mobility": {
        "normal": ["正常", "行动自如", "自理"],
        "limited": ["行动不便", "半失能"],
        "bedridden": ["卧床", "失能", "长期卧床"],
    },
}
CHOICES = {
    "id_type": Person.IdType,
    "relation": Person.Relation,
    "residence_status": Person.ResidenceStatus,
    "mobility": Person.Mobility,
}
# A building's number as ledgers write it (3栋, 3幢, 3座, 3号楼, 3号栋) → "3栋", as the register names buildings.
BUILDING_NUMBER = re.compile(r"(\d+)(?:号楼|号栋|栋|幢|座)")
# The door at the end of an address: "…1单元502", or after a building's 栋 "…栋1-502" and "…栋502室". Without the
# 栋 a "12-3" or a bare number belongs to the street address (外海大道12-3号), not to a door.
DOOR_AFTER_UNIT = re.compile(r"(?P<unit>\d+)单元(?P<room>\d+)(?:室|房)?$")
DOOR_AFTER_BUILDING = re.compile(r"(?<=栋)(?:(?P<unit>\d+)-)?(?P<room>\d+)(?:室|房)?$")
# A door written in the room column alone: "1单元502", "1-502".
DOOR_IN_ROOM = re.compile(r"(?P<unit>\d+)(?:单元|-)(?P<room>\d+)(?:室|房)?")
DASHES = re.compile(r"[‐‑‒–—―－]")
GROUP_SEPARATORS = re.compile(r"[,，、;；/|]+")


class ImportFileError(Exception):
    """The file cannot be read as a residents' table at all (nothing was imported)."""


@dataclass
class ImportReport:
    filename: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list = field(default_factory=list)

    def counts(self):
        return {k: getattr(self, k) for k in ("created", "updated", "unchanged", "rejected")}

    def as_dict(self):
        return {**self.counts(), "errors": self.errors}


@dataclass
class Table:
    headers: list  # as the file writes them
    columns: dict  # field → index into a row
    rows: list  # lists of strings, the file's data rows in order (row number = index + 2)


# Reading ---------------------------------------------------------------------------------------------------------


def normalise_header(text):
    return re.sub(r"[\s*＊:：()（）]", "", unicodedata.normalize("NFKC", str(text or ""))).lower()


HEADER_FIELDS = {normalise_header(alias): key for key, aliases in HEADERS.items() for alias in aliases}


def cell_text(value):
    """A cell as the text a person typed. Excel stores long digit strings as floats: an integer below 10^15 is
    exact and comes back as its digits; a larger one has lost digits and comes back the way Excel shows it
    (4.40704E+17), which identity parsing then refuses by name."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)) if abs(value) < 1e15 else f"{value:G}"
        return repr(value)
    return str(value).strip()


def decode_csv(data):
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312, what Excel on a Chinese Windows writes
    except UnicodeDecodeError:
        raise ImportFileError(_("The file is neither UTF-8 nor GBK text.")) from None


def csv_rows(data):
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count)
    return uploads.csv_rows(text, delimiter=delimiter)


def read_bytes(path_or_file):
    """The file's bytes, its size checked first (core.uploads)."""
    try:
        return uploads.upload_bytes(path_or_file)
    except OSError as exc:
        raise ImportFileError(_("The file cannot be opened: %(error)s") % {"error": exc.strerror}) from None


def table_read(path_or_file, *, filename):
    """The file's header and data rows, as text. Raises ImportFileError if it is not a table we can read."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES and suffix not in (".csv", ".txt"):
        raise ImportFileError(_("Upload an .xlsx, .xls or .csv file."))
    try:
        data = read_bytes(path_or_file)
        raw = uploads.spreadsheet_rows(data) if suffix in SPREADSHEET_SUFFIXES else csv_rows(data)
    except uploads.UploadRefused as exc:
        raise ImportFileError(str(exc)) from None
    rows = [[cell_text(v) for v in row] for row in raw]
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise ImportFileError(_("The file is empty."))
    headers = rows[0]
    columns = {}
    for index, header in enumerate(headers):
        key = HEADER_FIELDS.get(normalise_header(header))
        if key and key not in columns:
            columns[key] = index
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        names = "、".join(HEADERS[key][0] for key in missing)
        raise ImportFileError(_("The file has no column for: %(columns)s.") % {"columns": names})
    return Table(headers=headers, columns=columns, rows=rows[1:])


def table_count(path_or_file, *, filename):
    """The number of data rows of an upload, which must name each row's grid (a page has no --grid)."""
    table = table_read(path_or_file, filename=filename)
    if "grid" not in table.columns:
        raise ImportFileError(_("The file has no column for: %(columns)s.") % {"columns": HEADERS["grid"][0]})
    return sum(1 for row in table.rows if any(row))


# Rows → persons ------------------------------------------------------------------------------------------------


def choice_words(choices, extra):
    words = {}
    for value, label in choices.choices:
        words[value.lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                words[str(label).lower()] = value
    for value, aliases in extra.items():
        for alias in aliases:
            words[alias.lower()] = value
    return words


class RowReader:
    """Turns one data row into the fields of a person, collecting every error of the row."""

    def __init__(self, table, *, grids, default_grid, scope):
        self.table = table
        self.grids = grids
        self.default_grid = default_grid
        self.scope = scope
        self.choices = {key: choice_words(CHOICES[key], CHOICE_WORDS[key]) for key in CHOICES}
        self.groups = {}
        for group in SpecialGroup.objects.all():
            for word in (group.code, group.name, group.name_en):
                if word:
                    self.groups[word.lower()] = group

    def value(self, row, key):
        index = self.table.columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    def header(self, key):
        index = self.table.columns.get(key)
        return self.table.headers[index] if index is not None else HEADERS[key][0]

    def read(self, row):
        """→ (fields, errors): fields holds only what the row states; errors are (column header, message)."""
        fields, errors = {}, []

        def fail(key, message):
            errors.append((self.header(key), message))

        name = self.value(row, "name")
        if not name:
            fail("name", _("name is missing"))
        elif len(name) > 60:
            fail("name", _("name is longer than 60 characters"))
        fields["name"] = name
        for key in CHOICES:
            raw = self.value(row, key)
            if raw:
                choice = self.choices[key].get(raw.lower())
                if choice is None:
                    fail(key, _("“%(value)s” is not a known value") % {"value": raw})
                fields[key] = choice
        id_type = fields.pop("id_type", None) or Person.IdType.RESIDENT_ID
        raw_id = self.value(row, "id_number")
        if not raw_id:
            fail("id_number", _("ID number is missing"))
        elif clean_text(raw_id) == EXAMPLE_ID_NUMBER:
            fail("id_number", _("this is the template's example row: delete it"))
        else:
            try:
                fields.update(identity_fields(id_type, raw_id), id_type=id_type)
            except IdentityError as exc:
                fail("id_number", str(exc))
        raw_phone = self.value(row, "phone")
        if raw_phone:
            try:
                fields["phone"] = parse_phone(raw_phone)
            except IdentityError as exc:
                fail("phone", str(exc))
        self.read_grid(row, fields, fail)
        self.read_door(row, fields, fail)
        raw_groups = self.value(row, "special_groups")
        if raw_groups:
            groups = []
            for word in filter(None, (w.strip() for w in GROUP_SEPARATORS.split(raw_groups))):
                group = self.groups.get(word.lower())
                if group is None:
                    fail("special_groups", _("“%(value)s” is not a special group") % {"value": word})
                else:
                    groups.append(group)
            fields["special_groups"] = groups
        return fields, errors

    def read_grid(self, row, fields, fail):
        raw = clean_text(self.value(row, "grid")) if "grid" in self.table.columns else ""
        if not raw:
            if self.default_grid is None:
                fail("grid", _("grid is missing"))
            fields["grid"], fields["grid_stated"] = self.default_grid, False
            return
        grid = self.grids.get(raw)
        if grid is None:
            fail("grid", _("no grid “%(value)s” in the district") % {"value": raw})
        elif grid == "ambiguous":
            fail("grid", _("several grids are named “%(value)s”; use the grid code") % {"value": raw})
        elif not self.scope.covers(grid.code):
            fail("grid", _("grid “%(value)s” is outside your area") % {"value": raw})
        else:
            fields["grid"], fields["grid_stated"] = grid, True

    def read_door(self, row, fields, fail):
        if not self.value(row, "address"):
            return
        address, unit, room = door_parse(self.value(row, "address"), self.value(row, "unit"), self.value(row, "room"))
        if len(address) > 200:
            fail("address", _("address is longer than 200 characters"))
        number = {}
        for key, raw in (("unit", unit), ("floor", self.value(row, "floor"))):
            text = clean_text(raw).removesuffix(".0")
            if text and not re.fullmatch(r"-?\d{1,3}", text):
                fail(key, _("“%(value)s” is not a number") % {"value": raw})
            number[key] = int(text) if re.fullmatch(r"-?\d{1,3}", text) else None
        room = clean_text(room).removesuffix(".0")
        if len(room) > 20:
            fail("room", _("room is longer than 20 characters"))
        floor = number["floor"]
        if floor is None:
            # Rooms are numbered floor-first (302 is on the 3rd floor).
            floor = int(room[:-2]) if re.fullmatch(r"\d{3,4}", room) else 1
        fields["door"] = (address, max(1, number["unit"] or 1), floor, room)


def compact_text(value):
    """Full-width to ASCII (NFKC), every dash a hyphen, no spaces: "明泰城 3栋 1单元 ５０２" → "明泰城3栋1单元502"."""
    return DASHES.sub("-", re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))))


def door_parse(address, unit="", room=""):
    """(building address, unit, room) as text, however a ledger writes the door: in its own columns, in the room
    column ("1单元 502", "1-502"), or at the end of the address ("1栋2单元502室", "3号楼1单元502", "3栋1-502").
    The building keeps the register's spelling ("3栋"), so the same building is found whichever way it is
    written."""
    address, unit, room = (compact_text(v) for v in (address, unit, room))
    address = BUILDING_NUMBER.sub(r"\1栋", address)
    if not unit and not room:
        door = DOOR_AFTER_UNIT.search(address) or DOOR_AFTER_BUILDING.search(address)
        if door and door.start() > 0:
            address, unit, room = address[: door.start()], door["unit"] or "", door["room"]
    elif not unit and (door := DOOR_IN_ROOM.fullmatch(room)):
        unit, room = door["unit"], door["room"]
    return address, unit.removesuffix("单元"), re.sub(r"(?:室|房)$", "", room)


def buildings_named(rows):
    """The registered buildings the rows' addresses name, by (community id, address): a compound's building is
    one building, whichever of the community's grids a ledger puts it in."""
    wanted = {(f["grid"].parent_id, f["door"][0]) for f in rows if "door" in f}
    if not wanted:
        return {}
    found = {}
    buildings = Building.all_objects.filter(
        grid__parent_id__in={c for c, _a in wanted}, address__in={a for _c, a in wanted}
    ).select_related("grid")
    for building in buildings.order_by("pk"):
        found.setdefault((building.grid.parent_id, building.address), []).append(building)
    return found


def building_match(fields, buildings, scope):
    """Puts the registered building a row names into fields["building"] (None: a new building), or returns why
    the row needs a decision. A building registered in another grid is never created twice; a row that states
    a different grid for it is held back rather than silently moving the building or splitting it."""
    grid, address = fields["grid"], fields["door"][0]
    candidates = buildings.get((grid.parent_id, address), [])
    same_grid = [b for b in candidates if b.grid_id == grid.pk]
    fields["building"] = same_grid[0] if same_grid else None
    if same_grid or not candidates:
        return None
    if len(candidates) > 1:
        names = "、".join(sorted({b.grid.name for b in candidates}))
        return _("“%(address)s” is registered in several grids (%(grids)s); settle which one first") % {
            "address": address,
            "grids": names,
        }
    building = candidates[0]
    if fields["grid_stated"]:
        return _(
            "“%(address)s” is registered in %(registered)s, not %(stated)s: correct the row's grid, or move the "
            "building first"
        ) % {"address": address, "registered": building.grid.name, "stated": grid.name}
    if not scope.covers(building.grid.code):
        return _("“%(address)s” is registered in %(registered)s, outside your area") % {
            "address": address,
            "registered": building.grid.name,
        }
    # The row named no grid (the command's --grid stood in): the registered building decides.
    fields["grid"], fields["building"] = building.grid, building
    return None


def grids_by_word():
    """Each grid by its code and by its name; a name two grids share is 'ambiguous'."""
    words = {}
    for grid in Area.all_objects.filter(level=Area.Level.GRID):
        words[grid.code] = grid
        words[grid.name] = "ambiguous" if grid.name in words else grid
    return words


# Writing ---------------------------------------------------------------------------------------------------------


class Importer:
    def __init__(self, table, report, *, reader, scope, filename):
        self.table = table
        self.report = report
        self.reader = reader
        self.scope = scope
        self.filename = filename
        self.first_row = {}  # (id_type, id_number) → the row that registered it in this file
        self.new_buildings = {}  # (community id, address) → (grid, row) of the first row naming a new building

    def reject(self, row_number, errors):
        self.report.rejected += 1
        for column, message in errors:
            self.report.errors.append({"row": row_number, "column": column, "message": message})

    def checked(self, start, rows):
        """Every check a row needs before anything is written, for the import and its preview alike:
        ([(row number, fields, errors)] of the non-empty rows, the registered persons they name)."""
        results = []
        for offset, row in enumerate(rows):
            number = start + offset
            if not any(row):
                continue
            fields, errors = self.reader.read(row)
            if not errors:
                key = (fields["id_type"], fields["id_number"])
                if key in self.first_row:
                    message = _("same person as row %(row)s") % {"row": self.first_row[key]}
                    errors = [(self.reader.header("id_number"), message)]
                else:
                    self.first_row[key] = number
            results.append((number, fields, errors))
        accepted = [(number, fields) for number, fields, errors in results if not errors]
        existing = self.existing_persons(accepted)
        buildings = buildings_named([fields for _number, fields in accepted])
        for number, fields, errors in results:
            if errors:
                continue
            person = existing.get((fields["id_type"], fields["id_number"]))
            if person is not None and not self.scope.covers(person.grid.code):
                errors.append((self.reader.header("id_number"), _("registered in another area")))
            elif "door" in fields:
                message = building_match(fields, buildings, self.scope) or self.new_building_claim(number, fields)
                if message:
                    errors.append((self.reader.header("address"), message))
        return results, existing

    def new_building_claim(self, number, fields):
        """The first row naming a new building puts it in its grid; a later row putting it in another grid is
        held back, as it would be once the building is registered."""
        if fields["building"] is not None:
            return None
        key = (fields["grid"].parent_id, fields["door"][0])
        grid, first = self.new_buildings.setdefault(key, (fields["grid"], number))
        if grid.pk == fields["grid"].pk:
            return None
        return _("“%(address)s” is put in %(grid)s by row %(row)s of this file") % {
            "address": fields["door"][0],
            "grid": grid.name,
            "row": first,
        }

    def run_chunk(self, start, rows):
        with transaction.atomic():
            results, existing = self.checked(start, rows)
            kept = []
            for number, fields, errors in results:
                if errors:
                    self.reject(number, errors)
                else:
                    kept.append((existing.get((fields["id_type"], fields["id_number"])), fields))
            doors = self.doors_for([fields for _person, fields in kept])
            new = []
            for person, fields in kept:
                household = doors.get((fields["grid"].pk, *fields["door"])) if "door" in fields else None
                if person is None:
                    new.append((fields, household))
                else:
                    self.update(person, fields, household)
            self.create(new)

    def existing_persons(self, accepted):
        by_type = {}
        for _number, fields in accepted:
            by_type.setdefault(fields["id_type"], []).append(fields["id_number"])
        found = {}
        for id_type, numbers in by_type.items():
            persons = (
                Person.all_objects.filter(id_type=id_type, id_number__in=numbers)
                .select_related("grid")
                .prefetch_related("special_groups")
            )
            found.update({(p.id_type, p.id_number): p for p in persons})
        return found

    def doors_for(self, rows):
        """The households the rows name, created (with their buildings) where missing."""
        wanted = {(f["grid"], *f["door"]) for f in rows if "door" in f}
        if not wanted:
            return {}
        buildings = {(f["grid"].pk, f["door"][0]): f["building"] for f in rows if f.get("building")}
        missing = {(grid.pk, address) for grid, address, *_rest in wanted} - set(buildings)
        created = Building.all_objects.bulk_create(
            Building(grid_id=grid_id, address=address, name=address[:60]) for grid_id, address in sorted(missing)
        )
        buildings.update({(b.grid_id, b.address): b for b in created})
        households = {
            (h.building_id, h.unit, h.room): h
            for h in Household.all_objects.filter(building__in=[b.pk for b in buildings.values()])
        }
        new = {}
        for grid, address, unit, floor, room in wanted:
            building = buildings[(grid.pk, address)]
            if (building.pk, unit, room) not in households:
                new[(building.pk, unit, room)] = Household(
                    building=building, grid=grid, unit=unit, floor=floor, room=room
                )
        for household in Household.all_objects.bulk_create(new.values()):
            households[(household.building_id, household.unit, household.room)] = household
        return {
            (grid.pk, address, unit, floor, room): households[(buildings[(grid.pk, address)].pk, unit, room)]
            for grid, address, unit, floor, room in wanted
        }

    def update(self, person, fields, household):
        """Only what the row states and differs; a blank cell leaves the register as it is. Special groups named
        in the row are added, never removed: taking someone off a ledger is a decision, not a spreadsheet edit."""
        changes = {
            key: value
            for key, value in fields.items()
            if key in ("name", "phone", "relation", "residence_status", "mobility") and value
        }
        changes = {key: value for key, value in changes.items() if getattr(person, key) != value}
        tags = [g for g in fields.get("special_groups", []) if g not in set(person.special_groups.all())]
        # A row without a grid of its own (the command's --grid filled it in) does not move anyone.
        moves = fields["grid_stated"] and (
            fields["grid"] != person.grid or (household is not None and household.pk != person.household_id)
        )
        if not (changes or tags or moves):
            self.report.unchanged += 1
            return
        if changes:
            person_update(person, **changes)
        if moves:
            person_move(
                person,
                grid=fields["grid"],
                household=household,
                reason=_("import of %(file)s") % {"file": self.filename},
            )
        if tags:
            PersonGroup.all_objects.bulk_create(PersonGroup(person=person, group=g) for g in tags)
            audit_record(
                AuditEvent.Action.UPDATE,
                target=person,
                summary=person.name,
                detail={"changes": {"special_groups": [None, [g.code for g in tags]]}},
            )
        self.report.updated += 1

    def create(self, new):
        if not new:
            return
        persons = []
        for fields, household in new:
            person = SimpleNamespace(
                grid_id=fields["grid"].pk,
                household_id=household.pk if household is not None else None,
                **{
                    k: v
                    for k, v in fields.items()
                    if k not in ("grid", "grid_stated", "door", "building", "special_groups")
                },
            )
            person.phone = getattr(person, "phone", "")
            derived_fields(person)
            persons.append(vars(person))
        rows_insert(Person, persons)
        pks = self.pks_of(persons)
        for person in persons:
            person["id"] = pks[(person["id_type"], person["id_number"])]
        rows_insert(
            Residence,
            [{"person_id": p["id"], "grid_id": p["grid_id"], "household_id": p["household_id"]} for p in persons],
            started_at=timezone.now(),
        )
        rows_insert(
            PersonGroup,
            [
                {"person_id": p["id"], "group_id": g.pk}
                for p, (fields, _h) in zip(persons, new, strict=True)
                for g in fields.get("special_groups", [])
            ],
        )
        actor = current_actor()
        user = actor.user if actor.user is not None and actor.user.is_authenticated else None
        rows_insert(
            AuditEvent,
            [{"target_id": str(p["id"]), "summary": p["name"]} for p in persons],
            actor_id=user.pk if user else None,
            actor_name=user.get_username() if user else "",
            action=AuditEvent.Action.CREATE,
            target_type=Person._meta.label_lower,
            detail={"import": self.filename},
            ip=actor.ip,
        )
        self.report.created += len(persons)

    def pks_of(self, persons):
        found = {}
        for id_type in {p["id_type"] for p in persons}:
            numbers = [p["id_number"] for p in persons if p["id_type"] == id_type]
            rows = Person.all_objects.filter(id_type=id_type, id_number__in=numbers).values_list("id_number", "pk")
            found.update({(id_type, number): pk for number, pk in rows})
        return found


def rows_insert(model, rows, **constants):
    """INSERTs rows (dicts of attname → value) with executemany, without model instances: an import writes four
    rows per person, and bulk_create spends most of its time preparing each value of each instance. Fields a row
    does not name take `constants`, then the field's default, as bulk_create would give them."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    fixed = {}
    for f in fields:
        value = constants.get(
            f.attname, now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        )
        fixed[f.attname] = f.get_db_prep_save(value, connection)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    params = [[db_value(f, row[f.attname]) if f.attname in row else fixed[f.attname] for f in fields] for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 1000):
            cursor.executemany(sql, params[start : start + 1000])


def db_value(field, value):
    if value is None or isinstance(value, str | int):
        return value
    return field.get_db_prep_save(value, connection)


def importer_for(table, report, *, scope, filename, default_grid=None):
    reader = RowReader(table, grids=grids_by_word(), default_grid=default_grid, scope=scope)
    return Importer(table, report, reader=reader, scope=scope, filename=filename)


def residents_import(path_or_file, *, filename, user=None, progress=None, default_grid=None):
    """Imports a residents' file; returns an ImportReport. Raises ImportFileError when the file cannot be read at
    all. `user` (default: whoever is acting) bounds which grids and persons the file may touch; `progress(done,
    total)` is called after each chunk; `default_grid` stands in for a missing grid cell."""
    actor = current_actor()
    user = user if user is not None else actor.user
    scope = scope_for_user(user) if user is not None else current_scope()
    table = table_read(path_or_file, filename=filename)
    if "grid" not in table.columns and default_grid is None:
        raise ImportFileError(_("The file has no column for: %(columns)s.") % {"columns": HEADERS["grid"][0]})
    report = ImportReport(filename=filename, rows=sum(1 for row in table.rows if any(row)))
    # Deduplication is district-wide, so the work sees every area; what the user may touch is checked row by row.
    with acting_as(actor.replace(user=user, scope=Scope.everything())):
        importer = importer_for(table, report, scope=scope, filename=filename, default_grid=default_grid)
        total = len(table.rows)
        for start in range(0, total, CHUNK):
            importer.run_chunk(start + 2, table.rows[start : start + CHUNK])
            if progress is not None:
                progress(min(start + CHUNK, total), total)
        report.errors.sort(key=lambda e: e["row"])
        audit_record(
            AuditEvent.Action.IMPORT,
            summary=f"{filename}: " + ", ".join(f"{k} {v}" for k, v in report.counts().items()),
            detail={"file": filename, "rows": report.rows, **report.counts()},
        )
    return report


# Uploads ---------------------------------------------------------------------------------------------------------


def import_job_create(user, upload, *, rows, ip=None):
    """Stores an upload for its preview; nothing reaches the register before import_job_start."""
    return ImportJob.all_objects.create(
        file=upload,
        filename=Path(upload.name).name[:200],
        user=user,
        area=user.area,
        ip=ip,
        rows_total=rows,
        status=ImportJob.Status.PREVIEW,
    )


@dataclass
class PreviewRow:
    """A row as the import will read it: what parsed, else the cell as written; ID and phone masked."""

    number: int
    errors: list  # (column header, message)
    name: str = ""
    id_number: str = ""
    phone: str = ""
    grid: str = ""
    door: str = ""
    building_registered: bool = False
    relation: str = ""
    residence_status: str = ""
    mobility: str = ""
    special_groups: str = ""

    @classmethod
    def of(cls, number, fields, errors, cells):
        row = cls(number, errors, name=fields.get("name") or cells.get("name", ""))
        row.id_number = mask_id_number(fields.get("id_number") or clean_text(cells.get("id_number", "")))
        row.phone = mask_phone(fields.get("phone") or clean_text(cells.get("phone", "")))
        grid = fields.get("grid")
        row.grid = grid.name if grid else cells.get("grid", "")
        if "door" in fields:
            address, unit, _floor, room = fields["door"]
            row.door = f"{address} {unit}单元 {room}" if room else address
            row.building_registered = fields.get("building") is not None
        for key in CHOICES:
            if key != "id_type" and fields.get(key):
                setattr(row, key, str(CHOICES[key](fields[key]).label))
        row.special_groups = "、".join(g.label for g in fields.get("special_groups", []))
        return row


@dataclass
class Preview:
    mapping: list  # (file header, field label or None when the column is not imported)
    rows: list  # PreviewRow
    total: int


def import_preview(job, limit=PREVIEW_ROWS):
    """The first rows of a stored upload as the import will read them, with every error found in them, as its
    uploader (their area decides what the rows may touch). Reads only."""
    with job.file.open("rb") as data:
        table = table_read(data, filename=job.filename)
    used = {index: key for key, index in table.columns.items()}
    mapping = [(header, FIELD_LABELS[used[i]] if i in used else None) for i, header in enumerate(table.headers)]
    scope = scope_for_user(job.user) if job.user is not None else Scope.nothing()
    report = ImportReport(filename=job.filename)
    rows = []
    with acting_as(current_actor().replace(user=job.user, scope=Scope.everything())):
        importer = importer_for(table, report, scope=scope, filename=job.filename)
        results, _existing = importer.checked(2, table.rows[:limit])
        for number, fields, errors in results:
            cells = {key: importer.reader.value(table.rows[number - 2], key) for key in table.columns}
            rows.append(PreviewRow.of(number, fields, errors, cells))
    return Preview(mapping=mapping, rows=rows, total=sum(1 for row in table.rows if any(row)))


def import_template_workbook(language_code, grid_code):
    """The residents' template (.xlsx): the importer's own headers in the user's language (required ones
    starred), one example row the importer refuses, and a sheet on each column."""
    english = language_code.startswith("en")
    book = Workbook()
    sheet = book.active
    sheet.title = _("residents")
    headers = [template_header(key, english) for key in TEMPLATE_COLUMNS]
    sheet.append(headers)
    example = template_example(grid_code)
    sheet.append([str(example[key]) for key in TEMPLATE_COLUMNS])
    for index, key in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = {"id_number": 22, "address": 24, "special_groups": 18}.get(key, 14)
        # Text cells: Excel would turn an 18-digit ID number into 4.40704E+17 and lose its digits.
        for row in range(2, 502):
            sheet[f"{letter}{row}"].number_format = "@"
        sheet[f"{letter}1"].font = Font(bold=True)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(_("notes"))
    notes.append([_("column"), _("also accepted"), _("what to write")])
    for key in TEMPLATE_COLUMNS:
        # Headers of the other language are accepted too, but each template speaks one language.
        aliases = [a for a in HEADERS[key] if a.isascii() == english and a != template_header(key, english).rstrip("*")]
        notes.append([template_header(key, english), "、".join(aliases), template_note(key, english)])
    for letter, width in (("A", 16), ("B", 36), ("C", 80)):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_note(key, english):
    if key in CHOICE_COLUMNS:
        return (", " if english else "、").join(str(label) for label in CHOICE_COLUMNS[key].labels)
    return str(FIELD_NOTES[key])


def template_header(key, english):
    """The first Chinese alias, or the first ASCII one in English; '*' marks a required column (the importer
    ignores it when reading headers)."""
    aliases = HEADERS[key]
    header = next((a for a in aliases if a.isascii()), aliases[0]) if english else aliases[0]
    return f"{header}*" if key in REQUIRED else header


def template_example(grid_code):
    """The example row, field → cell, in words the importer reads in either language."""
    group = SpecialGroup.objects.order_by("sort").first()
    return {
        "name": _("Zhang San (example)"),
        "id_type": Person.IdType.RESIDENT_ID.label,
        "id_number": EXAMPLE_ID_NUMBER,
        "phone": "13800000000",
        "grid": grid_code,
        "address": _("Mingtai City building 3"),
        "unit": "1",
        "room": "502",
        "relation": Person.Relation.HEAD.label,
        "residence_status": Person.ResidenceStatus.REGISTERED.label,
        "special_groups": group.label if group else "",
        "mobility": Person.Mobility.NORMAL.label,
    }


def import_job_run(job_id):
    """Runs an uploaded import as its uploader (their area, their name in the audit log), recording progress and
    the result on the job. A file that cannot be read fails the job with the reason."""
    job = ImportJob.all_objects.select_related("user__area").get(pk=job_id)
    ImportJob.all_objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)

    def progress(done, total):
        ImportJob.all_objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    # A job whose uploader was deleted or deactivated acts as nobody: every row is refused, nothing is unscoped.
    with acting_as(actor_for(job.user, job.ip)):
        try:
            with job.file.open("rb") as data:
                report = residents_import(data, filename=job.filename, user=job.user, progress=progress)
        except ImportFileError as exc:
            status, result = ImportJob.Status.FAILED, {"error": str(exc)}
        except Exception:
            # A page polling this job must not wait forever; chunks already committed stay imported.
            ImportJob.all_objects.filter(pk=job.pk).update(
                status=ImportJob.Status.FAILED,
                result={"error": _("The import stopped on an unexpected error.")},
                finished_at=timezone.now(),
            )
            raise
        else:
            status, result = ImportJob.Status.DONE, report.as_dict()
    ImportJob.all_objects.filter(pk=job.pk).update(status=status, result=result, finished_at=timezone.now())


def import_files_due(cutoff):
    return ImportJob.all_objects.filter(created_at__lt=cutoff).exclude(file="")


def import_files_delete(cutoff=None):
    """Deletes the uploaded files of imports from before `cutoff` (default: the "registry.import_files" days ago; a
    resident register in a file is not kept longer than the error report needs it); the job, its counts and its
    errors stay, and each deletion is audited. The column is cleared by a conditional update first, so two runs
    delete and audit a file once."""
    days = settings.RETENTION_DAYS_BY_KIND["registry.import_files"]
    deleted = 0
    for job in import_files_due(cutoff or days_ago(days)):
        name = job.file.name
        if not ImportJob.all_objects.filter(pk=job.pk, file=name).update(file=""):
            continue
        job.file.storage.delete(name)
        audit_record(
            AuditEvent.Action.DELETE,
            target=job,
            summary=f"{job.filename}: uploaded file deleted after {days} days",
            detail={"file": name, "older_than_days": days},
        )
        deleted += 1
    return deleted


def import_error_rows(job):
    """(headers, rows) for the error report: each rejected row of the uploaded file as it was, after its row
    number, followed by what is wrong with it."""
    with job.file.open("rb") as data:
        table = table_read(data, filename=job.filename)
    messages = {}
    for error in job.result.get("errors", []):
        messages.setdefault(error["row"], []).append(f"{error['column']}: {error['message']}")
    rows = [
        [number, *table.rows[number - 2], "; ".join(found)]
        for number, found in sorted(messages.items())
        if 0 <= number - 2 < len(table.rows)
    ]
    return table, rows
