"""`gridcare simulate-screening --days 3`: a scripted screening campaign on the demo district, driven through the
public HTTP API as sampling desks and labs would, then checked against the database.

It starts a real WSGI server on 127.0.0.1 (or uses --url), gives each desk a medic's bearer token, and for each
day's round: residents show up at their community's sites (or 万达广场), desks close tubes by the pooling rules and
send them in batches — some batches are sent and their connection dropped before the answer, then resent under the
same client keys; a few tubes carry a wrong ID number and are corrected and resent; a few people are not in the
register. The lab answers every tube, with a few positive pools whose members are re-sampled single-tube. Grid
workers record knock outcomes for some of the missing. At the end it compares the API's coverage with an
independent count from the database, checks that no sample was duplicated and that every missing person is on some
grid's knock list, prints the comparison and exits non-zero on any mismatch.
"""

import http.client
import json
import random
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta
from socketserver import ThreadingMixIn
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import token_issue
from core.commands import SystemCommand
from registry.models import Area, Person
from registry.testing import synthetic_id_number
from screening import planner
from screening.models import Campaign, Exclusion, Round, Sample, Site, Tube
from screening.services import pool_size_for, site_medics_assign

BATCH = 100


class Command(SystemCommand):
    help = "Drives a screening campaign through the HTTP API and checks coverage against the database."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--campaign", type=int, help="campaign id (default: the demo campaign, else a new one)")
        parser.add_argument("--url", help="drive this server instead of starting one")
        parser.add_argument("--show-up", type=float, default=0.9, help="share of residents sampled each day")
        parser.add_argument("--positives", type=int, default=2, help="positive pooled tubes per day")
        parser.add_argument("--lost", type=float, default=0.1, help="share of batches whose answer is lost")

    def handle(self, *args, days, seed, campaign, url, show_up, positives, lost, **options):
        rng = random.Random(seed)
        server = None
        if url is None:
            server = LocalServer()
            url = server.url
        try:
            sim = Simulation(url, rng, self.stdout, show_up=show_up, positives=positives, lost=lost)
            sim.prepare(campaign, days)
            for number in range(1, days + 1):
                sim.run_round(number)
            mismatches = sim.check()
        finally:
            if server is not None:
                server.stop()
        if mismatches:
            raise CommandError(f"{mismatches} mismatch(es) between the API and the database")
        self.stdout.write("simulation OK: API coverage matches the database, no duplicate sample")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a desk that dropped its connection is part of the script


class _ClosingApp:
    """Each server thread closes its database connection after the request (threads are not reused)."""

    def __init__(self):
        self.app = WSGIHandler()

    def __call__(self, environ, start_response):
        try:
            return list(self.app(environ, start_response))
        finally:
            connections.close_all()


class LocalServer:
    def __init__(self):
        self.httpd = make_server(
            "127.0.0.1", 0, _ClosingApp(), server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Api:
    def __init__(self, url, token):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method, path, body=None, drop=False):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        conn.request(method, "/api/v1/screening" + path, json.dumps(body) if body is not None else None, self.headers)
        if drop:
            conn.close()  # the connection is lost before the answer comes back
            return None, None
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, json.loads(data) if data else None


