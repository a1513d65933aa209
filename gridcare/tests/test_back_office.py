"""Finding 4: the back office of a community edited district-wide objects — a tube set positive (no holds followed),
a campaign renamed, a street's pooling rule deleted, the public request limit raised. District-wide settings are
the district admin's; a tube's result is the lab's, through its service, never an admin edit."""

from django.urls import reverse

from care.models import CareSettings
from gridcare.tests.routes import app_leak_objects
from gridcare.tests.test_leaks import victim  # noqa: F401 (fixture)
from screening.models import Campaign, PoolingRule, Tube


def test_community_staff_cannot_edit_district_wide_objects_in_the_admin(client, users, victim):  # noqa: F811
    values = app_leak_objects(victim)
    campaign = Campaign.objects.get(pk=values["campaign_id"])
    PoolingRule.objects.create(campaign=campaign, area=victim.grid.parent.parent, pool_size=20)
    settings_row = CareSettings.objects.get_or_create(pk=1)[0]
    tube = Tube.objects.get(pk=values["tube_id"])
    client.force_login(users["cora"])

    tube_url = reverse("admin:screening_tube_change", args=[tube.pk])
    assert client.post(tube_url, {"result": "negative"}).status_code == 403
    rule = PoolingRule.objects.get(campaign=campaign)
    campaign_url = reverse("admin:screening_campaign_change", args=[campaign.pk])
    # Pooling rules are edited inline on the campaign: renaming it or deleting a rule is one refused form.
    inline = {"pooling_rules-TOTAL_FORMS": 1, "pooling_rules-INITIAL_FORMS": 1, "pooling_rules-0-id": rule.pk}
    assert client.post(campaign_url, {"name": "改名", **inline, "pooling_rules-0-DELETE": "on"}).status_code == 403
    settings_url = reverse("admin:care_caresettings_change", args=[settings_row.pk])
    assert client.post(settings_url, {"public_requests_per_hour": 500}).status_code == 403

    assert Tube.objects.get(pk=tube.pk).result == tube.result
    assert Campaign.objects.get(pk=campaign.pk).name == campaign.name
    assert PoolingRule.objects.filter(pk=rule.pk).exists()
    assert (
        CareSettings.objects.get(pk=settings_row.pk).public_requests_per_hour == settings_row.public_requests_per_hour
    )


def test_nobody_edits_a_tube_result_in_the_admin(client, users, victim):  # noqa: F811
    """Results go through the lab's service, so the holds follow them; the admin shows tubes read-only."""
    values = app_leak_objects(victim)
    client.force_login(users["dana"])
    url = reverse("admin:screening_tube_change", args=[values["tube_id"]])
    page = client.get(url)
    assert page.status_code == 200 and 'name="result"' not in page.content.decode()
    assert client.post(url, {"result": "negative"}).status_code == 403
