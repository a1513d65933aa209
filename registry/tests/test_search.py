import pytest

from accounts.services import actor_for
from core.context import acting_as
from registry.selectors import person_search


@pytest.fixture
def people(make_person):
    return {
        "zhangwei": make_person("A", name="张伟", phone="13800001234"),
        "zhangwen": make_person("A", name="张文"),
        "wangzw": make_person("A", name="王张伟"),
        "li": make_person("B", name="李张伟"),
    }


def search_as(user, q, limit=50):
    with acting_as(actor_for(user)):
        return [p.name for p in person_search(q, limit)]


def test_pinyin_initials_prefix(users, people):
    assert search_as(users["cora"], "zw") == ["张伟", "张文"]
    assert search_as(users["cora"], "ZW") == ["张伟", "张文"]
    assert search_as(users["cora"], "z") == ["张伟", "张文"]


def test_last_four_of_phone_or_id(users, people):
    assert search_as(users["cora"], "1234") == ["张伟"]
    last4 = people["zhangwen"].id_number[-4:]
    assert "张文" in search_as(users["cora"], last4)


def test_name_prefix_first_then_substring(users, people):
    assert search_as(users["cora"], "张伟") == ["张伟"]
    assert search_as(users["cora"], "张") == ["张伟", "张文"]
    assert search_as(users["cora"], "伟") == ["张伟", "李张伟", "王张伟"]


def test_address(users, people):
    address = people["zhangwei"].household.building.address
    assert set(search_as(users["gwen"], address)) == {"张伟", "张文", "王张伟"}


def test_search_is_scoped(users, people):
    assert search_as(users["gwen"], "伟") == ["张伟", "王张伟"]
    assert search_as(users["greg"], "伟") == ["李张伟"]
    assert search_as(users["greg"], "张伟") == ["李张伟"]
    assert search_as(users["greg"], "1234") == []


def test_limit(users, people):
    assert len(search_as(users["cora"], "张", limit=2)) == 2


def test_search_page_live_fragment(client, users, people):
    from conftest import PASSWORD

    client.login(username="gwen", password=PASSWORD)
    response = client.get("/registry/search/", {"q": "zw"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "张伟" in body and "李张伟" not in body
