"""Notice pages. Thin: objects come through the scoped managers, work is done by notices.services, lists come
from notices.selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.access import writable
from notices import selectors, services
from notices.forms import SendForm
from notices.models import CallTask, Notice, NoticeTemplate
from registry.models import Person


def perm(codename):
    return permission_required(f"notices.{codename}", raise_exception=True)


# --- public ---------------------------------------------------------------------------------------------------


def acknowledge_public(request, code):
    """The link in the message: the notice's text rendered with the name masked, one "I have read it" button.
    No ID or phone number, nothing of anyone else. Posting twice acknowledges once."""
    delivery = selectors.delivery_by_code(code)
    if delivery is None or delivery.person is None:
        return render(request, "notices/public_missing.html", status=404)
    if request.method == "POST":
        services.delivery_acknowledge_public(code)
        delivery.refresh_from_db(fields=["acknowledged_at"])
    context = {
        "notice_title": delivery.notice.title,
        "body": delivery.public_body,
        "acknowledged": delivery.acknowledged_at is not None,
    }
    return render(request, "notices/public.html", context)


# --- staff ----------------------------------------------------------------------------------------------------


@require_safe
@login_required
@perm("view_notice")
def inbox(request):
    return render(request, "notices/inbox.html", {"notices": selectors.notice_list()})


@login_required
@perm("add_notice")
def notice_new(request):
    initial = {}
    template = NoticeTemplate.objects.filter(pk=request.GET.get("template") or 0).first()
    if template is not None:
        initial = {"template": template.pk, "title": template.name, "body": template.body}
    form = SendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_send(form.cleaned_data["area"], by=request.user, **form.send_arguments())
        except ValidationError as exc:
            form.add_error("body", exc.messages)
        else:
            messages.success(request, _("Notice sent."))
            return redirect("notices:detail", notice_id=notice.pk)
    status = 422 if form.errors else 200
    return render(request, "notices/new.html", {"form": form, "templates": NoticeTemplate.objects.all()}, status=status)


@require_safe
@login_required
@perm("view_notice")
def notice_detail(request, notice_id):
    notice = get_object_or_404(Notice.objects.select_related("area", "sent_by"), pk=notice_id)
    context = {"notice": notice, "counts": selectors.notice_counts(notice), "silent": selectors.notice_silent(notice)}
    return render(request, "notices/detail.html", context)


@require_POST
@login_required
def notice_acknowledge(request, notice_id, person_id):
    notice = writable(Notice, "notices.change_delivery", pk=notice_id)
    person = get_object_or_404(Person, pk=person_id)
    services.notice_person_acknowledge(notice, person, by=request.user)
    messages.success(request, _("Marked acknowledged."))
    return redirect("notices:detail", notice_id=notice.pk)


@require_safe
@login_required
@perm("view_calltask")
def calls(request):
    stage = request.GET.get("stage") if request.GET.get("stage") in CallTask.Stage.values else CallTask.Stage.PHONE
    context = {"stage": stage, "tasks": selectors.call_list(stage), "stages": CallTask.Stage.choices}
    return render(request, "notices/calls.html", context)


@require_POST
@login_required
def call_reached(request, task_id):
    task = writable(CallTask, "notices.change_calltask", pk=task_id)
    services.call_task_reach(task, by=request.user)
    if request.htmx:
        return render(request, "notices/_call_done.html", {"task": task})
    return redirect(reverse("notices:calls") + f"?stage={task.stage}")
