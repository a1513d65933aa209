"""`gridcare simulate-donations`: the page's two hours replayed through the public pledge page — 127 donors pledge
3,522 boxes of water. Each donor opens the page, fills the form and sends it (a few tap twice: the client key in
the form makes it one pledge); then the public progress page is read back and must show 3,522 boxes from 127
donors. In-process with Django's test Client by default (each donor from their own address), or against a
running server with --url (whose PUBLIC_PLEDGES_PER_HOUR must let 127 pledges through from this machine).
Time is compressed: --compress 3600 plays the two hours in two seconds; 0 does not wait at all."""

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import CommandError
from django.utils import timezone

from core.commands import SystemCommand
from logistics.models import Campaign
from logistics.services import campaign_create
from logistics.simulation import DONORS, UNITS, pledges_script
from screening.models import Site

HIDDEN = re.compile(r'name="(client_key|csrfmiddlewaretoken)" value="([^"]+)"')


class Command(SystemCommand):
    help = "Replays 127 pledges through the public pledge page and checks the progress page shows 3,522 boxes."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="a running server's address (default: in-process)")
        parser.add_argument("--campaign", type=int, help="pledge to this campaign (default: a new one like the page's)")
        parser.add_argument("--compress", type=float, default=3600, help="time compression; 0 = no waiting")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, url, campaign, compress, seed, **options):
        campaign = Campaign.objects.get(pk=campaign) if campaign else self._campaign()
        before = campaign.pledges.count()
        send = HttpDonor(url) if url else ClientDonor()
        started = time.monotonic()
        for n, (offset, donor, phone, quantity, may_name) in enumerate(pledges_script(seed)):
            if compress:
                time.sleep(max(0, offset / compress - (time.monotonic() - started)))
            data = {
                "donor": donor,
                "phone": phone,
                "quantity": quantity,
                "deliver_on": campaign.first_day.isoformat(),
                "deliver_at": "09:00",
                "may_name": "on" if may_name else "",
            }
            send(campaign, data, address=f"10.8.{n // 250}.{n % 250 + 1}", double_tap=n % 10 == 0)
        page = send.progress(campaign)
        units, donors = (figure(page, name) for name in ("units", "donors"))
        self.stdout.write(f"progress page: {units} boxes from {donors} donors (pledges before: {before})")
        if before == 0 and (units, donors) != (UNITS, DONORS):
            raise CommandError(f"expected {UNITS} boxes from {DONORS} donors, the page shows {units} from {donors}")

    def _campaign(self):
        """A fresh campaign as on the page (3,000 boxes of water, 50 sites, 3 days), so the totals are the run's."""
        sites = list(Site.objects.order_by("-campaign_id", "pk")[:50])
        if not sites:
            raise CommandError("no sampling sites: run `gridcare demo` first, or pass --campaign")
        now = timezone.now()
        return campaign_create(
            name=f"饮用水捐赠演练 {timezone.localtime(now):%m-%d %H:%M}",
            item="饮用水",
            unit="箱",
            goal=3000,
            value_per_unit=Decimal("20"),
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(days=3),
            first_day=timezone.localdate(now),
            days=3,
            sites=sites,
        )


def figure(page, name):
    """A figure of the progress page (`<b data-figure="units">3,522</b>`) as a number, None when missing."""
    found = re.search(rf'data-figure="{name}">([^<]+)<', page)
    return int(re.sub(r"\D", "", found[1])) if found else None


class ClientDonor:
    """A donor's phone, in-process: Django's test Client, each donor from their own address."""

    def __call__(self, campaign, data, *, address, double_tap):
        from django.test import Client
        from django.urls import reverse

        client = Client(REMOTE_ADDR=address, HTTP_HOST="127.0.0.1")
        path = reverse("logistics:pledge_new", args=[campaign.pk])
        form = dict(HIDDEN.findall(client.get(path).content.decode()))
        for _tap in range(2 if double_tap else 1):
            response = client.post(path, data | {"client_key": form["client_key"]})
            if response.status_code != 302:
                raise CommandError(f"pledge refused ({response.status_code}): {data}")

    def progress(self, campaign):
        from django.test import Client
        from django.urls import reverse

        return Client(HTTP_HOST="127.0.0.1").get(reverse("logistics:progress", args=[campaign.pk])).content.decode()


class HttpDonor:
    """A donor's phone against a running server: real HTTP, the page's CSRF cookie and token."""

    def __init__(self, url):
        self.url = url.rstrip("/")

    def __call__(self, campaign, data, *, address, double_tap):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = f"{self.url}/logistics/give/{campaign.pk}/"
        form = dict(HIDDEN.findall(opener.open(page).read().decode()))
        body = urllib.parse.urlencode(data | form).encode()
        for _tap in range(2 if double_tap else 1):
            request = urllib.request.Request(page, data=body, headers={"Referer": page})
            try:
                opener.open(request)  # follows the redirect to the receipt page
            except urllib.error.HTTPError as exc:
                raise CommandError(f"pledge refused ({exc.code}): {data}") from exc

    def progress(self, campaign):
        return urllib.request.urlopen(f"{self.url}/logistics/give/{campaign.pk}/progress/").read().decode()
