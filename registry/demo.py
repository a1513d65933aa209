"""The demo district: Jianghai (江海区) with its three streets, ~30 communities and villages, ~300 grids, compounds,
buildings, households and N synthetic residents. Deterministic for a seed (and the day it is built on, since ages
are counted back from today, in the district's time zone).

Speed matters (365,000 residents in under a minute on SQLite), so the whole register is generated as plain tuples
first and then written with one multi-row insert per table (executemany on SQLite, COPY on PostgreSQL), with ids
assigned here. No per-row audit: the demo is the system acting, not a person changing someone's data."""

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from registry.boundaries import DEMO_DISTRICT_BOX, box_polygon, split_box
from registry.models import Area, Building, Compound, Household, Person, PersonGroup, Residence, SpecialGroup
from registry.models import name_initials as pinyin_initials

DISTRICT = ("440704", "江海区")
# (street code suffix, street name, [(community name, is_village, grid count)])
STREETS = [
    (
        "001",
        "礼乐街道",
        [
            ("中福社区", False, 14),
            ("礼乐社区", False, 12),
            ("东兴社区", False, 12),
            ("乐苑社区", False, 13),
            ("新创村", True, 7),
            ("乌纱村", True, 8),
            ("威东村", True, 7),
            ("英南村", True, 6),
        ],
    ),
    (
        "002",
        "外海街道",
        [
            ("银泉社区", False, 14),
            ("外海社区", False, 13),
            ("金瓯社区", False, 11),
            ("直冲社区", False, 10),
            ("麻园社区", False, 10),
            ("海傍社区", False, 10),
            ("南华社区", False, 11),
            ("南庆村", True, 6),
            ("北庆村", True, 5),
            ("东南村", True, 6),
            ("中东村", True, 5),
            ("麻一村", True, 5),
            ("麻二村", True, 5),
            ("麻三村", True, 5),
            ("龙溪村", True, 5),
            ("沙津村", True, 5),
            ("东风村", True, 5),
            ("金溪村", True, 6),
            ("西华村", True, 5),
        ],
    ),
    (
        "003",
        "江南街道",
        [
            ("新中社区", False, 16),
            ("江南社区", False, 15),
            ("丰乐社区", False, 14),
            ("东华社区", False, 14),
            ("高新社区", False, 14),
        ],
    ),
]
# The compounds the page names, and the community each stands in.
NAMED_COMPOUNDS = {"中福社区": ["明泰城", "海逸华庭"], "乐苑社区": ["乐苑小区"], "新中社区": ["新南小区"]}
COMPOUND_WORDS = ["花园", "华庭", "雅苑", "名都", "豪庭", "新村", "公寓", "御景", "江畔"]
COMPOUND_PREFIXES = "金碧翠华丽锦富怡康泰悦海江滨君龙凤祥瑞雅盛景"

# Common surnames, roughly weighted by frequency in Guangdong (multi-character surnames kept rare).
SURNAMES = (
    "陈" * 12 + "李" * 9 + "黄" * 9 + "梁" * 6 + "张" * 6 + "林" * 5 + "吴" * 5 + "刘" * 5 + "何" * 4 + "王" * 4
    + "罗" * 3 + "郑" * 3 + "谭" * 4 + "钟" * 2 + "冯" * 3 + "杨" * 3 + "邓" * 3 + "周" * 2 + "叶" * 2 + "余" * 2
    + "赵" + "许" + "潘" + "莫" + "区" + "甄" + "苏" + "胡" + "卢" + "朱" + "麦" + "关" + "简" + "伍" + "源"
)  # fmt: skip
# Given-name characters chosen to have one reading, so per-character initials equal the whole name's.
GIVEN_MALE = "伟强军杰明华国建志勇俊峰浩宇鹏辉文斌涛健永坚荣家伦豪振锦耀泽鸿森林嘉铭"
GIVEN_FEMALE = "芳娟敏静丽艳燕玲婷慧秀英霞红梅兰凤琳雪颖欣怡诗雅淑佩珊婉琪桂嫦"

