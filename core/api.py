"""Exports for API clients: ask for one, follow its progress, download the file. The same service and checks as the
pages (core.exports); another user's export is a 404."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema
from ninja.responses import Status

from core import exports
from core.models import Export
from core.schemas import model_str, text

router = Router(tags=["exports"])


class ExportIn(Schema):
    list: text(64)
    params: dict = {}
    reveal_reason: model_str(Export, "reveal_reason") | None = None


class ExportOut(Schema):
    id: int
    list: str
    name: str
    status: str
    rows_done: int
    rows_total: int
    percent: int
    revealed: bool
    error: str
    download_url: str | None


def _out(export):
    done = export.status == Export.Status.DONE
    return {
        "id": export.pk,
        "list": export.kind,
        "name": export.name,
        "status": export.status,
        "rows_done": export.rows_done,
        "rows_total": export.rows_total,
        "percent": export.percent,
        "revealed": export.revealed,
        "error": export.error,
        "download_url": reverse("api:export_download", args=[export.pk]) if done else None,
    }


@router.post("/exports", response={201: ExportOut}, url_name="export_start")
def export_start(request, payload: ExportIn):
    """Starts an export of `list` (e.g. "registry.persons") with its `params`; `reveal_reason` asks for full numbers
    (the reveal permission and a reason). Answers the export, status "queued"."""
    export = exports.export_start(payload.list, payload.params, reveal_reason=payload.reveal_reason)
    return Status(201, _out(Export.objects.get(pk=export.pk)))


@router.get("/exports/{export_id}", response=ExportOut, url_name="export_status")
def export_status(request, export_id: int):
    return _out(get_object_or_404(Export, pk=export_id))


@router.get("/exports/{export_id}/file", url_name="export_download")
def export_download(request, export_id: int):
    """The .xlsx of a finished export (audited); 404 before it is done."""
    export = get_object_or_404(Export, pk=export_id)
    data = exports.export_download(export)
    if data is None:
        raise Http404
    return FileResponse(data, as_attachment=True, filename=exports.export_filename(export), content_type=exports.XLSX)
