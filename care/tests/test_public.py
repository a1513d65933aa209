"""The public help-request pages: unguessable receipts, the status page asks for the phone's last 4 digits, and
status look-ups are limited per address."""

import re

from django.test import Client
from django.urls import reverse

from care.models import HelpRequest
from care.services import RECEIPT_ALPHABET, help_request_create

STATUS = reverse("care:public_status")


def _hotline_request_without_phone(areas):
    return help_request_create(
        area=areas["zhongfu"],
        kind="supplies",
        channel=HelpRequest.Channel.HOTLINE,
        requester_name="热线",
        description="x",
    )


def _status(client, receipt, last4=""):
    return client.post(STATUS, {"receipt": receipt, "phone_last4": last4})


def _shown(response, receipt):
    return f"<b>{receipt}</b>" in response.content.decode()


def _random_part(receipt):
    assert receipt.startswith("HR-"), receipt
    return receipt[3:].replace("-", "")


def test_receipts_have_ten_unambiguous_random_characters_grouped_for_the_phone(client, areas, public_post):
    for n in range(5):
        public_post(requester_phone=f"1370000{n:04d}")
    receipts = list(HelpRequest.objects.values_list("receipt", flat=True))
    assert len(set(receipts)) == 5
    for receipt in receipts:
        assert re.fullmatch(r"HR-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}", receipt), receipt
        assert not set(_random_part(receipt)) & set("01OI")
    assert not set("01OI") & set(RECEIPT_ALPHABET) and len(RECEIPT_ALPHABET) == 32


def test_a_request_without_a_phone_gets_twelve_random_characters(areas):
    request = _hotline_request_without_phone(areas)
    assert len(_random_part(request.receipt)) == 12 and set(_random_part(request.receipt)) <= set(RECEIPT_ALPHABET)


def test_the_status_page_needs_the_last_four_digits_of_the_phone(client, areas, public_post):
    public_post()
    receipt = HelpRequest.objects.get().receipt
    stranger = Client()
    assert not _shown(stranger.get(STATUS, {"receipt": receipt}), receipt)
    assert not _shown(_status(stranger, receipt), receipt)
    assert not _shown(_status(stranger, receipt, "1112"), receipt)
    page = _status(stranger, receipt.lower().replace("-", " "), "1111")
    assert _shown(page, receipt)
    for private in ("周居民", "13700001111", "家里没米了"):
        assert private not in page.content.decode()


def test_the_browser_that_sent_the_request_sees_it_at_once(client, areas, public_post):
    response = public_post()
    receipt = HelpRequest.objects.get().receipt
    assert _shown(client.get(response["Location"]), receipt)


def test_a_phoneless_request_is_found_by_its_receipt_alone(client, areas):
    request = _hotline_request_without_phone(areas)
    assert _shown(_status(client, request.receipt), request.receipt)


def test_old_receipts_stay_valid(client, areas):
    """Receipts of the old form (date + 6 digits) still show, with the phone's last 4 digits; without a phone they
    are too short for the public page alone but staff still find them."""
    request = help_request_create(
        area=areas["zhongfu"],
        kind="supplies",
        channel=HelpRequest.Channel.PUBLIC,
        requester_name="旧",
        requester_phone="13700001111",
        description="x",
    )
    HelpRequest.all_objects.filter(pk=request.pk).update(receipt="220906123456")
    assert _shown(_status(client, "220906123456", "1111"), "220906123456")
    assert not _shown(_status(client, "220906123456"), "220906123456")


def test_status_lookups_are_limited_per_address(client, areas, settings, public_post):
    settings.PUBLIC_STATUS_LOOKUPS_PER_HOUR = 3
    public_post()
    receipt = HelpRequest.objects.get().receipt
    guesser = Client(REMOTE_ADDR="127.0.0.2")
    for n in range(3):
        assert _status(guesser, f"HR-2222-2222-2{n}", "0000").status_code == 200
    refused = _status(guesser, receipt, "1111")
    assert refused.status_code == 429 and not _shown(refused, receipt)
    assert "请致电热线" in refused.content.decode() or "hotline" in refused.content.decode()
    assert _shown(_status(Client(REMOTE_ADDR="127.0.0.3"), receipt, "1111"), receipt)
