import base64

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.forms.forms import NON_FIELD_ERRORS
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import services
from accounts.forms import LockoutAuthenticationForm, TotpCodeForm
from accounts.selectors import VERIFY, totp_device_get, totp_enabled, totp_required_for, totp_step_owed


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "locked"):
            response.status_code = 429
        return response


def _require_totp_on():
    if not totp_enabled():
        raise Http404("STAFF_TOTP is off")


def _next_url(request, default):
    """Where to go after the step: the page first asked for (a path of this site only), else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _refusal(form, refused):
    if refused.throttled:
        form.add_error("code", _("Too many wrong codes. Wait a minute, then enter the code your app shows now."))
        return 429
    form.add_error("code", _("This code is wrong or was already used. Enter the code your app shows now."))
    return 200


@login_required
@require_http_methods(["GET", "POST"])
def totp_verify(request):
    """The login's second step: the 6-digit code of the user's authenticator app."""
    _require_totp_on()
    if totp_step_owed(request) != VERIFY:
        return redirect(_next_url(request, reverse("home")))
    form = TotpCodeForm(request.POST or None)
    status = 200
    if form.is_valid():
        try:
            services.totp_verify(request, form.cleaned_data["code"])
            return redirect(_next_url(request, reverse("home")))
        except services.CodeRefused as refused:
            status = _refusal(form, refused)
    context = {"form": form, "next": _next_url(request, "")}
    return render(request, "accounts/totp_verify.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def totp_enrol(request):
    """Enrolment: the QR code and the key as text for an authenticator app, and its first code to confirm."""
    _require_totp_on()
    if totp_device_get(request.user) is not None:
        messages.info(request, _("Two-step verification is already on for your account."))
        return redirect("account")
    form = TotpCodeForm(request.POST or None)
    status = 200
    if form.is_valid():
        try:
            services.totp_enrol_confirm(request, form.cleaned_data["code"])
            messages.success(request, _("Two-step verification is on: each login will ask for a code."))
            return redirect(_next_url(request, reverse("account")))
        except services.CodeRefused as refused:
            status = _refusal(form, refused)
    device = services.totp_enrol_device(request.user)
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": _next_url(request, ""),
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5, omitsize=True),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "required": totp_required_for(request.user),
    }
    return render(request, "accounts/totp_enrol.html", context, status=status)


@require_safe
@login_required
def account(request):
    """The user's own account: who they are and their two-step verification."""
    _require_totp_on()
    context = {"device": totp_device_get(request.user), "required": totp_required_for(request.user)}
    return render(request, "accounts/account.html", context)
