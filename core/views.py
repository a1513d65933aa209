from datetime import timedelta

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.health import readiness
from core.retention import retention_report
from core.selectors import scheduled_job_list

# A job this late tells the admin that no scheduler is running (`gridcare serve` starts one).
SCHEDULER_LATE = timedelta(minutes=2)


@require_safe
@login_required
@permission_required("core.view_scheduledjob", raise_exception=True)
def scheduled_jobs(request):
    """Each scheduled job: its schedule in words, last run and how it went, next run, runs."""
    jobs = scheduled_job_list()
    late_since = timezone.now() - SCHEDULER_LATE
    overdue = [state.next_run_at for _, state in jobs if state and state.next_run_at < late_since]
    return render(
        request,
        "core/scheduled_jobs.html",
        {
            "jobs": jobs,
            "scheduler_stopped_at": min(overdue) if overdue else None,
            "never_seen": any(s is None for _, s in jobs),
        },
    )


@require_safe
@login_required
@permission_required("core.see_retention_report", raise_exception=True)
def retention(request):
    """The retention purge's dry run: per data kind, its keeping time, cutoff, rows due and what happens to them.
    Reads only; the daily job (or `gridcare retention --apply`) does it."""
    return render(request, "core/retention.html", {"report": retention_report()})


@require_safe
@never_cache
def healthz(request):
    """Live: the process answers. Touches neither the database nor the session (public, for the load balancer)."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_safe
@never_cache
def readyz(request):
    """Ready: 200 with each check's "ok", or 503 naming the check that failed and why (core.health)."""
    checks, ready = readiness()
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)
