"""Volunteer pages. Thin: objects come through the scoped (and, for a volunteer's own login, owner-filtered)
managers, work is done by volunteers.services, lists come from volunteers.selectors."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.middleware import client_ip
from care.models import HelpRequest, MedicineSchedule
from core import limits
from core.context import current_scope, system_actor, system_scope
from screening.models import Site
from volunteers import selectors, services
from volunteers.forms import AssignForm, DeliverForm, ErrandForm, PublicErrandForm, SignUpForm
from volunteers.models import Errand, Volunteer, VolunteerSettings


def perm(codename):
    return permission_required(f"volunteers.{codename}", raise_exception=True)


def _errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _message(exc):
    return "; ".join(exc.messages)


def _over_limit(request, name, limit):
    return not limits.hit(f"volunteers:{name}", client_ip(request), limit=limit, window=3600)


def _sites():
    """Sampling sites whose area is in the user's scope (screening.Site is not area-bound itself)."""
    scope = current_scope()
    sites = Site.objects.select_related("area", "campaign").order_by("area__code", "name")
    if scope.empty:
        return sites.none()
    return sites if scope.code is None else sites.filter(area__code__startswith=scope.code)


def _own_volunteer(request):
    volunteer = Volunteer.objects.filter(user=request.user).first()
    if volunteer is None:
        raise Http404(_("no volunteer record for this login"))
    return volunteer


# --- public pages ---------------------------------------------------------------------------------------------


def sign_up(request):
    """志愿者报名 / 双报到 without an account. The answer names nobody but the one who signed up."""
    with system_scope():
        form = SignUpForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if _over_limit(request, "sign_up", VolunteerSettings.current().signups_per_hour):
                return render(request, "volunteers/sign_up.html", {"form": form, "limited": True}, status=429)
            data = form.cleaned_data
            try:
                with system_actor():
                    services.volunteer_sign_up(**data)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                return render(request, "volunteers/sign_up.html", {"done": True})
        return render(request, "volunteers/sign_up.html", {"form": form}, status=422 if form.errors else 200)


def ask_errand(request):
    """跑腿: a resident who cannot go out asks for groceries or medicine; they get the hand-off code to tell the
    volunteer at the door."""
    with system_scope():
        form = PublicErrandForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if _over_limit(request, "ask_errand", VolunteerSettings.current().errands_per_hour):
                return render(request, "volunteers/ask_errand.html", {"form": form, "limited": True}, status=429)
            try:
                with system_actor():
                    errand = services.errand_public_create(**form.cleaned_data)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                return render(request, "volunteers/ask_errand.html", {"errand": errand})
        return render(request, "volunteers/ask_errand.html", {"form": form}, status=422 if form.errors else 200)


# --- the register of volunteers -------------------------------------------------------------------------------


@login_required
@require_safe
@perm("view_volunteer")
def volunteer_list(request):
    volunteers = Volunteer.objects.select_related("community")
    return render(request, "volunteers/list.html", {"volunteers": volunteers[:200]})


@login_required
@require_POST
@perm("verify_volunteer")
def volunteer_verify(request, volunteer_id):
    volunteer = get_object_or_404(Volunteer, pk=volunteer_id)
    services.volunteer_verify(volunteer, by=request.user)
    messages.success(request, _("Volunteer verified."))
    return redirect("volunteers:list")


@login_required
@require_POST
@perm("verify_volunteer")
def volunteer_login(request, volunteer_id):
    volunteer = get_object_or_404(Volunteer, pk=volunteer_id)
    try:
        user, password = services.volunteer_login_create(volunteer)
    except ValidationError as exc:
        messages.error(request, _message(exc))
        return redirect("volunteers:list")
    return render(request, "volunteers/login_made.html", {"volunteer": volunteer, "user": user, "password": password})


@login_required
@require_safe
@perm("view_shift")
def hours(request):
    return render(request, "volunteers/hours.html", {"rows": selectors.volunteer_hours()})


# --- sites, gaps and check-in ---------------------------------------------------------------------------------


@login_required
@require_safe
@perm("view_shift")
def sites(request):
    return render(request, "volunteers/sites.html", {"sites": _sites()[:200]})


@login_required
@require_safe
@perm("view_shift")
def board(request, site_id):
    site = get_object_or_404(_sites(), pk=site_id)
    context = {"site": site, "board": selectors.gap_board(site), "form": AssignForm()}
    template = "volunteers/_board.html" if request.headers.get("HX-Request") else "volunteers/board.html"
    return render(request, template, context)


