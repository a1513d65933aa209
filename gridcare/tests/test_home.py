"""Each role's home: the day's figures counted from real data, scoped to the user's area, in Chinese and English,
and every link on it opens for that role."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from care.models import HelpRequest
from care.services import followup_plan_day, help_request_create, ledger_entry_save, pairing_assign
from registry.models import SpecialGroup
from screening.services import campaign_create, results_record, site_create, tube_register

LANGUAGES = ["zh-hans", "en"]


@pytest.fixture
def running(areas, users):
    """A district-wide campaign whose round 1 started two hours ago, with a site at 中福社区 staffed by mia."""
    now = timezone.now()
    campaign = campaign_create(
        name="台风后点名筛查", scope_codes=["440704"], rounds=[(now - timedelta(hours=2), now + timedelta(hours=10))]
    )
    site = site_create(campaign, name="中福社区广场", area=areas["zhongfu"], medics=[users["mia"]])
    site_create(campaign, name="银泉社区党群服务中心", area=areas["yinquan"])
    return campaign.rounds.get(number=1), site


@pytest.fixture
def day_of_work(areas, users, make_person, running):
    """Grid A: 4 persons (1 sampled, 2 in a positive 5-in-1 tube with one of B), 2 ledger persons paired with gwen,
    2 open requests (1 overdue). Grid B: 3 persons, 1 paired with greg, 1 open overdue request. Grid D: 1 person."""
    round_, site = running
    a = [make_person("A") for _ in range(4)]
    b = [make_person("B") for _ in range(3)]
    make_person("D")
    group = SpecialGroup.objects.get(code="elderly_alone")
    for person, worker in ((a[0], "gwen"), (a[1], "gwen"), (b[0], "greg")):
        ledger_entry_save(person, group, needs=[])
        pairing_assign(person, users[worker])
    followup_plan_day()

    def tube(code, persons, size):
        closed = (timezone.now() - timedelta(hours=1)).isoformat()
        item = {
            "client_key": code,
            "round": round_.pk,
            "site": site.pk,
            "tube_code": code,
            "pool_size": size,
            "closed_at": closed,
            "persons": [{"person_id": p.pk} for p in persons],
        }
        status, answer = tube_register(item)
        assert status == 201, answer

    tube("S1", [a[3]], 1)
    tube("P1", [a[1], a[2], b[2]], 5)
    [(status, _answer)] = results_record(
        [{"tube_code": "P1", "result": "positive", "resulted_at": timezone.now().isoformat(), "lab": "江门市中心医院"}]
    )
    assert status == 200

    def request(grid, overdue=False):
        r = help_request_create(
            area=areas[grid], kind="supplies", channel="hotline", requester_name="x", description="y"
        )
        if overdue:
            HelpRequest.all_objects.filter(pk=r.pk).update(deadline_at=timezone.now() - timedelta(hours=1))

    request("A")
    request("A", overdue=True)
    request("B", overdue=True)
    return round_


_FIGURE = re.compile(r'class="figure"[^>]*>\s*<b[^>]*>([^<]*)</b>\s*<span>([^<]*)</span>')


def figures(response):
    """{label: value} of the page's big figures."""
    return {label.strip(): value.strip() for value, label in _FIGURE.findall(response.content.decode())}


def row_cells(response, area_name):
    """{data-label: text} of the table row whose first cell names `area_name`."""
    html = response.content.decode()
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        if f">{area_name}</a></td>" in row:
            return {
                label: re.sub(r"<[^>]+>", " ", cell).split()
                for label, cell in re.findall(r'data-label="([^"]*)"[^>]*>(.*?)</td>', row, re.S)
            }
    raise AssertionError(f"no row for {area_name}")