# Where people's ID numbers were issued: mostly here, then elsewhere in Jiangmen and Guangdong, then the provinces
# that send Jiangmen most of its floating population.
LOCAL_PREFIX = "440704"
NEAR_PREFIXES = ["440703", "440705", "440781", "440783", "440784", "440785"]
FAR_PREFIXES = ["440106", "440306", "441402", "445302", "450881", "430521", "360721", "431102", "421023", "522101"]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
MOBILE_PREFIXES = ["134", "135", "136", "137", "138", "139", "150", "151", "158", "159", "186", "188", "189", "133"]


def years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def id_check_digit(body):
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


@dataclass
class Member:
    relation: str
    age: int
    sex: str
    status: str = Person.ResidenceStatus.REGISTERED
    groups: list = field(default_factory=list)


class RegisterBuilder:
    """Generates the register into lists of row tuples; `write()` inserts them."""

    def __init__(self, rng, residents, today):
        self.rng = rng
        self.residents = residents
        self.today = today
        self.now = connection.ops.adapt_datetimefield_value(datetime.combine(today, datetime.min.time(), tzinfo=UTC))
        self.initials = {}
        self.id_bodies = set()
        self.phones = set()
        self.rows = {model: [] for model in (Area, Compound, Building, Household, Person, PersonGroup, Residence)}
        self.building_numbers = {}
        self.compound_names = {}  # community id → compound names used there
        self.compound_state = {}  # grid id → [compound id, name, buildings so far, buildings wanted]
        self.group_ids = dict(SpecialGroup.objects.values_list("code", "id"))

    # --- areas -------------------------------------------------------------------------------------------
    def build_areas(self):
        """Returns [(grid_id, number in its community, community_id, community_name, is_village)] in code order."""
        area_id = 0
        grids = []

        def add(code, name, level, parent, box, village=False):
            nonlocal area_id
            area_id += 1
            self.rows[Area].append((area_id, code, name, level, parent, village, json.dumps(box_polygon(box))))
            return area_id

        # Outlines for the map: each level tiles its parent's rectangle exactly (registry.boundaries.split_box).
        district = add(DISTRICT[0], DISTRICT[1], Area.Level.DISTRICT, None, DEMO_DISTRICT_BOX)
        street_boxes = split_box(DEMO_DISTRICT_BOX, len(STREETS))
        for (street_suffix, street_name, communities), street_box in zip(STREETS, street_boxes, strict=True):
            street_code = DISTRICT[0] + street_suffix
            street = add(street_code, street_name, Area.Level.STREET, district, street_box)
            community_boxes = split_box(street_box, len(communities))
            n_community = n_village = 0
            for (name, is_village, grid_count), community_box in zip(communities, community_boxes, strict=True):
                # National convention: residents' committees 0xx/1xx, village committees 2xx.
                if is_village:
                    n_village += 1
                    suffix = 200 + n_village
                else:
                    n_community += 1
                    suffix = n_community
                code = f"{street_code}{suffix:03d}"
                community = add(code, name, Area.Level.COMMUNITY, street, community_box, is_village)
                short = name.removesuffix("社区").removesuffix("村")
                for g, grid_box in enumerate(split_box(community_box, grid_count), start=1):
                    grid = add(f"{code}{g:03d}", f"{short}{g}网格", Area.Level.GRID, community, grid_box)
                    grids.append((grid, g, community, name, is_village))
        return grids

    # --- people ------------------------------------------------------------------------------------------
    def household_members(self):
        """One household's members, by a household type drawn at realistic rates."""
        rng = self.rng
        kind = rng.choices(
            ["elder_alone", "elder_couple", "single", "couple", "nuclear", "three_gen", "left_behind"],
            [7, 8, 12, 12, 38, 17, 6],
        )[0]
        if kind == "elder_alone":
            return [Member("head", rng.randint(65, 96), rng.choice("MFF"))]
        if kind == "elder_couple":
            age = rng.randint(62, 90)
            return [Member("head", age, "M"), Member("spouse", max(55, age - rng.randint(0, 5)), "F")]
        if kind == "single":
            return [Member("head", rng.randint(19, 45), rng.choice("MMF"))]
        if kind == "couple":
            age = rng.randint(23, 62)
            return [Member("head", age, "M"), Member("spouse", max(20, age - rng.randint(0, 4)), "F")]
        age = rng.randint(27, 52) if kind != "left_behind" else rng.randint(24, 40)
        members = [Member("head", age, "M"), Member("spouse", max(21, age - rng.randint(0, 4)), "F")]
        members += [
            Member("child", rng.randint(0, min(age - 21, 22)), rng.choice("MF"))
            for _ in range(rng.choices([1, 2, 3], [55, 38, 7])[0])
        ]
        if kind == "nuclear":
            return members
        elder = age + rng.randint(22, 32)
        members.append(Member("parent", elder, rng.choice("MF")))
        if rng.random() < 0.55:
            members.append(Member("parent", elder - rng.randint(0, 4), rng.choice("MF")))
        if kind == "three_gen":
            return members
        # Left behind: the parents work away; a grandparent heads the household and cares for the children.
        parents = members[:2]
        grandparents = [m for m in members if m.relation == "parent"]
        children = [m for m in members if m.relation == "child"]
        for m in parents:
            m.relation, m.status = "child", Person.ResidenceStatus.AWAY
        for i, m in enumerate(grandparents):
            m.relation = "head" if i == 0 else "spouse"
        for m in children:
            m.relation = "grandchild"
            m.age = min(m.age, 15)
            m.groups.append("left_behind_child")
        return grandparents + parents + children

    def tag(self, members, is_local):
        """Residence status, mobility and special groups for one household."""
        rng = self.rng
        if not is_local:
            status = Person.ResidenceStatus.FLOATING
        else:
            status = rng.choices([Person.ResidenceStatus.REGISTERED, Person.ResidenceStatus.RESIDENT], [85, 15])[0]
        hardship = rng.random() < 0.02
        for m in members:
            if m.status != Person.ResidenceStatus.AWAY:
                m.status = status if rng.random() > 0.02 else Person.ResidenceStatus.AWAY
            if len(members) == 1 and m.age >= 65:
                m.groups.append("elderly_alone")
            if m.sex == "F" and 20 <= m.age <= 40 and m.relation in ("spouse", "head") and rng.random() < 0.06:
                m.groups.append("pregnant")
            if m.age >= 18 and rng.random() < 0.005:
                m.groups.append("mental_disorder")
            if hardship:
                m.groups.append("hardship")
        return members

    def mobility(self, age):
        r = self.rng.random()
        if age >= 80:
            return "bedridden" if r < 0.05 else "limited" if r < 0.20 else "normal"
        if age >= 65:
            return "bedridden" if r < 0.01 else "limited" if r < 0.06 else "normal"
        return "limited" if r < 0.003 else "normal"

    def person_name(self, sex, surname=None):
        rng = self.rng
        surname = surname or rng.choice(SURNAMES)
        pool = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
        given = rng.choice(pool) if rng.random() < 0.35 else rng.choice(pool) + rng.choice(pool)
        name = surname + given
        return name, "".join(self.initial(c) for c in name)

    def initial(self, char):
        try:
            return self.initials[char]
        except KeyError:
            self.initials[char] = value = pinyin_initials(char)
            return value

    def id_number(self, prefix, birth, sex):
        rng = self.rng
        stem = f"{prefix}{birth:%Y%m%d}"
        while True:
            seq = rng.randrange(0, 999, 2) + (1 if sex == "M" else 0)
            body = f"{stem}{seq:03d}"
            if body not in self.id_bodies:
                self.id_bodies.add(body)
                return body + id_check_digit(body)

    def phone(self, age):
        if age < 14 or (age >= 80 and self.rng.random() < 0.4):
            return ""
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def birth_date(self, age):
        """A birth date that makes the person exactly `age` today."""
        latest, earliest = years_before(self.today, age), years_before(self.today, age + 1)
        return latest - timedelta(days=self.rng.randrange((latest - earliest).days))

    # --- buildings and households ------------------------------------------------------------------------
    def build(self):
        grids = self.build_areas()
        households = []
        count = 0
        while count < self.residents:
            members = self.household_members()[: self.residents - count]
            is_local = self.rng.random() < 0.72
            households.append((self.tag(members, is_local), is_local))
            count += len(members)
        # Larger quotas for urban grids: a village grid holds fewer people than a grid of apartment blocks.
        weights = [0.6 if is_village else 1.0 for *_, is_village in grids]
        total = sum(weights)
        start = 0
        acc = 0.0
        for grid, weight in zip(grids, weights, strict=True):
            acc += weight
            end = round(len(households) * acc / total)
            self.place(grid, households[start:end])
            start = end

    def place(self, grid, households):
        grid_id, grid_number, community_id, community_name, is_village = grid
        rng = self.rng
        slots = []  # (building_id, unit, floor, room)
        if is_village:
            for _ in households:
                lane = f"{rng.randint(1, 30)}巷"
                b = self.add_building(grid_id, None, (community_id, community_name), lane, 1, rng.randint(2, 4))
                slots.append((b, 1, 1, "101"))
        else:
            while len(slots) < len(households):
                compound_id, compound_name = self.compound_for(grid_id, grid_number, community_id, community_name)
                floors, units = rng.choice([(6, 2), (7, 2), (9, 2), (11, 2), (18, 3), (26, 2), (32, 4)])
                per_floor = rng.choice([2, 2, 4])
                b = self.add_building(grid_id, compound_id, (compound_id, compound_name), "", units, floors)
                for unit in range(1, units + 1):
                    for floor in range(1, floors + 1):
                        for k in range(1, per_floor + 1):
                            slots.append((b, unit, floor, f"{floor}{k:02d}"))
            slots = sorted(rng.sample(slots, len(households)))
        for (building, unit, floor, room), (members, is_local) in zip(slots, households, strict=True):
            self.add_household(grid_id, building, unit, floor, room, members, is_local)

    def compound_for(self, grid_id, grid_number, community_id, community_name):
        """The grid's current compound, or a new one when the current has enough buildings. Each grid starts a
        compound of its own, so the compounds the page names stand in the first grids of their community even in
        a small demo (明泰城 in 中福 grid 1, 海逸华庭 in grid 2)."""
        current = self.compound_state.get(grid_id)
        if current and current[2] < current[3]:
            current[2] += 1
            return current[0], current[1]
        named = NAMED_COMPOUNDS.get(community_name, [])
        taken = self.compound_names.setdefault(community_id, set(named))
        if current is None and grid_number <= len(named):
            name = named[grid_number - 1]
        else:
            name = next(n for n in iter(self.compound_name, None) if n not in taken)
            taken.add(name)
        compound_id = len(self.rows[Compound]) + 1
        self.rows[Compound].append((compound_id, name, community_id, f"江门市江海区{community_name}{name}"))
        self.compound_state[grid_id] = [compound_id, name, 1, self.rng.randint(6, 24)]
        return compound_id, name

    def compound_name(self):
        rng = self.rng
        return rng.choice(COMPOUND_PREFIXES) + rng.choice(COMPOUND_PREFIXES) + rng.choice(COMPOUND_WORDS)

    def add_building(self, grid_id, compound_id, place, lane, units, floors):
        """`place` is (key, name) of the compound or village the building is numbered in."""
        building_id = len(self.rows[Building]) + 1
        key = (place[0], lane)
        self.building_numbers[key] = number = self.building_numbers.get(key, 0) + 1
        name = f"{lane}{number}号" if lane else f"{number}栋"
        address = f"{place[1]}{name}"
        self.rows[Building].append((building_id, grid_id, compound_id, name, address, floors, units))
        return building_id

    def add_household(self, grid_id, building_id, unit, floor, room, members, is_local):
        rng = self.rng
        household_id = len(self.rows[Household]) + 1
        self.rows[Household].append((household_id, building_id, grid_id, unit, floor, room))
        if is_local:
            prefix = LOCAL_PREFIX if rng.random() < 0.8 else rng.choice(NEAR_PREFIXES)
        else:
            prefix = rng.choice(FAR_PREFIXES + NEAR_PREFIXES[:2])
        surname = rng.choice(SURNAMES)
        persons, tags, residences = self.rows[Person], self.rows[PersonGroup], self.rows[Residence]
        for m in members:
            person_id = len(persons) + 1
            shares_surname = m.relation in ("head", "child", "grandchild") or (m.relation == "parent" and m.sex == "M")
            own_surname = surname if shares_surname else None
            name, initials = self.person_name(m.sex, own_surname)
            birth = self.birth_date(m.age)
            id_number = self.id_number(prefix, birth, m.sex)
            phone = self.phone(m.age)
            mobility = self.mobility(m.age)
            if mobility != "normal":
                m.groups.append("mobility_impaired")
            persons.append(
                (person_id, grid_id, household_id, name, initials, "ric", id_number, id_number[-4:], birth, m.sex,
                 phone, phone[-4:], m.relation, m.status, mobility, False, self.now, self.now)
            )  # fmt: skip
            for code in m.groups:
                tags.append((len(tags) + 1, person_id, self.group_ids[code], self.now))
            residences.append((person_id, person_id, grid_id, household_id, self.now, None, "demo"))

    # --- writing -----------------------------------------------------------------------------------------
    COLUMNS = {
        Area: ["id", "code", "name", "level", "parent_id", "is_village", "boundary"],
        Compound: ["id", "name", "community_id", "address"],
        Building: ["id", "grid_id", "compound_id", "name", "address", "floors", "units"],
        Household: ["id", "building_id", "grid_id", "unit", "floor", "room"],
        Person: [
            "id",
            "grid_id",
            "household_id",
            "name",
            "name_initials",
            "id_type",
            "id_number",
            "id_last4",
            "birth_date",
            "sex",
            "phone",
            "phone_last4",
            "relation",
            "residence_status",
            "mobility",
            "is_provisional",
            "created_at",
            "updated_at",
        ],
        PersonGroup: ["id", "person_id", "group_id", "added_at"],
        Residence: ["id", "person_id", "grid_id", "household_id", "started_at", "ended_at", "reason"],
    }

    def write(self):
        with transaction.atomic(), connection.cursor() as cursor:
            bulk_load_settings(cursor)
            for model, rows in self.rows.items():
                insert_rows(cursor, model._meta.db_table, self.COLUMNS[model], rows)
            for sql in connection.ops.sequence_reset_sql(no_style(), list(self.rows)):
                cursor.execute(sql)