@login_required
@require_POST
@perm("add_shift")
def assign(request, site_id):
    site = get_object_or_404(_sites(), pk=site_id)
    form = AssignForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.shift_assign(
                site,
                data["volunteer"],
                role=data["role"],
                starts_at=timezone.now(),
                hours=data["hours"],
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, _("Volunteer sent."))
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect("volunteers:board", site_id=site.pk)


@login_required
@require_safe
@perm("view_shift")
def site_qr(request, site_id):
    site = get_object_or_404(_sites(), pk=site_id)
    url = request.build_absolute_uri(reverse("volunteers:check_in", args=[site.pk, services.check_in_code(site)]))
    svg = segno.make(url, error="m").svg_inline(scale=6)
    return render(request, "volunteers/site_qr.html", {"site": site, "svg": svg})


@login_required
@perm("check_in_shift")
def check_in(request, site_id, code):
    """The page the site's QR opens on the volunteer's phone: GET shows the shift, POST checks in or out."""
    volunteer = _own_volunteer(request)
    site = get_object_or_404(Site.objects.all(), pk=site_id)  # any site: the code proves the volunteer is there
    if code != services.check_in_code(site):
        raise Http404(_("unknown check-in code"))
    if request.method == "POST":
        try:
            shift = services.shift_check_in(volunteer, site, code)
        except ValidationError as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, _("Checked out.") if shift.checked_out_at else _("Checked in."))
        return redirect("volunteers:check_in", site_id=site.pk, code=code)
    return render(request, "volunteers/check_in.html", {"site": site, "shifts": selectors.my_shifts(volunteer)})


# --- a volunteer's own day ------------------------------------------------------------------------------------


@login_required
@require_safe
@perm("claim_errand")
def mine(request):
    # A volunteer login made by hand in the back office has no volunteer record yet: the page says whom to ask.
    volunteer = Volunteer.objects.filter(user=request.user).first()
    if volunteer is None:
        return render(request, "volunteers/mine.html", {"volunteer": None, "shifts": [], "errands": [], "to_claim": []})
    errands, to_claim = selectors.my_errands(volunteer)
    context = {"volunteer": volunteer, "shifts": selectors.my_shifts(volunteer), "errands": errands}
    return render(request, "volunteers/mine.html", context | {"to_claim": to_claim, "now": timezone.now()})


@login_required
@require_safe
@perm("claim_errand")
def errand_detail(request, errand_id):
    volunteer = _own_volunteer(request)
    errand = get_object_or_404(Errand.objects.select_related("grid"), pk=errand_id, claimed_by=volunteer)
    return render(request, "volunteers/errand.html", {"errand": errand, "form": DeliverForm()})


@login_required
@require_POST
@perm("claim_errand")
def errand_claim(request, errand_id):
    volunteer = _own_volunteer(request)
    errand = get_object_or_404(Errand, pk=errand_id)
    try:
        services.errand_claim(errand, volunteer)
    except ValidationError as exc:
        messages.error(request, _message(exc))
        return redirect("volunteers:mine")
    return redirect("volunteers:errand", errand_id=errand.pk)


@login_required
@require_POST
@perm("claim_errand")
def errand_deliver(request, errand_id):
    volunteer = _own_volunteer(request)
    errand = get_object_or_404(Errand, pk=errand_id, claimed_by=volunteer)
    form = DeliverForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.errand_deliver(
                errand, volunteer, code=data["code"], amount=data["amount"], paid_by=data["paid_by"]
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Delivered. Thank you."))
            return redirect("volunteers:mine")
    return render(request, "volunteers/errand.html", {"errand": errand, "form": form}, status=422)


# --- errands for the grid -------------------------------------------------------------------------------------


@login_required
@require_safe
@perm("view_errand")
def errands(request):
    return render(request, "volunteers/errands.html", {"rows": selectors.errands_open()})


@login_required
@perm("add_errand")
def errand_new(request):
    form = ErrandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.errand_create(form.cleaned_data.pop("grid"), **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Errand recorded."))
            return redirect("volunteers:errands")
    return render(request, "volunteers/errand_new.html", {"form": form}, status=422 if form.errors else 200)


@login_required
@require_POST
@perm("add_errand")
def errand_from_request(request, request_id):
    help_request = get_object_or_404(HelpRequest, pk=request_id)
    try:
        services.errand_from_help_request(help_request)
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Errand recorded."))
    return redirect("volunteers:errands")


@login_required
@require_POST
@perm("add_errand")
def errand_from_medicine(request, schedule_id):
    schedule = get_object_or_404(MedicineSchedule.objects.select_related("person__household__building"), pk=schedule_id)
    services.errand_from_medicine_schedule(schedule)
    messages.success(request, _("Errand recorded."))
    return redirect("volunteers:errands")
