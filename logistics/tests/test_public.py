"""The public pledge, progress and receipt pages: bad input is refused with a message in the page's language, a
double tap pledges once, the limit holds, a receipt link shows one donor's pledge only and cannot be guessed, the
named list shows only the donors who agreed, phones are masked; and the simulation of the page's two hours."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from logistics.models import Pledge
from logistics.testing import pledge


def _form(client, campaign):
    page = client.get(reverse("logistics:pledge_new", args=[campaign.pk])).content.decode()
    return re.search(r'name="client_key" value="([^"]+)"', page)[1]


def _data(campaign, **changes):
    return {
        "donor": "海逸华庭业主群",
        "phone": "13812345678",
        "quantity": "50",
        "deliver_on": campaign.first_day.isoformat(),
        "deliver_at": "10:30",
        "may_name": "on",
    } | changes


@pytest.mark.parametrize(
    ("lang", "field", "value", "message"),
    [
        ("zh-hans", "quantity", "0", "确保该值大于或等于1"),
        ("en", "quantity", "0", "greater than or equal to 1"),
        ("zh-hans", "phone", "12345", "不是有效的大陆电话号码"),
        ("en", "phone", "12345", "not a valid mainland number"),
        ("en", "deliver_on", "2099-01-01", "the last day of deliveries"),
        ("zh-hans", "deliver_on", "2099-01-01", "最后一天"),
    ],
)
def test_bad_input_is_refused_with_a_message_in_the_page_language(campaign, lang, field, value, message):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.cookies["django_language"] = lang
    key = _form(client, campaign)
    response = client.post(
        reverse("logistics:pledge_new", args=[campaign.pk]), _data(campaign, **{field: value}) | {"client_key": key}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Pledge.objects.exists()


def test_a_double_tap_pledges_once_and_leads_to_the_same_receipt(campaign):
    client = Client()
    key = _form(client, campaign)
    url = reverse("logistics:pledge_new", args=[campaign.pk])
    first = client.post(url, _data(campaign) | {"client_key": key})
    second = client.post(url, _data(campaign) | {"client_key": key})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Pledge.objects.count() == 1


def test_pledges_past_the_hourly_limit_are_refused(campaign, settings):
    settings.PUBLIC_PLEDGES_PER_HOUR = 2
    client = Client(REMOTE_ADDR="10.9.9.9")
    url = reverse("logistics:pledge_new", args=[campaign.pk])
    codes = [client.post(url, _data(campaign) | {"client_key": _form(client, campaign)}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert Pledge.objects.count() == 2


def test_a_receipt_shows_its_own_pledge_masked_and_nobody_elses(campaign):
    mine = pledge(campaign, 40, donor="张女士", phone="13812345678", may_name=False)
    pledge(campaign, 60, donor="李先生", phone="13987654321")
    page = Client().get(reverse("logistics:receipt", args=[mine.receipt])).content.decode()
    assert "张女士" in page and "138****5678" in page
    assert "13812345678" not in page and "李先生" not in page and "13987654321" not in page
    assert len(mine.receipt) >= 22  # 128 random bits
    assert Client().get(reverse("logistics:receipt", args=[mine.receipt[:-1] + "x"])).status_code == 404


def test_progress_lists_only_donors_who_agreed_and_no_contact(campaign):
    pledge(campaign, 100, donor="乐苑小区业主", may_name=True, phone="13811112222")
    pledge(campaign, 25, donor="不愿具名者", may_name=False)
    client = Client()
    page = client.get(reverse("logistics:progress", args=[campaign.pk])).content.decode()
    assert "乐苑小区业主" in page and "不愿具名者" not in page
    assert "13811112222" not in page and "1111" not in page
    assert 'data-figure="units">125<' in page and 'data-figure="donors">2<' in page
    # htmx polls the fragment
    fragment = client.get(reverse("logistics:progress", args=[campaign.pk]), HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 5s"' in fragment.content and b"<html" not in fragment.content


def test_the_thank_you_letter_is_a_pdf_with_the_chinese_font(campaign):
    mine = pledge(campaign, 40, donor="<b>明泰城</b>")
    response = Client().get(reverse("logistics:thanks", args=[mine.receipt]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"STSong-Light" in response.content


def test_simulate_donations_replays_127_pledges_through_the_page(sites, capsys):
    call_command("simulate_donations", compress=0)
    assert Pledge.objects.count() == 127
    assert sum(Pledge.objects.values_list("quantity", flat=True)) == 3522
    assert "3522 boxes from 127 donors" in capsys.readouterr().out
