"""The daily reports' pages: the list of the reports in the user's area (and the form that makes one now), one
report with yesterday's figures beside today's, and its two files, each download audited. Thin: command.reports
makes them, the scoped manager keeps each user to their area's reports (another area's id is a 404)."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from command import reports, services
from command.models import DailyReport
from core.audit import audit_record
from core.models import AuditEvent
from registry.selectors import area_by_code, areas_down_to

VIEW_PERM = "command.view_dailyreport"
ADD_PERM = "command.add_dailyreport"
KINDS = {"xlsx": reports.XLSX, "pdf": reports.PDF}
LIST_SIZE = 100


def _list(request, status=200, errors=()):
    areas = areas_down_to(max(reports.REPORT_LEVELS)) if request.user.has_perm(ADD_PERM) else []
    context = {
        "reports": DailyReport.objects.select_related("area").order_by("-day", "-created_at")[:LIST_SIZE],
        "areas": areas,
        "chosen": request.POST.get("area", request.user.area.code if request.user.area else ""),
        "errors": errors,
    }
    return render(request, "command/reports.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_list(request):
    if request.method != "POST":
        if not request.user.has_perm(VIEW_PERM):
            raise PermissionDenied
        return _list(request)
    if not request.user.has_perm(ADD_PERM):
        raise PermissionDenied
    area = area_by_code(request.POST.get("area", ""))
    if area is None:
        raise Http404
    try:
        report = services.report_make(area, by=request.user, language=get_language())
    except ValidationError as exc:
        return _list(request, status=400, errors=exc.messages)
    return redirect("command:report", report.pk)


@login_required
@require_safe
@permission_required(VIEW_PERM, raise_exception=True)
def report_detail(request, report_id):
    report = get_object_or_404(DailyReport.objects.select_related("area", "created_by"), pk=report_id)
    return render(
        request,
        "command/reports_detail.html",
        {
            "report": report,
            "rows": reports.rows_shown(report, get_language()),
            "title": reports.title(report, get_language()),
        },
    )


@login_required
@require_safe
@permission_required(VIEW_PERM, raise_exception=True)
def report_download(request, report_id, kind):
    report = get_object_or_404(DailyReport.objects.select_related("area"), pk=report_id)
    file = getattr(report, kind, None) if kind in KINDS else None
    if not file or not file.storage.exists(file.name):
        raise Http404
    audit_record(
        AuditEvent.Action.EXPORT,
        target=report,
        summary=f"daily report {report.area.code} {report.day:%Y-%m-%d}: {kind} downloaded",
        detail={
            "report": report.pk,
            "area": report.area.code,
            "day": report.day.isoformat(),
            "kind": kind,
            "download": True,
        },
    )
    data = reports.file_in(report, kind, get_language())
    response = HttpResponse(data, content_type=KINDS[kind])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(reports.filename(report, kind))}"
    return response
