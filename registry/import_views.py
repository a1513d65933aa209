"""Pages for importing residents: upload, progress, result, error report. Jobs are fetched through the scoped
manager, so a job of another area is a 404."""

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.middleware import client_ip
from core.access import writable
from core.exports import XLSX, Column, export_response
from registry.importing import (
    ImportFileError,
    import_error_rows,
    import_job_create,
    import_job_run,
    import_preview,
    import_template_workbook,
    table_count,
)
from registry.models import Area, ImportJob
from registry.services import import_job_cancel, import_job_start
from registry.tasks import import_job_run_task

ERRORS_SHOWN = 200
can_import = permission_required("registry.import_residents", raise_exception=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Residents' file (.xlsx or .csv)"))


@login_required
@can_import
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = table_count(upload, filename=upload.name)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            job = import_job_create(request.user, upload, rows=rows, ip=client_ip(request))
            return redirect("imports:job", import_job_id=job.pk)
    jobs = ImportJob.objects.select_related("user")[:10]
    context = {"form": form, "jobs": jobs, "background_rows": settings.IMPORT_BACKGROUND_ROWS}
    return render(request, "registry/import_upload.html", context)


@require_safe
@login_required
@can_import
def import_job(request, import_job_id):
    """A job's preview (before "Import"), progress or result."""
    job = get_object_or_404(ImportJob, pk=import_job_id)
    errors = job.result.get("errors", [])
    context = {"job": job, "errors": errors[:ERRORS_SHOWN], "errors_hidden": max(0, len(errors) - ERRORS_SHOWN)}
    if job.status == ImportJob.Status.PREVIEW:
        try:
            context["preview"] = import_preview(job)
        except ImportFileError as exc:
            context["preview_error"] = str(exc)
    return render(request, "registry/import_job.html", context)


@require_POST
@login_required
def import_start(request, import_job_id):
    """Imports a previewed upload. A second click (or a second tab) finds the job started and only shows it."""
    job = writable(ImportJob, "registry.import_residents", pk=import_job_id)
    if import_job_start(job):
        if job.rows_total <= settings.IMPORT_BACKGROUND_ROWS:
            import_job_run(job.pk)
        else:
            transaction.on_commit(lambda: import_job_run_task.enqueue(job.pk))
    return redirect("imports:job", import_job_id=job.pk)


@require_POST
@login_required
def import_cancel(request, import_job_id):
    job = writable(ImportJob, "registry.import_residents", pk=import_job_id)
    import_job_cancel(job)
    return redirect("imports:upload")


@require_safe
@login_required
@can_import
def import_template(request):
    """The residents' template. It holds no one's data (one synthetic example row), so it is not audited as an
    export."""
    grid = Area.objects.filter(level=Area.Level.GRID).order_by("code").first()
    data = import_template_workbook(get_language() or "zh-hans", grid.code if grid else "")
    response = HttpResponse(data, content_type=XLSX)
    filename = _("residents-template") + ".xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_safe
@login_required
@can_import
def import_progress(request, import_job_id):
    job = get_object_or_404(ImportJob, pk=import_job_id)
    if job.is_finished:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "registry/_import_progress.html", {"job": job})


@require_safe
@login_required
@can_import
def import_errors(request, import_job_id):
    # After its keeping time (core.retention, "registry.import_files") the uploaded file is deleted, and with it the
    # rows the report repeats.
    job = get_object_or_404(ImportJob.objects.exclude(file=""), pk=import_job_id, status=ImportJob.Status.DONE)
    table, rows = import_error_rows(job)
    sensitive = {table.columns.get("id_number"): "id_number", table.columns.get("phone"): "phone"}
    columns = [Column(_("row"), lambda row: row[0], width=8)]
    for index, header in enumerate(table.headers):
        columns.append(
            Column(
                header or f"#{index + 1}",
                lambda row, i=index + 1: row[i] if i < len(row) - 1 else "",
                sensitive=sensitive.get(index),
            )
        )
    columns.append(Column(_("error"), lambda row: row[-1], width=60))
    return export_response(request, name=f"import-errors-{job.pk}", columns=columns, rows=rows, title=_("errors"))
