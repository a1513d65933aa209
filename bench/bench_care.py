"""A grid worker's "today" list, as the phone fetches it, on the demo district."""

from django.db.models import Count
from django.test import Client
from django.utils import timezone

from bench.common import BENCH_PASSWORD, Result, p95, timed_ms

TARGET_MS = 100
DEMO_WORKER = "grid1"


def run(database):
    from care.models import FollowUpTask
    from care.services import followup_plan_day
    from core.context import system_actor

    with system_actor():  # as the dawn command plans it (the demo planned today already: this adds nothing)
        followup_plan_day()
    busiest = (
        FollowUpTask.all_objects.filter(day=timezone.localdate())
        .values("worker_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        return [Result("care today list", 0, "ms p95", f"< {TARGET_MS} ms p95", False, database, "no plan today")]
    from django.contrib.auth import get_user_model

    worker = get_user_model().objects.get(pk=busiest["worker_id"])
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile")
    if not client.login(username=DEMO_WORKER, password=BENCH_PASSWORD):
        client.force_login(worker)  # a demo built without the named users: the busiest worker stands in
    else:
        worker = get_user_model().objects.get(username=DEMO_WORKER)
    planned = FollowUpTask.all_objects.filter(day=timezone.localdate(), worker=worker).count()

    def fetch():
        response = client.get("/care/today/")
        assert response.status_code == 200

    value = p95(timed_ms(fetch, repeat=100))
    return [
        Result(
            name=f"grid worker's today list ({planned} persons), GET /care/today/",
            value=round(value, 1),
            unit="ms p95",
            target=f"< {TARGET_MS} ms p95",
            ok=value < TARGET_MS,
            database=database,
            note=f"as {worker.get_username()} (the busiest worker has {busiest['n']})",
        )
    ]