def home(client, user, language):
    client.force_login(user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response


def links(response):
    return sorted(set(re.findall(r'href="(/[^"]*)"', response.content.decode().replace("&amp;", "&"))))


def assert_links_open(client, response):
    for url in links(response):
        if url.startswith(("/static/", "/i18n/", "/accounts/logout")):
            continue
        assert client.get(url, follow=True).status_code == 200, url


def test_grid_worker_home_counts_the_grid_and_nothing_of_the_neighbour(client, users, day_of_work):
    gwen = figures(home(client, users["gwen"], "en"))
    assert gwen["follow-up calls left today"] == "2"
    assert gwen["doors left to knock this round"] == "1"  # 4 doors, 3 sampled
    assert gwen["open help requests in the grid"] == "2"
    assert gwen["persons held in place, awaiting a re-sample result"] == "2"
    assert gwen["alerts not acknowledged"] == "2"  # one per held person of grid A
    greg = figures(home(client, users["greg"], "en"))
    assert greg["follow-up calls left today"] == "1"
    assert greg["doors left to knock this round"] == "2"
    assert greg["open help requests in the grid"] == "1"
    assert greg["persons held in place, awaiting a re-sample result"] == "1"
    assert greg["alerts not acknowledged"] == "1"


def test_grid_worker_home_in_chinese(client, users, day_of_work):
    zh = figures(home(client, users["gwen"], "zh-hans"))
    assert zh["今天还要打的随访电话"] == "2"
    assert zh["本轮还要敲的门"] == "1"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_link_of_the_grid_workers_home_opens(client, users, day_of_work, language):
    response = home(client, users["gwen"], language)
    knock = f"/screening/rounds/{day_of_work.pk}/grids/440704001001001/knock/"
    assert knock in links(response)
    assert_links_open(client, response)


def test_community_home_by_grid(client, users, day_of_work):
    response = home(client, users["cora"], "en")
    totals = figures(response)
    # 8 expected in 中福 (4 in A, 3 in B) … 7: D is 银泉's; 4 sampled (S1 and the three of P1).
    assert totals["sampled this round: 4 of 7 expected"] == "57.1%"
    assert totals["help requests past their deadline"] == "2"
    assert totals["ledger persons not reached for 2 days"] == "3"
    assert totals["persons held in place, awaiting a re-sample result"] == "3"
    a = row_cells(response, "中福1网格")
    assert a["Sampled / expected"] == ["75.0%", "3", "/", "4"]
    assert a["Overdue requests"] == ["1"]
    assert a["Not reached for 2 days"] == ["2"]
    assert a["Held in place"] == ["2"]
    b = row_cells(response, "中福2网格")
    assert b["Sampled / expected"] == ["33.3%", "1", "/", "3"]
    assert b["Overdue requests"] == ["1"]
    assert b["Held in place"] == ["1"]


def test_district_home_by_street_in_chinese(client, users, day_of_work):
    response = home(client, users["dana"], "zh-hans")
    lile = row_cells(response, "礼乐街道")
    assert lile["已采 / 应检"] == ["57.1%", "4", "/", "7"]
    assert lile["超时诉求"] == ["2"]
    waihai = row_cells(response, "外海街道")
    assert waihai["已采 / 应检"] == ["0.0%", "0", "/", "1"]
    assert waihai["超时诉求"] == ["0"]


@pytest.mark.parametrize("username", ["dana", "stella", "cora"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_link_of_a_staff_home_opens(client, users, day_of_work, username, language):
    response = home(client, users[username], language)
    assert any("?view=overdue&area=" in url for url in links(response))
    assert_links_open(client, response)


def test_the_overdue_link_of_a_grid_lists_that_grids_requests_only(client, users, day_of_work):
    client.force_login(users["cora"])
    response = client.get("/care/requests/?view=overdue&area=440704001001001")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    assert client.get("/care/requests/?view=overdue").context["page"].paginator.count == 2


def test_a_staff_home_without_a_running_round_says_so(client, users, areas):
    response = home(client, users["stella"], "en")
    assert "No screening round is running in your area now." in response.content.decode()
    assert figures(response)["help requests past their deadline"] == "0"


def test_medic_home_names_the_round_and_their_site(client, users, running):
    round_, site = running
    for language, text in (("en", "round 1"), ("zh-hans", "第 1 轮")):
        html = home(client, users["mia"], language).content.decode()
        assert text in html and "中福社区广场" in html
        assert "银泉社区党群服务中心" not in html  # not mia's site
    assert "/screening/desk/" in links(home(client, users["mia"], "en"))
    assert_links_open(client, home(client, users["mia"], "en"))


def test_lab_home_counts_tubes_awaiting_and_resulted(client, users, day_of_work):
    response = home(client, users["lena"], "en")
    numbers = figures(response)
    assert numbers["tubes awaiting a result"] == "1"  # S1; P1 is resulted
    assert numbers["tubes resulted in the last 24 hours"] == "1"
    assert "P1" in response.content.decode()
    assert_links_open(client, response)
    assert figures(home(client, users["lena"], "zh-hans"))["等待结果的采样管"] == "1"


@pytest.mark.parametrize("language", LANGUAGES)
def test_volunteer_lead_home_says_what_they_can_do(client, users, running, language):
    response = home(client, users["vic"], language)
    html = response.content.decode()
    assert "/care/help/" in links(response)
    assert "中福社区广场" in html and "银泉社区党群服务中心" not in html
    assert_links_open(client, response)


@pytest.mark.parametrize(
    "n, zh, en",
    [
        (999, "999", "999"),
        (9999, "9,999", "9,999"),
        (30000, "3万", "30,000"),
        (365000, "36.5万", "365,000"),
        (99999, "9.9万", "99,999"),
        (1234567, "123.4万", "1,234,567"),
    ],
)
def test_big_figures_read_in_wan_in_chinese(n, zh, en):
    from django.utils import translation

    from gridcare.templatetags.figures import wan

    with translation.override("zh-hans"):
        assert wan(n) == zh
    with translation.override("en"):
        assert wan(n) == en


@pytest.mark.parametrize("username", ["dana", "cora", "gwen"])
def test_a_home_runs_a_fixed_handful_of_queries(client, users, day_of_work, username, django_assert_max_num_queries):
    client.force_login(users[username])
    # The register's, care's and screening's figures, and tracing's (gate alerts, tests due, hand-overs): a fixed
    # number per tile, whatever the size of the district.
    with django_assert_max_num_queries(20):
        assert client.get("/").status_code == 200
