"""Error pages (issue #11, part 5): 400, 403, 404, 500, CSRF failure and 429 answer in the user's language, with the
right status, a link home and (when the user came from one of our pages) a link back; under /api/ they stay JSON."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from gridcare.tests.test_page_languages import Data, read_text, wrong_language

pytestmark = pytest.mark.urls("gridcare.tests.error_urls")
HEADINGS = {
    400: ("请求有误", "Bad request"),
    403: ("无权访问", "Not allowed"),
    404: ("页面不存在", "Page not found"),
    429: ("请求过于频繁", "Too many requests"),
    500: ("出错了", "Something went wrong"),
}


def speaking(language, **client_options):
    client = Client(raise_request_exception=False, **client_options)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def assert_error_page(response, status, language, heading):
    text = read_text(response)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert heading in text
    assert f'href="{reverse("home")}"' in response.content.decode(), "no link home"
    assert wrong_language(text, language, Data()) == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("status", sorted(HEADINGS))
def test_each_error_page_speaks_the_users_language_and_leads_home(users, language, status):
    client = speaking(language)
    assert client.login(username="gwen", password=PASSWORD)
    response = client.get(f"/test-errors/{status}/")
    assert_error_page(response, status, language, HEADINGS[status][language == "en"])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_real_missing_page_and_a_page_outside_the_role(users, language):
    client = speaking(language)
    assert client.login(username="gwen", password=PASSWORD)
    assert_error_page(client.get("/no-such-page/"), 404, language, HEADINGS[404][language == "en"])
    # A grid worker may not import residents: 403 from permission_required, on our page.
    assert_error_page(client.get(reverse("imports:upload")), 403, language, HEADINGS[403][language == "en"])


def test_the_500_page_needs_no_request_context_and_shows_no_user(users):
    client = speaking("zh-hans")
    assert client.login(username="gwen", password=PASSWORD)
    response = client.get("/test-errors/500/")
    assert_error_page(response, 500, "zh-hans", HEADINGS[500][0])
    assert "gwen" not in response.content.decode()


@pytest.mark.parametrize("language, heading", [("zh-hans", "表单已过期"), ("en", "The form has expired")])
def test_a_form_sent_without_its_csrf_token_gets_our_page(db, language, heading):
    client = speaking(language, enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "gwen", "password": PASSWORD})
    assert_error_page(response, 403, language, heading)


def test_the_way_back_is_offered_only_to_one_of_our_pages(users):
    client = speaking("en")
    assert client.login(username="gwen", password=PASSWORD)
    ours = client.get("/no-such-page/", HTTP_REFERER="http://testserver/registry/search/")
    assert 'href="http://testserver/registry/search/"' in ours.content.decode()
    assert "Back to the previous page" in read_text(ours)
    elsewhere = client.get("/no-such-page/", HTTP_REFERER="https://example.com/phish")
    assert "example.com" not in elsewhere.content.decode()
    assert "Back to the previous page" not in read_text(elsewhere)


def test_the_429_page_says_which_limit(db):
    client = speaking("en")
    response = client.get("/test-errors/429/")
    assert response.status_code == 429 and "Too many calls this hour." in read_text(response)


@pytest.mark.parametrize("path, status", [("/api/test-errors/429/", 429), ("/api/test-errors/403/", 403)])
def test_errors_under_the_api_stay_json(db, path, status):
    response = speaking("en").get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] in ("too many requests", "forbidden")
