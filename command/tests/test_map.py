"""The command map: areas.geojson holds exactly the area's children with their boundaries and the tiles' figures,
inside the user's scope only; the district admin's boundary upload takes a good file whole and names the bad
feature of a bad one; the page fits a phone and draws its canvas in headless Chromium."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import PASSWORD
from core.context import acting_as, user_actor
from core.models import AuditEvent
from core.tiles import tiles_for
from registry.boundaries import DEMO_DISTRICT_BOX, box_polygon, split_box
from registry.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def outlines(areas):
    """Nested rectangles for the test district, as the demo makes them."""
    boxes = {"district": DEMO_DISTRICT_BOX}
    boxes["lile"], boxes["waihai"] = split_box(boxes["district"], 2)
    boxes["zhongfu"], boxes["xinchuang"] = split_box(boxes["lile"], 2)
    (boxes["yinquan"],) = split_box(boxes["waihai"], 1)
    boxes["A"], boxes["B"] = split_box(boxes["zhongfu"], 2)
    (boxes["C"],) = split_box(boxes["xinchuang"], 1)
    (boxes["D"],) = split_box(boxes["yinquan"], 1)
    for key, box in boxes.items():
        Area.all_objects.filter(pk=areas[key].pk).update(boundary=box_polygon(box))
    return {key: box_polygon(box) for key, box in boxes.items()}


def geojson(client, user, code):
    client.force_login(user)
    response = client.get(f"/command/map/{code}/areas.geojson")
    assert response.status_code == 200, response.status_code
    return response.json()


def expected_values(user, area):
    with acting_as(user_actor(user)):
        values = {}
        for tile in tiles_for(user):
            if not tile.map_keys:
                continue
            for code, row in tile.by_child(area, timezone.localdate()).items():
                for key in tile.map_keys:
                    values.setdefault(code, {})[f"{tile.key}:{key}"] = row.get(key)
    return values


def test_geojson_holds_exactly_the_children_with_boundaries_and_the_tiles_figures(
    client, users, areas, outlines, make_person
):
    for n in range(3):
        make_person("A", name=f"中福甲{n}")
    make_person("C", name="新创乙")
    make_person("D", name="银泉丙")
    for user, parent, children in [
        (users["dana"], "district", ["lile", "waihai"]),
        (users["stella"], "lile", ["zhongfu", "xinchuang"]),
        (users["cora"], "zhongfu", ["A", "B"]),
    ]:
        data = geojson(client, user, areas[parent].code)
        assert data["type"] == "FeatureCollection"
        codes = [f["properties"]["code"] for f in data["features"]]
        assert codes == [areas[c].code for c in children]
        for feature, child in zip(data["features"], children, strict=True):
            assert feature["geometry"] == outlines[child]
        want = expected_values(user, areas[parent])
        assert want, "registry's tile offers the map a figure"
        for feature in data["features"]:
            properties = feature["properties"]
            for key, value in want[properties["code"]].items():
                assert properties[key] == value
        assert {k["id"] for k in data["keys"]} >= {"registry.population:persons"}
    district = geojson(client, users["dana"], areas["district"].code)
    persons = {f["properties"]["code"]: f["properties"]["registry.population:persons"] for f in district["features"]}
    assert persons == {areas["lile"].code: 4, areas["waihai"].code: 1}


def test_another_areas_map_is_not_found(client, users, areas, outlines):
    client.force_login(users["stella"])  # 礼乐街道
    for path in (
        f"/command/map/{areas['waihai'].code}/",
        f"/command/map/{areas['waihai'].code}/areas.geojson",
        f"/command/map/{areas['D'].code}/areas.geojson",
        f"/command/map/{areas['district'].code}/",
        "/command/map/999999/areas.geojson",
    ):
        assert client.get(path).status_code == 404, path
    page = client.get("/command/map/")
    assert page.status_code == 200
    # Breadcrumbs start at her own street: the district above is not hers to open.
    deeper = client.get(f"/command/map/{areas['zhongfu'].code}/").content.decode()
    assert f"/command/map/{areas['lile'].code}/" in deeper and f"/command/map/{areas['district'].code}/" not in deeper


def test_grid_worker_sees_only_their_grid(client, users, areas, outlines, make_person):
    make_person("A", name="本格居民")
    make_person("B", name="隔壁居民")
    client.force_login(users["gwen"])
    page = client.get("/command/map/")
    assert page.status_code == 200 and page.context["area"] == areas["A"]
    data = geojson(client, users["gwen"], areas["A"].code)
    assert [f["properties"]["code"] for f in data["features"]] == [areas["A"].code]
    assert data["features"][0]["geometry"] == outlines["A"]
    assert data["features"][0]["properties"]["registry.population:persons"] == 1
    for code in (areas["B"].code, areas["zhongfu"].code):
        assert client.get(f"/command/map/{code}/areas.geojson").status_code == 404
        assert client.get(f"/command/map/{code}/").status_code == 404


def test_the_map_needs_the_areas_and_a_tile(client, users, areas):
    client.force_login(users["lena"])  # the lab: no areas, no tiles
    assert client.get("/command/map/").status_code == 403
    client.force_login(users["dana"])
    assert client.post("/command/map/").status_code == 405
    assert client.post(f"/command/map/{areas['district'].code}/areas.geojson").status_code == 405


def feature_collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def feature(code, geometry):
    return {"type": "Feature", "properties": {"code": code, "name": "x"}, "geometry": geometry}


def upload(client, content, language="en"):
    return client.post(
        "/command/map/boundaries/",
        {"file": SimpleUploadedFile("areas.geojson", content, content_type="application/geo+json")},
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_upload_sets_the_boundaries_and_is_audited(client, users, areas):
    client.login(username="dana", password=PASSWORD)
    lile, waihai = split_box(DEMO_DISTRICT_BOX, 2)
    multi = {"type": "MultiPolygon", "coordinates": [box_polygon(waihai)["coordinates"]]}
    response = upload(client, feature_collection(feature(areas["lile"].code, box_polygon(lile)), feature(
        areas["waihai"].code, multi)))  # fmt: skip
    assert response.status_code == 302
    assert Area.all_objects.get(pk=areas["lile"].pk).boundary == box_polygon(lile)
    assert Area.all_objects.get(pk=areas["waihai"].pk).boundary == multi
    event = AuditEvent.objects.get(action="update", target_type="", summary__contains="area boundaries")
    assert event.actor == users["dana"] and event.detail["codes"] == [areas["lile"].code, areas["waihai"].code]


@pytest.mark.parametrize(
    ("content", "english", "chinese"),
    [
        (b"{not json", "The file is not valid JSON.", "文件不是有效的 JSON。"),
        (b'{"type": "Feature"}', "not a GeoJSON FeatureCollection", "不是 GeoJSON FeatureCollection"),
        (
            feature_collection(
                feature("440704001", box_polygon(DEMO_DISTRICT_BOX)),
                feature("440704009", box_polygon(DEMO_DISTRICT_BOX)),
            ),
            "feature 2 (440704009): no area in your scope has the code 440704009.",
            "第2个要素 (440704009)：您的辖区内没有编码为440704009的区域。",
        ),
        (
            feature_collection(feature("440704002", {"type": "Point", "coordinates": [113.1, 22.6]})),
            "feature 1 (440704002): the geometry must be a Polygon",
            "第1个要素 (440704002)：几何必须是经纬度的 Polygon 或 MultiPolygon。",
        ),
        (
            feature_collection({"type": "Feature", "properties": {}, "geometry": None}),
            "feature 1 has no “code” property.",
            "第1个要素没有“code”属性。",
        ),
    ],
)
def test_upload_names_what_is_wrong_and_saves_nothing(client, users, areas, content, english, chinese):
    client.login(username="dana", password=PASSWORD)
    for language, message in (("en", english), ("zh-hans", chinese)):
        response = upload(client, content, language)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Area.all_objects.exclude(boundary=None).exists()
    assert not AuditEvent.objects.filter(action="update", target_type="", summary__contains="area boundaries").exists()


def test_only_the_district_admin_uploads(client, users, areas):
    client.login(username="stella", password=PASSWORD)
    good = feature_collection(feature(areas["lile"].code, box_polygon(DEMO_DISTRICT_BOX)))
    assert upload(client, good).status_code == 403
    assert client.get("/command/map/boundaries/").status_code == 403
    assert Area.all_objects.get(pk=areas["lile"].pk).boundary is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_map_fits_a_phone_and_draws_in_both_languages(live_server, users, areas, outlines, make_person, tmp_path):
    from core.tests.browser import chromium, log_in, set_viewport, skip_without_chromium

    skip_without_chromium()
    make_person("A", name="中福居民")
    driver = chromium()
    set_viewport(driver, 390, 844)
    try:
        for language, title in (("zh-hans", "礼乐街道地图"), ("en", "Map of 礼乐街道")):
            log_in(driver, live_server.url, users["stella"], language)
            driver.get(live_server.url + "/command/map/")
            driver.set_script_timeout(30)
            ready = driver.execute_async_script(
                """const done = arguments[0], started = Date.now();
                (function wait() {
                  const map = document.getElementById("map");
                  if (map && map.dataset.ready) return done(true);
                  if (Date.now() - started > 25000) return done(false);
                  setTimeout(wait, 100);
                })();"""
            )
            driver.save_screenshot(str(tmp_path / f"map-{language}.png"))
            assert ready, f"the map did not load in {language}"
            assert title in driver.title
            canvas = driver.execute_script(
                "const c = document.querySelector('#map canvas'); return [c.width, c.height]"
            )
            assert canvas[0] > 300 and canvas[1] > 200
            drawn = driver.execute_script("return window.gridcareMap.queryRenderedFeatures({layers: ['areas-fill']})")
            assert {f["properties"]["code"] for f in drawn} == {areas["zhongfu"].code, areas["xinchuang"].code}
            legend = driver.execute_script("return document.getElementById('map-legend').textContent")
            assert legend.strip()
            width = driver.execute_script("return document.documentElement.scrollWidth")
            assert width <= 390, f"the map in {language} is {width} px wide"
    finally:
        driver.quit()


def test_sites_are_points_with_name_and_desks_inside_the_area_only(client, users, areas, outlines):
    from datetime import timedelta
    from decimal import Decimal

    from screening.models import Site
    from screening.services import campaign_create, site_create

    now = timezone.now()
    campaign = campaign_create(
        name="区域核酸筛查", scope_codes=["440704"], rounds=[(now - timedelta(hours=1), now + timedelta(hours=8))]
    )
    site_create(campaign, name="中福社区广场", area=areas["zhongfu"], desks=4)
    site_create(campaign, name="银泉社区党群服务中心", area=areas["yinquan"], desks=2)
    site_create(campaign, name="未定位采样点", area=areas["zhongfu"], desks=1)  # no place: not on the map
    Site.objects.filter(name="中福社区广场").update(longitude=Decimal("113.05"), latitude=Decimal("22.60"))
    Site.objects.filter(name="银泉社区党群服务中心").update(longitude=Decimal("113.11"), latitude=Decimal("22.55"))
    district = geojson(client, users["dana"], areas["district"].code)["points"]["features"]
    assert sorted(p["properties"]["name"] for p in district) == ["中福社区广场", "银泉社区党群服务中心"]
    zhongfu = next(p for p in district if p["properties"]["name"] == "中福社区广场")
    assert zhongfu["geometry"] == {"type": "Point", "coordinates": [113.05, 22.6]}
    client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    english = client.get(f"/command/map/{areas['district'].code}/areas.geojson", HTTP_ACCEPT_LANGUAGE="en").json()
    popup = next(p for p in english["points"]["features"] if p["properties"]["name"] == "中福社区广场")
    assert ["desks", "4"] in popup["properties"]["details"]
    street = geojson(client, users["stella"], areas["lile"].code)["points"]["features"]
    assert [p["properties"]["name"] for p in street] == ["中福社区广场"]


def test_the_demo_outlines_nest_and_its_sites_stand_inside_their_areas(db):
    import io

    from django.core.management import call_command

    from registry.boundaries import polygon_box
    from screening.models import Site

    call_command("demo", residents=500, seed=3, password="demo-pass-1", stdout=io.StringIO())
    areas = {a.code: a for a in Area.all_objects.all()}
    # Every area but a community's holding grid for persons not yet placed (screening.services.UNPLACED_SUFFIX).
    areas = {code: a for code, a in areas.items() if not (a.level == Area.Level.GRID and code.endswith("999"))}
    assert all(a.boundary and a.boundary["type"] == "Polygon" for a in areas.values())
    for area in areas.values():
        if area.parent_id is None:
            continue
        w, s, e, n = polygon_box(area.boundary)
        pw, ps, pe, pn = polygon_box(areas[area.code[: len(area.code) - 3]].boundary)
        assert pw - 1e-6 <= w < e <= pe + 1e-6 and ps - 1e-6 <= s < n <= pn + 1e-6, area.code
    sites = list(Site.objects.select_related("area"))  # placed in a community or the district, never a holding grid
    assert sites and all(site.longitude is not None for site in sites)
    for site in sites:
        w, s, e, n = polygon_box(site.area.boundary)
        assert w < site.longitude < e and s < site.latitude < n, site.name
