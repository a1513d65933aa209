"""Importing 100,000 new residents from .xlsx, end to end (reading, validating, deduplicating, writing, auditing).

The file is written first (not timed) with synthetic residents spread over the demo district's grids. Their ID
numbers use a region code the demo never uses (440402, Zhuhai) so none of them is already registered; their
buildings have addresses of their own. Everything the import created is deleted afterwards, so the benchmarks
that follow see the demo district as built.
"""

import os
import tempfile
import time
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from bench.common import Result
from core.audit import audit_rows_delete
from core.context import system_actor
from core.models import AuditEvent
from registry.importing import residents_import
from registry.models import Area, Building, Household, Person
from registry.testing import synthetic_id_number

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 100_000))
PREFIX = "440402"
ADDRESS = "导入测试路"
HEADERS = ["姓名", "身份证号", "手机", "网格", "地址", "单元", "房号", "与户主关系", "特殊人群"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def resident_row(n, grids):
    """Six residents a door, a door per room of a five-floor, two-unit building, ten buildings a grid."""
    door, member = divmod(n, 6)
    building, room = divmod(door, 20)
    unit, room = divmod(room, 10)
    grid = grids[building % len(grids)]
    return [
        SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 7) % len(GIVEN)] + GIVEN[(n // 3) % len(GIVEN)],
        synthetic_id_number(n, birth=date(1931, 1, 1), prefix=PREFIX),
        f"199{n:08d}" if member < 3 else "",
        grid,
        f"{ADDRESS}{building}号",
        unit + 1,
        f"{room // 2 + 1}0{room % 2 + 1}",
        "户主" if member == 0 else "子女",
        "独居老人" if n % 40 == 0 else "",
    ]


def write_file(path, rows):
    grids = list(Area.all_objects.filter(level=Area.Level.GRID).values_list("code", flat=True))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("居民")
    sheet.append(HEADERS)
    for n in range(rows):
        sheet.append(resident_row(n, grids))
    book.save(path)


def clean_up():
    persons = Person.all_objects.filter(id_number__startswith=PREFIX)
    ids = [str(pk) for pk in persons.values_list("pk", flat=True)]
    for start in range(0, len(ids), 10_000):
        audit_rows_delete(
            AuditEvent.objects.filter(target_type="registry.person", target_id__in=ids[start : start + 10_000])
        )
    persons.delete()
    Household.all_objects.filter(building__address__startswith=ADDRESS).delete()
    Building.all_objects.filter(address__startswith=ADDRESS).delete()


def run(database):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "residents.xlsx"
        write_file(path, ROWS)
        clean_up()
        start = time.perf_counter()
        with system_actor():  # as `gridcare import-residents` runs it: no request, so no area unless the system's
            report = residents_import(path, filename=path.name)
        elapsed = time.perf_counter() - start
    clean_up()
    return [
        Result(
            name=f"importing {ROWS:,} rows from .xlsx",
            value=round(elapsed, 1),
            unit="s",
            target="< 30 s",
            ok=elapsed < 30 and report.created == ROWS,
            database=database,
            note=f"created {report.created:,}, rejected {report.rejected:,}",
        )
    ]
