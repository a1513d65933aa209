"""Screening pages. Thin: reads come through scoped managers and selectors, writes through services; the desk
page itself writes only through the JSON API, from its local queue."""

import segno
from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registry.identity import IdentityError, parse_ric
from registry.models import Person
from screening import codes
from screening.models import Campaign, Round, Site

DESK_FILES = ("gridcare/site.css", "screening/desk.css", "screening/desk.js")


def _desk_text():
    """Messages the desk script shows; {name} slots are filled in the browser."""
    return {
        "chooseFirst": _("Choose the round and the site first."),
        "scanTubeFirst": _("Scan a tube barcode first."),
        "tubeUsed": _("Tube {code} was already used on this device."),
        "tubeOpened": _("Tube {code} opened. Scan the persons."),
        "tubeOpenAlready": _("A tube is open: scan an ID number or a personal code, or close the tube."),
        "alreadyInTube": _("This person is already in the tube."),
        "added": _("Added: {n} of {size}."),
        "badQr": _("Not a valid personal code."),
        "badCheckDigit": _("ID number {n} fails its check digit: look again."),
        "idLength": _("An ID number has 18 characters."),
        "emptyTube": _("The tube is empty."),
        "closed": _("Tube {code} closed with {n} persons."),
        "tubeStatus": _("Tube {code}: {n} / {size}"),
        "noTube": _("No tube open"),
        "scanTube": _("Scan a tube barcode"),
        "scanPerson": _("Scan an ID number or a personal code"),
        "waiting": _("{n} tubes waiting to send"),
        "allSent": _("All tubes sent"),
        "loginAgain": _("Your login has expired: log in again; the tubes stay queued."),
        "provisional": _("not in the register: registered on the spot"),
        "unconfirmed": _("not confirmed yet"),
        "remove": _("Remove"),
        "rejectedTube": _("Tube {code} was refused: correct it and resend"),
        "tubeCode": _("Tube code"),
        "resend": _("Resend"),
        "undone": _("Undone."),
    }


@login_required
@permission_required("screening.add_tube", raise_exception=True)
def desk(request):
    now = timezone.now()
    rounds = (
        Round.objects.select_related("campaign")
        .exclude(campaign__kind=Campaign.Kind.ROLL_CALL)
        .filter(ends_at__gte=now - timezone.timedelta(days=1))
        .order_by("starts_at")
    )
    sites = Site.objects.filter(campaign__in={r.campaign_id for r in rounds}).select_related("area")
    return render(
        request,
        "screening/desk.html",
        {
            "rounds": rounds,
            "sites": sites,
            "pool_sizes": (1, 5, 10, 20),
            "text": _desk_text(),
            "qr_prefix": codes.PREFIX,
        },
    )


@login_required
def desk_worker(request):
    files = [static(name) for name in DESK_FILES] + [static("django_htmx/htmx.min.js")]
    return render(
        request,
        "screening/desk_sw.js",
        {"page_url": reverse("screening:desk"), "files": files, "version": "1"},
        content_type="application/javascript",
    )


@login_required
@require_POST
def desk_lookup(request):
    """Confirm who a scan is: name and masked ID of a person the user may see; `found: false` for a valid ID not
    in the register (the tube then registers them provisionally). POST, so ID numbers stay out of access logs."""
    query = request.POST.get("q", "").strip()
    if query.upper().startswith(codes.PREFIX):
        person_id = codes.person_id_from_code(query)
        if person_id is None:
            return JsonResponse({"found": False, "invalid": True})
        person = Person.objects.filter(pk=person_id).first()
    else:
        try:
            number = parse_ric(query)[0]
        except IdentityError as exc:
            return JsonResponse({"found": False, "invalid": True, "error": _(str(exc))})
        person = Person.objects.filter(id_type=Person.IdType.RESIDENT_ID, id_number=number).first()
    if person is None:
        return JsonResponse({"found": False})
    return JsonResponse({"found": True, "name": person.name, "masked_id": person.masked_id_number})


@login_required
@permission_required("registry.view_person", raise_exception=True)
def person_card(request, person_id):
    """A resident's personal registration code, to print or to show on a phone at the desk."""
    person = get_object_or_404(Person.objects.select_related("grid"), pk=person_id)
    qr = segno.make(codes.person_code(person), error="m")
    return render(request, "screening/person_card.html", {"person": person, "qr_svg": qr.svg_inline(scale=6)})