def bulk_load_settings(cursor):
    """Room for the indexes being built: SQLite's default page cache (2 MB) thrashes on the person table's
    indexes, and PostgreSQL's trigram index on names takes rows fastest through a large pending list."""
    if connection.vendor == "sqlite":
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, for this connection only
    elif connection.vendor == "postgresql":
        cursor.execute("SET LOCAL gin_pending_list_limit = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")


def insert_rows(cursor, table, columns, rows):
    """Many rows into one table: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})"
    batch = 50_000
    for i in range(0, len(rows), batch):
        cursor.executemany(sql, rows[i : i + batch])


def build_demo(*, rng, stdout, residents=30_000, today=None):
    """Builds the register into an empty database. Returns the rows written per model ({"person": n, ...})."""
    if Area.all_objects.exists():
        raise RuntimeError("The register is not empty; run `gridcare demo --reset` to replace it.")
    started = time.perf_counter()
    builder = RegisterBuilder(rng, residents, today or timezone.localdate())
    builder.build()
    generated = time.perf_counter()
    builder.write()
    written = time.perf_counter()
    counts = {model._meta.model_name: len(rows) for model, rows in builder.rows.items()}
    stdout.write(
        f"register: {counts['person']:,} persons in {counts['household']:,} households, "
        f"{counts['building']:,} buildings, {counts['area']:,} areas "
        f"(generated {generated - started:.1f} s, written {written - generated:.1f} s)"
    )
    return counts