class Simulation:
    def __init__(self, url, rng, stdout, *, show_up, positives, lost):
        self.url, self.rng, self.stdout = url, rng, stdout
        self.show_up, self.positives, self.lost = show_up, positives, lost
        self.tag = f"{int(time.time()) % 100000:05d}"
        self.accepted_samples = defaultdict(int)  # round id → sample rows the API accepted
        self.counter = 0
        self.stats = defaultdict(int)

    def prepare(self, campaign_id, days):
        admin = User.objects.filter(role=Role.DISTRICT_ADMIN, area__level=Area.Level.DISTRICT).first()
        medics = list(User.objects.filter(role=Role.MEDIC, is_active=True)[:4])
        lab = User.objects.filter(role=Role.LAB, is_active=True).first()
        if admin is None or not medics or lab is None:
            raise CommandError("needs a district admin, a medic and a lab user (run `gridcare demo` first)")
        self.admin = Api(self.url, token_issue(admin, "simulate-screening")[1])
        self.lab = Api(self.url, token_issue(lab, "simulate-screening lab")[1])
        self.desks = [Api(self.url, token_issue(m, "simulate-screening desk")[1]) for m in medics]
        self.district = Area.all_objects.get(level=Area.Level.DISTRICT, code=admin.area.code)
        campaign = self._campaign(campaign_id, days)
        status, data = self.admin.call("GET", f"/campaigns/{campaign.pk}")
        if status != 200:
            raise CommandError(f"GET campaign: {status} {data}")
        self.campaign = campaign
        self.rounds = {r["number"]: r for r in data["rounds"]}
        self.sites = data["sites"]
        if len(self.rounds) < days or not self.sites:
            raise CommandError("the campaign needs one round per day and at least one site")
        # A medic registers tubes only at the sites assigned to them: the simulated desks work every site.
        for site in Site.objects.filter(campaign=campaign).prefetch_related("medics"):
            site_medics_assign(site, set(site.medics.all()) | set(medics))
        rules = list(campaign.pooling_rules.select_related("area"))
        self.persons = list(
            Person.all_objects.filter(grid__code__startswith=self.district.code, is_provisional=False)
            .exclude(residence_status__in=[Person.ResidenceStatus.MOVED_OUT, Person.ResidenceStatus.DECEASED])
            .values_list("id", "id_number", "grid__code", "household_id")
        )
        self.pool = {code: pool_size_for(campaign, code, rules) for code in {p[2] for p in self.persons}}
        # Residents choose a site as the planner shares them out (their community's, some the district-wide one).
        self.site_rows = {s.pk: s for s in Site.objects.filter(campaign=campaign).select_related("area")}
        self.shares = planner.site_shares(list(self.site_rows.values()), {p[2] for p in self.persons})
        self.errors = []
        self.stdout.write(f"simulating {days} day(s) over {len(self.persons)} residents, {len(self.sites)} sites")

    def _campaign(self, campaign_id, days):
        if campaign_id:
            return Campaign.objects.get(pk=campaign_id)
        # Not the demo's campaign: its rounds run now and later, and a desk may not sample into a round not begun.
        start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=days)
        body = {
            "client_key": f"sim-campaign-{self.tag}",
            "name": f"simulated screening {self.tag}",
            "scope": [self.district.code],
            "rounds": [
                {
                    "starts_at": (start + timedelta(days=d)).isoformat(),
                    "ends_at": (start + timedelta(days=d, hours=12)).isoformat(),
                }
                for d in range(days)
            ],
        }
        status, data = self.admin.call("POST", "/campaigns", body)
        if status != 201:
            raise CommandError(f"POST campaign: {status} {data}")
        sites = [a for a in Area.all_objects.filter(level=Area.Level.COMMUNITY, code__startswith=self.district.code)]
        for community in sites:
            site = {
                "client_key": f"sim-site-{self.tag}-{community.code}",
                "name": f"{community.name}采样点",
                "area": community.code,
            }
            self.admin.call("POST", f"/campaigns/{data['id']}/sites", site)
        return Campaign.objects.get(pk=data["id"])

    # --- one day ---------------------------------------------------------------------------------------------

    def run_round(self, number):
        round_ = self.rounds[number]
        started = time.perf_counter()
        come = [p for p in self.persons if self.rng.random() < self.show_up]
        self.rng.shuffle(come)
        tubes = self._tubes(round_, come)
        tubes += self._newcomer_tubes(round_, 2)
        self._send_tubes(tubes)
        self._corrected_tube(round_)
        codes = [t["tube_code"] for t in tubes if t.get("accepted")]
        positive = self._results(codes, tubes)
        self._resample(round_, positive)
        self._knocks(round_)
        self.stdout.write(
            f"round {number}: {len(tubes)} tubes, {self.accepted_samples[round_['id']]} samples, "
            f"{len(positive)} positive pools, {time.perf_counter() - started:.1f} s"
        )

    def _site_for(self, grid_code):
        shares = self.shares.get(grid_code)
        if not shares:
            return {"id": self.rng.choice(self.sites)["id"]}
        draw, seen = self.rng.random(), 0.0
        for site, share in shares:
            seen += share
            if draw < seen:
                return {"id": site.pk}
        return {"id": shares[-1][0].pk}

    def _tubes(self, round_, persons):
        """Persons queue at their site as at a real desk: arrivals drawn from the planner's curve over the site's
        hours, lognormal service times around its mean, first come first served at the site's desks. Each tube
        closes when its last person is sampled; the planned and measured finish per site are printed."""
        at_site = defaultdict(list)
        for pid, number, grid_code, _household in persons:
            entry = {"id_number": number} if self.rng.random() < 0.9 else {"person_id": pid}
            at_site[self._site_for(grid_code)["id"]].append((entry, self.pool[grid_code]))
        round_obj = Round.objects.select_related("campaign").get(pk=round_["id"])
        planned = dict(planner.plan(round_obj, [self.site_rows[i] for i in at_site if i in self.site_rows]))
        tubes = []
        self.stdout.write(f"  {'site':<16} {'desks':>5} {'planned':>8} {'measured':>8} {'people':>13} {'error':>7}")
        for site_id, arrivals in at_site.items():
            site = self.site_rows[site_id]
            opens, result, _times = planner.measure_site(site, round_obj, len(arrivals), self.rng)
            done = [opens + timedelta(seconds=end) for end in result["ends"]]
            queues = defaultdict(list)
            for (entry, size), finished in zip(arrivals, done, strict=True):
                queues[size].append((entry, finished))
            for size, entries in queues.items():
                for start in range(0, len(entries), size):
                    members = entries[start : start + size]
                    closed = min(max(f for _e, f in members), round_obj.ends_at)
                    tubes.append(self._tube(round_, site_id, size, [e for e, _f in members], closed=closed))
            self._compare(site, planned.get(site), opens + timedelta(seconds=result["finish"]), len(arrivals))
        return tubes

    def _compare(self, site, plan, measured, people):
        if plan is None or plan["finish_at"] is None:
            return
        span = (plan["finish_at"] - plan["opens_at"]).total_seconds()
        error = 100 * (measured - plan["finish_at"]).total_seconds() / span if span > 0 else 0.0
        self.errors.append(error)
        clock = "%H:%M"
        self.stdout.write(
            f"  {site.name[:16]:<16} {site.desks:>5} {timezone.localtime(plan['finish_at']).strftime(clock):>8} "
            f"{timezone.localtime(measured).strftime(clock):>8} {plan['people']:>6}/{people:<6} {error:>+6.1f}%"
        )

    def _tube(self, round_, site_id, size, entries, closed=None):
        self.counter += 1
        if closed is None:
            closed = datetime.fromisoformat(round_["starts_at"]) + timedelta(seconds=self.rng.randint(0, 12 * 3600))
        return {
            "client_key": f"sim-{self.tag}-{self.counter}",
            "round": round_["id"],
            "site": site_id,
            "tube_code": f"S{self.tag}{self.counter:08d}",
            "pool_size": size,
            "closed_at": closed.isoformat(),
            "persons": entries,
        }

    def _newcomer_tubes(self, round_, n):
        """People not in the register: valid ID numbers, registered provisionally by the desk."""
        tubes = []
        for _ in range(n):
            number = synthetic_id_number(900_000 + self.rng.randint(0, 99_999), prefix=self.district.code)
            if Person.all_objects.filter(id_number=number).exists():
                continue
            grid = self.rng.choice(self.persons)[2]
            tubes.append(
                self._tube(
                    round_, self._site_for(grid)["id"], 1, [{"id_number": number, "name": "新登记", "grid": grid}]
                )
            )
        return tubes

    def _send_tubes(self, tubes):
        for start in range(0, len(tubes), BATCH):
            batch = tubes[start : start + BATCH]
            desk = self.rng.choice(self.desks)
            if self.rng.random() < self.lost:
                desk.call("POST", "/tubes/batch", {"tubes": batch}, drop=True)
                self.stats["lost batches"] += 1
            status, data = desk.call("POST", "/tubes/batch", {"tubes": batch})
            if status != 200:
                raise CommandError(f"batch: {status} {data}")
            for tube, answer in zip(batch, data["results"], strict=True):
                if answer["http_status"] == 201:
                    tube["accepted"] = True
                    self.accepted_samples[tube["round"]] += len(tube["persons"])
                else:
                    self.stats[f"tube answered {answer['http_status']}"] += 1
            if self.rng.random() < self.lost:  # a plain retry of a batch already answered: all replays
                desk.call("POST", "/tubes/batch", {"tubes": batch})
                self.stats["retried batches"] += 1

    def _corrected_tube(self, round_):
        """A desk types an ID number wrong: the tube is refused whole, corrected and resent under the same key."""
        pid, number, grid, _h = self.rng.choice(self.persons)
        wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
        tube = self._tube(round_, self._site_for(grid)["id"], 1, [{"id_number": wrong}])
        desk = self.rng.choice(self.desks)
        status, data = desk.call("POST", "/tubes", tube)
        if status != 422:
            raise CommandError(f"a wrong ID number was not refused: {status} {data}")
        tube["persons"] = [{"id_number": number}]
        status, data = desk.call("POST", "/tubes", tube)
        if status != 201:
            raise CommandError(f"the corrected tube was refused: {status} {data}")
        self.accepted_samples[round_["id"]] += 1
        self.stats["corrected tubes"] += 1

    def _results(self, codes, tubes):
        pooled = [t["tube_code"] for t in tubes if t.get("accepted") and t["pool_size"] > 1]
        positive = set(self.rng.sample(pooled, min(self.positives, len(pooled))))
        for start in range(0, len(codes), 500):
            items = [
                {"tube_code": c, "result": "positive" if c in positive else "negative", "lab": "江门市中心医院"}
                for c in codes[start : start + 500]
            ]
            status, data = self.lab.call("POST", "/results", {"results": items})
            if status != 200 or any(r["http_status"] != 200 for r in data["results"]):
                raise CommandError(f"results: {status}")
        return positive

    def _resample(self, round_, positive):
        """Everyone held after a positive pool gets a single tube at home; all negative but the first."""
        status, holds = self.admin.call("GET", f"/holds?round={round_['id']}")
        held = [h for h in holds if h["tube_code"] in positive and h["state"] == "held"]
        tubes = [self._tube(round_, self.sites[0]["id"], 1, [{"person_id": h["person_id"]}]) for h in held]
        self._send_tubes(tubes)
        items = [
            {"tube_code": t["tube_code"], "result": "positive" if n == 0 else "negative", "lab": "江门市中心医院"}
            for n, t in enumerate(tubes)
        ]
        if items:
            self.lab.call("POST", "/results", {"results": items})
        self.stats["re-sampled after a positive pool"] += len(tubes)

    def _knocks(self, round_):
        """Some missing doors get a knock: mostly not home, some away (excluded)."""
        grids = sorted({p[2] for p in self.persons})
        for grid in self.rng.sample(grids, min(5, len(grids))):
            status, doors = self.admin.call("GET", f"/rounds/{round_['id']}/knock-list?grid={grid}")
            for door in [d for d in doors if d["household_id"]][:3]:  # provisional persons have no door yet
                outcome = self.rng.choice(["not_home", "not_home", "away", "will_go"])
                key = f"knock-{self.tag}-{round_['id']}-{door['household_id']}"
                body = {"client_key": key, "household_id": door["household_id"], "outcome": outcome, "where": "广州"}
                for _attempt in range(2):  # sent twice: the retry must not record a second outcome
                    self.admin.call("POST", f"/rounds/{round_['id']}/knocks", body)
                self.stats[f"knock {outcome}"] += 1

    # --- the checks ------------------------------------------------------------------------------------------

    def check(self):
        mismatches = 0
        for number, round_ in sorted(self.rounds.items()):
            if round_["id"] not in self.accepted_samples:
                continue
            mismatches += self._check_round(number, round_)
        for key, value in sorted(self.stats.items()):
            self.stdout.write(f"  {key}: {value}")
        if self.errors:
            errors = [abs(e) for e in self.errors]
            self.stdout.write(
                f"planner: finish time error over {len(errors)} site-days (measured vs planned, share of the planned "
                f"working span): mean {sum(errors) / len(errors):.1f}%, max {max(errors):.1f}%"
            )
        return mismatches

    def _check_round(self, number, round_):
        independent = independent_count(self.campaign, round_["id"], self.district.code)
        status, api = self.admin.call("GET", f"/rounds/{round_['id']}/coverage?area={self.district.code}")
        mismatches = 0
        self.stdout.write(f"round {number}: {'':<10} {'API':>9} {'database':>9}")
        for key in ("expected", "sampled", "missing", "excluded", "resulted", "positive"):
            ok = api[key] == independent[key]
            mismatches += not ok
            self.stdout.write(f"  {key:<18} {api[key]:>9} {independent[key]:>9} {'' if ok else '  MISMATCH'}")
        rows = Sample.all_objects.filter(round_id=round_["id"]).count()
        ok = rows == self.accepted_samples[round_["id"]]
        mismatches += not ok
        self.stdout.write(
            f"  {'sample rows':<18} {self.accepted_samples[round_['id']]:>9} {rows:>9} {'' if ok else '  DUPLICATES'}"
        )
        tubes = Tube.objects.filter(round_id=round_["id"]).values("code").distinct().count()
        self.stdout.write(f"  {'tubes':<18} {tubes:>9}")
        on_lists = set()
        for grid in sorted(independent["missing_grids"]):
            status, doors = self.admin.call("GET", f"/rounds/{round_['id']}/knock-list?grid={grid}")
            on_lists |= {p["id"] for d in doors for p in d["persons"]}
        ok = independent["missing_ids"] <= on_lists
        mismatches += not ok
        self.stdout.write(
            f"  {'on knock lists':<18} {len(on_lists):>9} {len(independent['missing_ids']):>9} {'' if ok else '  NOT LISTED'}"
        )
        return mismatches


