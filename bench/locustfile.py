"""The load test's people (run by scripts/load_test.py against `scripts/cluster.py`; see docs/BENCHMARKS.md).

Sampling desks send batches of closed tubes to the batch API, grid workers open their knock list, command staff
refresh the dashboard, residents open a site's queue page and a venue's scan page. Each simulated person talks to one
web process of the cluster (LOAD_HOSTS, spread evenly), as a person behind a balancer would.

LOAD_SETUP names a JSON file with what the people need (made by scripts/load_test.py): the round and site, a medic's
API token, persons a 10-person tube may hold, the demo logins' password, a site and venue code for the public pages.
"""

import itertools
import json
import os
import random
import re
import time
import uuid

from locust import HttpUser, between, task

SETUP = json.loads(open(os.environ["LOAD_SETUP"]).read()) if os.environ.get("LOAD_SETUP") else {}
HOSTS = os.environ.get("LOAD_HOSTS", "http://127.0.0.1:8101").split(",")
TUBES_PER_BATCH = 10
PERSONS_PER_TUBE = 10
_next_host = itertools.cycle(HOSTS)
_run = (
    os.environ.get("LOAD_RUN") or uuid.uuid4().hex[:6].upper()
)  # tube codes of this run never collide with an earlier run's
_tubes = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Person(HttpUser):
    abstract = True

    def __init__(self, environment):
        self.host = next(_next_host)  # before HttpUser makes its client for self.host
        super().__init__(environment)


class StaffPerson(Person):
    abstract = True
    username = ""

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": SETUP["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
        )


class SamplingDesk(Person):
    """A desk closes a tube every few seconds and sends them in batches, each tube under its own client key."""

    weight = 3
    wait_time = between(0.5, 1.5)

    @task
    def send_batch(self):
        tubes = []
        for _ in range(TUBES_PER_BATCH):
            code = f"L{_run}{next(_tubes):07d}"
            persons = random.sample(SETUP["persons"], PERSONS_PER_TUBE)
            tubes.append(
                {
                    "client_key": f"load-{code}",
                    "round": SETUP["round"],
                    "site": SETUP["site"],
                    "tube_code": code,
                    "pool_size": PERSONS_PER_TUBE,
                    "closed_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 60)),
                    "persons": [{"person_id": pid} for pid in persons],
                }
            )
        with self.client.post(
            "/api/v1/screening/tubes/batch",
            json={"tubes": tubes},
            headers={"Authorization": f"Bearer {SETUP['token']}"},
            name="tube batch (10 tubes, 100 persons)",
            catch_response=True,
        ) as answer:
            if answer.status_code not in (200, 201):
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")


class GridWorker(StaffPerson):
    weight = 2
    wait_time = between(2, 5)
    username = "grid1"

    @task
    def knock_list(self):
        self.client.get("/screening/knock/", name="knock list")


class CommandStaff(StaffPerson):
    weight = 1
    wait_time = between(3, 6)
    username = "admin"

    @task
    def dashboard(self):
        self.client.get("/command/", name="district dashboard")


class Resident(Person):
    weight = 2
    wait_time = between(2, 5)

    @task(2)
    def site_queue(self):
        self.client.get(f"/screening/sites/{SETUP['site']}/", name="site queue page (public)")

    @task
    def venue_scan(self):
        self.client.get(f"/tracing/v/{SETUP['venue_code']}/", name="venue scan page (public)")
