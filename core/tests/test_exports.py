"""Exports never write formulas: text from the public help form such as =WEBSERVICE(…) is written as text."""

import io

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.exports import Column, workbook_bytes

HOSTILE = ['=WEBSERVICE("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def cells(data):
    return [cell for row in load_workbook(io.BytesIO(data)).active.iter_rows() for cell in row]


def test_text_that_looks_like_a_formula_is_written_as_text_and_numbers_stay_numbers():
    rows = [{"v": text} for text in HOSTILE] + [{"v": -5}, {"v": 2.5}, {"v": "plain"}]
    data, count = workbook_bytes("t", [Column("v", "v")], rows)
    assert count == len(rows)
    found = cells(data)[1:]
    assert all(cell.data_type != "f" for cell in found)
    assert [cell.value for cell in found] == [*(t.replace("\r", "\n") for t in HOSTILE), -5, 2.5, "plain"]
    assert [cell.data_type for cell in found[-3:]] == ["n", "n", "s"]
    assert all(cell.quotePrefix for cell in found[: len(HOSTILE)])


def test_openpyxl_itself_would_have_written_a_formula():
    """What the old export did with the same text (the bug this guards against)."""
    book = Workbook()
    book.active.append([HOSTILE[0]])
    assert book.active["A1"].data_type == "f"


def test_a_help_request_from_the_public_form_exports_as_text(client, users, areas):
    from care.models import HelpRequest

    client.post(
        reverse("care:public_request"),
        {
            "community": areas["zhongfu"].pk,
            "kind": HelpRequest._meta.get_field("kind").choices[0][0],
            "requester_name": '=HYPERLINK("http://x")',
            "requester_phone": "13800001111",
            "description": '=WEBSERVICE("http://x")',
        },
    )
    assert HelpRequest.all_objects.count() == 1
    from core.testing import exported

    client.force_login(users["dana"])
    found = cells(exported(client, "care.requests"))
    assert all(cell.data_type != "f" for cell in found)
    values = [cell.value for cell in found]
    assert '=WEBSERVICE("http://x")' in values and '=HYPERLINK("http://x")' in values


def test_a_title_with_characters_a_sheet_name_may_not_hold_still_writes():
    data, count = workbook_bytes("查找-1/2:[x]*?", [Column("v", "v")], [{"v": 1}])
    assert count == 1 and load_workbook(io.BytesIO(data)).active.title == "查找-1 2  x"