def independent_count(campaign, round_id, district_code):
    """Coverage from plain rows and Python sets, sharing no code with screening.selectors."""
    from screening.models import Round

    round_ = Round.objects.get(pk=round_id)
    day = timezone.localtime(round_.starts_at).date()
    scope = list(campaign.scope.model.all_objects.filter(campaigns=campaign).values_list("code", flat=True))
    statuses = set(campaign.residence_statuses)

    def age_ok(birth):
        if birth is None:
            return True
        age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
        return (campaign.min_age is None or age >= campaign.min_age) and (
            campaign.max_age is None or age <= campaign.max_age
        )

    grid_of = {}
    base = set()
    for pid, status, birth, code in Person.all_objects.filter(grid__code__startswith=district_code).values_list(
        "id", "residence_status", "birth_date", "grid__code"
    ):
        if status in statuses and any(code.startswith(s) for s in scope) and age_ok(birth):
            base.add(pid)
            grid_of[pid] = code
    samples = list(Sample.all_objects.filter(round_id=round_id).values_list("person_id", "result"))
    sampled = {p for p, _r in samples} & base
    resulted = {p for p, r in samples if r != "pending"} & base
    positive = {p for p, r in samples if r == "positive"} & base
    excluded = set()
    for pid, r, until in Exclusion.all_objects.filter(campaign=campaign).values_list("person_id", "round_id", "until"):
        if (r is None or r == round_id) and (until is None or until >= day):
            excluded.add(pid)
    excluded = (excluded & base) - sampled
    expected = base - excluded
    missing = expected - sampled
    return {
        "expected": len(expected),
        "sampled": len(sampled),
        "missing": len(missing),
        "excluded": len(excluded),
        "resulted": len(resulted),
        "positive": len(positive),
        "missing_ids": missing,
        "missing_grids": {grid_of[p] for p in missing},
    }
