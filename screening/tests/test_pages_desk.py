from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from registry.testing import synthetic_id_number
from screening import codes


@pytest.fixture
def open_round(areas, users):
    """An open round with one site, 万达广场, where mia works."""
    from screening.models import Campaign, Round, Site

    now = timezone.now()
    campaign = Campaign.objects.create(name="区域核酸筛查")
    rnd = Round.objects.create(campaign=campaign, number=1, starts_at=now, ends_at=now + timedelta(hours=12))
    Site.objects.create(campaign=campaign, name="万达广场", area=areas["lile"]).medics.add(users["mia"])
    return rnd


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.django_db
def test_medic_opens_the_desk_with_rounds_sites_and_texts(client, users, open_round, django_assert_max_num_queries):
    login(client, users["mia"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("screening:desk"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "万达广场" in body and 'id="desk-text"' in body and 'id="scan"' in body
    assert f'value="{open_round.pk}"' in body


@pytest.mark.django_db
def test_the_desk_offers_only_the_sites_the_medic_is_assigned_to(client, users, open_round, django_user_model):
    from accounts.roles import Role

    django_user_model.objects.create_user("max", password=PASSWORD, role=Role.MEDIC, area=users["mia"].area)
    assert client.login(username="max", password=PASSWORD)
    response = client.get(reverse("screening:desk"))
    assert response.status_code == 200 and "万达广场" not in response.content.decode()


@pytest.mark.django_db
def test_volunteer_lead_may_not_use_the_desk(client, users, open_round):
    login(client, users["vic"])
    assert client.get(reverse("screening:desk")).status_code == 403


@pytest.mark.django_db
def test_desk_worker_lists_the_page_and_its_files(client, users):
    login(client, users["mia"])
    response = client.get(reverse("screening:desk_worker"))
    assert response["Content-Type"].startswith("application/javascript")
    assert b"/screening/desk/" in response.content and b"desk.js" in response.content


@pytest.mark.django_db
def test_lookup_confirms_a_known_person_masked(client, users, make_person):
    person = make_person("A", name="李梅")
    login(client, users["mia"])
    answer = client.post(reverse("screening:desk_lookup"), {"q": person.id_number}).json()
    assert answer == {"found": True, "name": "李梅", "masked_id": person.masked_id_number}
    assert person.id_number not in str(answer)


@pytest.mark.django_db
def test_lookup_by_personal_code_and_a_forged_code(client, users, make_person):
    person = make_person("A", name="王芳")
    login(client, users["mia"])
    good = client.post(reverse("screening:desk_lookup"), {"q": codes.person_code(person)}).json()
    forged = client.post(reverse("screening:desk_lookup"), {"q": f"{codes.PREFIX}{person.pk}:forged"}).json()
    assert good["found"] and good["name"] == "王芳"
    assert forged == {"found": False, "invalid": True}


@pytest.mark.django_db
def test_lookup_of_a_valid_unknown_id_and_of_a_typo(client, users):
    login(client, users["mia"])
    unknown = client.post(reverse("screening:desk_lookup"), {"q": synthetic_id_number(77)}).json()
    number = synthetic_id_number(78)
    typo = number[:-1] + ("0" if number[-1] != "0" else "1")
    bad = client.post(reverse("screening:desk_lookup"), {"q": typo}).json()
    assert unknown == {"found": False}
    assert bad["invalid"] is True


@pytest.mark.django_db
def test_lookup_does_not_show_a_person_of_another_area(client, users, make_person):
    person = make_person("D")
    login(client, users["gwen"])
    assert client.post(reverse("screening:desk_lookup"), {"q": person.id_number}).json() == {"found": False}


@pytest.mark.django_db
def test_person_card_shows_the_code_not_the_id_number(client, users, make_person):
    person = make_person("A")
    login(client, users["gwen"])
    response = client.get(reverse("screening:person_card", args=[person.pk]))
    assert response.status_code == 200
    assert b"<svg" in response.content and person.id_number.encode() not in response.content


@pytest.mark.django_db
def test_person_card_of_another_grid_is_404(client, users, make_person):
    person = make_person("A")
    login(client, users["greg"])
    assert client.get(reverse("screening:person_card", args=[person.pk])).status_code == 404


@pytest.mark.django_db
def test_household_codes_print_one_card_per_person(client, users, make_person, django_assert_max_num_queries):
    person = make_person("A", name="赵敏")
    login(client, users["gwen"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("screening:household_codes", args=[person.household_id]))
    assert response.status_code == 200
    assert response.content.count(b"<svg") == 1 and "赵敏" in response.content.decode()
    assert person.id_number.encode() not in response.content


@pytest.mark.django_db
def test_household_codes_of_another_grid_are_404(client, users, make_person):
    person = make_person("A")
    login(client, users["greg"])
    assert client.get(reverse("screening:household_codes", args=[person.household_id])).status_code == 404
