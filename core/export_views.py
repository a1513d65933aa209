"""My exports: start one (POST from a list's export button), watch its progress, download the file. Each export is
its owner's alone (Export.objects holds only the acting user's): another user's id is a 404."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from core import exports
from core.models import Export


@require_safe
@login_required
def export_list(request):
    """The user's exports, newest first: progress while running (polled), a download link when done."""
    return render(request, "core/exports.html", _context())


def _context(**more):
    return {"exports": Export.objects.all()[:50], "keep_hours": settings.EXPORT_KEEP_HOURS, **more}


@login_required
@require_POST
def export_start(request):
    """Starts an export of the list named `list` with the list's own parameters from the form; "reveal" (the
    second button) asks for full numbers with `reveal_reason`. Then to "my exports"."""
    key = request.POST.get("list", "")
    entry = exports.export_lists().get(key)
    params = {name: request.POST.get(name, "") for name in (entry.params if entry else ())}
    reason = request.POST.get("reveal_reason", "") if request.POST.get("reveal") else None
    try:
        exports.export_start(key, params, reveal_reason=reason)
    except ValidationError as exc:
        context = _context(errors=exc.messages, retry=entry, retry_params=params, reveal_asked=reason is not None)
        return render(request, "core/exports.html", context, status=400)
    return redirect("exports:list")


@require_safe
@login_required
def export_progress(request, export_id):
    """One export's row (the htmx poll while it runs)."""
    export = get_object_or_404(Export, pk=export_id)
    return render(request, "core/_export_item.html", {"export": export})


@require_safe
@login_required
def export_download(request, export_id):
    export = get_object_or_404(Export, pk=export_id)
    data = exports.export_download(export)
    if data is None:
        raise Http404
    return FileResponse(data, as_attachment=True, filename=exports.export_filename(export), content_type=exports.XLSX)
