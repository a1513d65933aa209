"""Importing residents from a ledger spreadsheet (.xlsx, .xls, .ods, or .csv in UTF-8 or GBK).

Good rows are kept, bad rows are reported (row number as the spreadsheet shows it, the column's header as the file
writes it, and why). A person is the same person when their document (type and number) is the same, district-wide:
an unchanged row changes nothing, a changed row updates through registry.services (audited). New persons are
created in bulk, one transaction per chunk, each with a residence and a CREATE audit row, so a crash loses nothing
already accepted and every person's history starts with the import that registered them.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.services import actor_for, scope_for_user
from core import uploads
from core.audit import audit_record
from core.context import Scope, acting_as, current_actor, current_scope
from core.models import AuditEvent
from registry.identity import IdentityError, clean_text, parse_phone
from registry.models import Area, Building, Household, ImportJob, Person, PersonGroup, Residence, SpecialGroup
from registry.services import derived_fields, identity_fields, person_move, person_update

CHUNK = 2000
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}

# Header aliases, compared after normalising (NFKC, lower case, no spaces or '*' marks of required columns).
HEADERS = {
    "name": ["姓名", "name", "名字", "居民姓名"],
    "id_type": ["证件类型", "idtype", "id_type", "documenttype"],
    "id_number": ["身份证号", "身份证号码", "证件号码", "证件号", "公民身份号码", "idnumber", "id_number", "id"],
    "phone": ["手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile", "tel"],
    "grid": ["网格", "所属网格", "网格编码", "网格名称", "grid"],
    "address": ["地址", "楼栋", "住址", "居住地址", "楼栋地址", "address", "building"],
    "unit": ["单元", "unit"],
    "floor": ["楼层", "层", "floor"],
    "room": ["房号", "房间号", "门牌号", "室", "room"],
    "relation": ["与户主关系", "关系", "relation"],
    "residence_status": ["居住状态", "人口类型", "residencestatus", "residence_status", "status"],
    "special_groups": ["特殊人群", "人群类别", "specialgroups", "special_groups", "groups"],
    "mobility": ["行动能力", "mobility"],
}
REQUIRED = ("name", "id_number")

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
# "明泰城3栋2单元302" → address, unit, room, when the file has no unit/room columns.
DOOR_IN_ADDRESS = re.compile(r"^(?P<address>.+?)(?P<unit>\d+)单元(?P<room>\d+)(?:室|房)?$")
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
    return sum(1 for row in table_read(path_or_file, filename=filename).rows if any(row))


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
        address = self.value(row, "address")
        unit, room = self.value(row, "unit"), self.value(row, "room")
        if not address:
            return
        door = DOOR_IN_ADDRESS.match(address)
        if door and not unit and not room:
            address, unit, room = door["address"], door["unit"], door["room"]
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

    def reject(self, row_number, errors):
        self.report.rejected += 1
        for column, message in errors:
            self.report.errors.append({"row": row_number, "column": column, "message": message})

    def run_chunk(self, start, rows):
        accepted = []
        for offset, row in enumerate(rows):
            number = start + offset
            if not any(row):
                continue
            fields, errors = self.reader.read(row)
            if not errors:
                key = (fields["id_type"], fields["id_number"])
                if key in self.first_row:
                    errors = [
                        (
                            self.reader.header("id_number"),
                            _("same person as row %(row)s") % {"row": self.first_row[key]},
                        )
                    ]
                else:
                    self.first_row[key] = number
            if errors:
                self.reject(number, errors)
            else:
                accepted.append((number, fields))
        with transaction.atomic():
            existing = self.existing_persons(accepted)
            kept = []
            for number, fields in accepted:
                person = existing.get((fields["id_type"], fields["id_number"]))
                if person is not None and not self.scope.covers(person.grid.code):
                    self.reject(number, [(self.reader.header("id_number"), _("registered in another area"))])
                else:
                    kept.append((person, fields))
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
        grids = {grid.pk: grid for grid, *_rest in wanted}
        addresses = {address for _g, address, *_rest in wanted}
        buildings = {
            (b.grid_id, b.address): b
            for b in Building.all_objects.filter(grid_id__in=grids, address__in=addresses).order_by("pk")
        }
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
                **{k: v for k, v in fields.items() if k not in ("grid", "grid_stated", "door", "special_groups")},
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
        reader = RowReader(table, grids=grids_by_word(), default_grid=default_grid, scope=scope)
        importer = Importer(table, report, reader=reader, scope=scope, filename=filename)
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
    return ImportJob.all_objects.create(
        file=upload, filename=Path(upload.name).name[:200], user=user, area=user.area, ip=ip, rows_total=rows
    )


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
