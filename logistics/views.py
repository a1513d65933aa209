"""Donation pages. Public (no login): the pledge form, the progress page and the donor's own receipt page with
their thank-you PDF. Staff: campaigns, the plan and its explanation, deliveries (drivers and sites), stock. Thin:
work is done by logistics.services, reads by logistics.selectors."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.middleware import client_ip
from core import limits
from core.access import writable
from core.context import system_actor
from core.idempotency import keyed
from core.masking import mask_phone
from logistics import selectors, services
from logistics.forms import MoneyForm, PledgeForm, ReceiveForm, StockUseForm
from logistics.models import Campaign, Delivery, Pledge
from logistics.thanks import thanks_pdf
from screening.models import Site


def logistics_perm(codename):
    return permission_required(f"logistics.{codename}", raise_exception=True)


def _errors(exc):
    return "; ".join(m for ms in exc.message_dict.values() for m in ms)


# --- public pages -------------------------------------------------------------------------------------------


def pledge_new(request, campaign_id):
    """认捐: a donor pledges without an account, phone first, and is sent to their own receipt page."""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = PledgeForm(request.POST or None, campaign=campaign)
    context = {"campaign": campaign, "form": form}
    if request.method == "POST" and form.is_valid():
        if not limits.hit("logistics:pledge", client_ip(request), limit=settings.PUBLIC_PLEDGES_PER_HOUR, window=3600):
            return render(request, "logistics/pledge_new.html", context | {"limited": True}, status=429)
        data = form.cleaned_data

        def write():
            try:
                pledge = services.pledge_create(
                    campaign,
                    donor=data["donor"],
                    phone=data["phone"],
                    quantity=data["quantity"],
                    deliver_on=data["deliver_on"],
                    deliver_at=data["deliver_at"],
                    may_name=data["may_name"],
                )
            except ValidationError as exc:
                return 400, {"errors": exc.message_dict}
            return 201, {"receipt": pledge.receipt}

        with system_actor():
            status, answer = keyed(f"logistics.pledge:{campaign.pk}", data["client_key"], request.POST.dict(), write)
        if status < 400:
            return redirect("logistics:receipt", receipt=answer["receipt"])
        if status == 409:
            form.add_error(None, _conflict())
        for field, errors in answer.get("errors", {}).items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return render(request, "logistics/pledge_new.html", context, status=400)
    return render(request, "logistics/pledge_new.html", context, status=400 if form.errors else 200)


def _conflict():
    from django.utils.translation import gettext as _

    return _("This form was already sent with other values. Please reload the page and pledge again.")


@require_safe
def progress(request, campaign_id):
    """The public progress page: pledged against the goal, donors, value, and the donors who agreed to be named;
    the figures refresh by themselves (htmx polling the same address)."""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    context = {
        "campaign": campaign,
        "totals": selectors.campaign_totals(campaign),
        "named": selectors.named_donors(campaign),
    }
    template = "logistics/_progress.html" if request.htmx else "logistics/progress.html"
    return render(request, template, context)


@require_safe
def receipt(request, receipt):
    """The donor's own page, reached only by the unguessable link they were given: their pledge, its deliveries'
    progress, their thank-you letter. The phone is masked even here (the link may be forwarded)."""
    pledge = get_object_or_404(Pledge.objects.select_related("campaign"), receipt=receipt)
    delivered = sum(
        line.quantity for line in Delivery.all_objects.filter(pledge=pledge, status__in=services.KEPT)
    )  # the donor's own lines, whatever area the sites are in
    return render(
        request,
        "logistics/receipt.html",
        {"pledge": pledge, "masked_phone": mask_phone(pledge.phone), "delivered": delivered},
    )


@require_safe
def thanks(request, receipt):
    pledge = get_object_or_404(Pledge.objects.select_related("campaign"), receipt=receipt)
    response = HttpResponse(thanks_pdf(pledge), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="thanks.pdf"'
    return response


# --- staff pages --------------------------------------------------------------------------------------------


@require_safe
@logistics_perm("view_campaign")
def campaigns(request):
    rows = [(c, selectors.campaign_totals(c)) for c in Campaign.objects.all()]
    return render(request, "logistics/campaigns.html", {"rows": rows})


@require_safe
@logistics_perm("view_pledge")
def campaign(request, campaign_id):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    pledges = list(campaign.pledges.order_by("-created_at")[:200])
    for pledge in pledges:
        pledge.masked_phone = mask_phone(pledge.phone)
    return render(
        request,
        "logistics/campaign.html",
        {
            "campaign": campaign,
            "totals": selectors.campaign_totals(campaign),
            "pledges": pledges,
            "money": campaign.money.all()[:100],
            "money_form": MoneyForm(),
        },
    )


@require_POST
@logistics_perm("add_moneydonation")
def money_new(request, campaign_id):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = MoneyForm(request.POST)
    if form.is_valid():
        try:
            services.money_record(campaign, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    else:
        messages.error(request, "; ".join(f"{form.fields[f].label}: {e[0]}" for f, e in form.errors.items()))
    return redirect("logistics:campaign", campaign_id=campaign.pk)


@require_POST
def pledge_fall_through(request, pledge_id):
    pledge = writable(Pledge, "logistics.change_pledge", pk=pledge_id)
    try:
        services.pledge_fall_through(pledge)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("logistics:campaign", campaign_id=pledge.campaign_id)


@require_safe
@logistics_perm("view_delivery")
def plan(request, campaign_id):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    return render(
        request,
        "logistics/plan.html",
        {
            "campaign": campaign,
            "rows": selectors.plan_explained(campaign),
            "totals": selectors.campaign_totals(campaign),
        },
    )


@require_POST
@logistics_perm("add_delivery")
def plan_build(request, campaign_id):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    services.plan_build(campaign)
    return redirect("logistics:plan", campaign_id=campaign.pk)


@require_safe
@logistics_perm("view_delivery")
def deliveries(request):
    day = request.GET.get("day") or timezone.localdate().isoformat()
    try:
        lines = list(selectors.delivery_list(day=day))
    except ValidationError:
        lines, day = list(selectors.delivery_list()), ""
    return render(request, "logistics/deliveries.html", {"lines": lines, "day": day})


# step in the URL -> (permission, service)
STEPS = {
    "pick-up": ("logistics.change_delivery", services.delivery_pick_up),
    "deliver": ("logistics.change_delivery", services.delivery_deliver),
    "receive": ("logistics.receive_delivery", services.delivery_receive),
}


@require_POST
def delivery_step(request, delivery_id, step):
    """A driver's pick-up and delivery, the site's receipt (with the number that arrived)."""
    if step not in STEPS:
        raise Http404(step)
    perm, service = STEPS[step]
    delivery = writable(Delivery, perm, pk=delivery_id)
    kwargs = {}
    if step == "receive":
        form = ReceiveForm(request.POST)
        if not form.is_valid():
            messages.error(request, "; ".join(e[0] for e in form.errors.values()))
            return redirect(reverse("logistics:deliveries") + f"?day={delivery.day.isoformat()}")
        kwargs = form.cleaned_data
    try:
        service(delivery, **kwargs)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(reverse("logistics:deliveries") + f"?day={delivery.day.isoformat()}")


@require_safe
@logistics_perm("view_stockuse")
def stock(request, campaign_id):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    return render(request, "logistics/stock.html", {"campaign": campaign, "rows": selectors.site_stock(campaign)})


@require_POST
@logistics_perm("add_stockuse")
def stock_use(request, campaign_id):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = StockUseForm(request.POST)
    if form.is_valid():
        site = get_object_or_404(Site, pk=form.cleaned_data["site"])
        try:
            services.stock_use_record(campaign, site, quantity=form.cleaned_data["quantity"])
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    else:
        messages.error(request, "; ".join(e[0] for e in form.errors.values()))
    return redirect("logistics:stock", campaign_id=campaign.pk)
