"""Live counters on the today list: a tap answers with the one card and the page's counters, swapped out of
band by htmx, never the list again."""

import re

from django.urls import reverse


def counters(html):
    return {name: int(n) for name, n in re.findall(r'id="(today-[a-z-]+)">(\d+)<', html)}


def tap(client, person, outcome):
    return client.post(
        reverse("care:followup_record", args=[person.pk]), {"outcome": outcome, "kind": "call"}, HTTP_HX_REQUEST="true"
    )


def test_a_tap_answers_its_card_and_the_counters_out_of_band(login, paired):
    first, second, third = paired(name="陈一"), paired(name="陈二"), paired(name="陈三")
    paired("B", "greg")  # another worker's call counts on no counter of gwen's
    client = login("gwen")
    page = client.get(reverse("care:today")).content.decode()
    assert counters(page) == {"today-left": 3, "today-done": 0, "today-not-reached": 0, "today-visit": 0}
    assert "hx-swap-oob" not in page

    answer = tap(client, first, "well").content.decode()
    assert answer.count('class="card task"') == 1 and f'id="task-{first.pk}"' in answer
    assert second.name not in answer and third.name not in answer
    assert '<div class="figures" id="today-counts" hx-swap-oob="true">' in answer
    assert counters(answer) == {"today-left": 2, "today-done": 1, "today-not-reached": 0, "today-visit": 0}

    answer = tap(client, second, "not_reached").content.decode()
    assert counters(answer) == {"today-left": 2, "today-done": 1, "today-not-reached": 1, "today-visit": 0}
    page = client.get(reverse("care:today")).content.decode()
    assert counters(page) == counters(answer)


def test_a_refused_tap_still_answers_the_card_and_unchanged_counters(login, paired):
    person = paired()
    answer = login("gwen").post(
        reverse("care:followup_record", args=[person.pk]), {"kind": "call"}, HTTP_HX_REQUEST="true"
    )
    body = answer.content.decode()
    assert answer.status_code == 200 and 'class="errorlist"' in body
    assert counters(body) == {"today-left": 1, "today-done": 0, "today-not-reached": 0, "today-visit": 0}
