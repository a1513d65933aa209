from django.urls import reverse
from django.utils import timezone

from care.models import FollowUpTask, SpotCheck
from care.services import followup_record


def test_supervision_numbers_per_community_match_a_direct_count(login, paired, users, areas):
    a = [paired("A", "gwen") for _ in range(4)]
    b = [paired("B", "greg") for _ in range(3)]
    c = [paired("C", "gwen") for _ in range(2)]
    followup_record(a[0], worker=users["gwen"], outcome="well")
    followup_record(a[1], worker=users["gwen"], outcome="not_reached")
    followup_record(b[0], worker=users["greg"], outcome="need", note="买菜")
    followup_record(c[0], worker=users["gwen"], outcome="not_reached")
    response = login("stella").get(reverse("care:supervision"))
    rows = {row["grid__parent__name"]: row for row in response.context["by_community"]}
    today = timezone.localdate()
    for community in (areas["zhongfu"], areas["xinchuang"]):
        tasks = FollowUpTask.objects.filter(day=today, grid__parent=community)
        row = rows[community.name]
        assert row["planned"] == tasks.count()
        assert row["done"] == tasks.filter(status="done").count()
        assert row["not_reached"] == tasks.filter(status__in=["retry", "visit"]).count()
    assert (rows["中福社区"]["planned"], rows["中福社区"]["done"], rows["中福社区"]["not_reached"]) == (7, 2, 1)
    assert (rows["新创村"]["planned"], rows["新创村"]["done"], rows["新创村"]["not_reached"]) == (2, 0, 1)
    workers = {row["worker__username"]: row for row in response.context["by_worker"]}
    assert workers["gwen"]["planned"] == 6 and workers["greg"]["done"] == 1


def test_community_staff_see_only_their_community(login, paired):
    paired("A")
    paired("C")
    rows = login("cora").get(reverse("care:supervision")).context["by_community"]
    assert [r["grid__parent__name"] for r in rows] == ["中福社区"]


def test_unreached_list_and_spot_check(login, paired, users):
    never = paired("A", name="赵从未")
    reached = paired("A", name="钱联系")
    followup = followup_record(reached, worker=users["gwen"], outcome="well")
    client = login("cora")
    page = client.get(reverse("care:supervision")).content.decode()
    assert "赵从未" in page and reverse("care:person_ledger", args=[never.pk]) in page
    response = client.post(reverse("care:spot_check", args=[followup.pk]), {"confirmed": "0", "note": "说没接到电话"})
    assert response.status_code == 302
    check = SpotCheck.objects.get(followup=followup)
    assert not check.confirmed and check.supervisor == users["cora"] and check.followup.worker == users["gwen"]
