"""User text in the knock-sheet PDF is text, not reportlab markup: a campaign named "<b>x" broke the sheet (500) and
<img src="/path"> embedded a server file into it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from screening import services

pytestmark = pytest.mark.django_db


def pdf_text(pdf):
    """The text drawn on the pages (uncompressed PDF, the CID font's two-byte strings), joined."""
    parts = []
    for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", pdf):
        data = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), raw)
        data = re.sub(rb"\\(.)", rb"\1", data)
        parts.append(data.decode("utf-16-be", errors="replace"))
    return "".join(parts)


@pytest.mark.parametrize("name", ["<b>x", '<img src="/etc/passwd"/>', "a & b <font>"])
def test_knock_sheet_prints_a_hostile_campaign_name_as_text(client, users, areas, make_person, monkeypatch, name):
    from reportlab import rl_config

    monkeypatch.setattr(rl_config, "pageCompression", 0)
    make_person("A")
    now = timezone.now()
    campaign = services.campaign_create(
        name=name, scope_codes=["440704"], rounds=[(now - timedelta(hours=1), now + timedelta(hours=9))]
    )
    client.force_login(users["gwen"])
    response = client.get(reverse("screening:knock_sheet", args=[campaign.rounds.get().pk, areas["A"].code]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert name in pdf_text(response.content)
    assert b"/Subtype /Image" not in response.content
