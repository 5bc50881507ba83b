"""Residents for ``bench_load.py``: results pages, map views, service pages and the API.

The residents use locust's ``FastHttpUser`` (geventhttpclient): the load generator shares
the machine's cores with the server, and it costs a fraction of the CPU per request that the
``requests``-based ``HttpUser`` does, so more of the cores are left to what is measured.

Think time comes from the environment (``WEGWIJZER_THINK``: "0.5-1.5", or "0" for the
saturation runs), so the same file serves both scenarios. Only ever aimed at 127.0.0.1.
"""

from __future__ import annotations

import os
import random
from urllib.parse import urlencode

from locust import FastHttpUser, between, constant, task

# What residents type, with a place or not (the same kinds of queries as bench_search.py).
QUERIES = [
    "schulden",
    "huur",
    "formulieren",
    "budget",
    "deurwaarder",
    "energie",
    "toeslagen",
    "kwijtschelding",
    "ik kan mijn rekeningen niet meer betalen",
    "er staat een deurwaarder voor de deur",
    "hulp bij formulieren",
    "schuldhulpverleenig",
    "geldzorgen",
    "afsluiting energie",
    "",
]
PLACES = ["", "", "Zwolle", "Kampen", "Utrecht", "8011", "Amsterdam", "Groningen", "Eindhoven"]


def _think() -> object:
    spec = os.environ.get("WEGWIJZER_THINK", "0.5-1.5")
    if "-" in spec:
        low, high = (float(x) for x in spec.split("-"))
        return between(low, high)
    return constant(float(spec))


def _params(rnd: random.Random) -> dict[str, str]:
    params = {"q": rnd.choice(QUERIES)}
    place = rnd.choice(PLACES)
    if place:
        params["plaats"] = place
    if not params["q"] and not place:
        params["q"] = "schulden"
    return params


class Resident(FastHttpUser):
    wait_time = _think()

    def on_start(self) -> None:
        self.rnd = random.Random()
        self.services: list[str] = []
        with self.client.get(
            "/api/v1/search?q=schulden&per_page=50", name="(setup)", catch_response=True
        ) as resp:
            if resp.status_code == 200:
                self.services = [r["id"] for r in resp.json().get("results", [])]
                resp.success()

    @task(5)
    def results_page(self) -> None:
        self.client.get("/zoeken?" + urlencode(_params(self.rnd)), name="/zoeken")

    @task(2)
    def map_view(self) -> None:
        params = _params(self.rnd) | {"weergave": "kaart"}
        self.client.get("/zoeken?" + urlencode(params), name="/zoeken (kaart)")

    @task(3)
    def service_page(self) -> None:
        if self.services:
            self.client.get(f"/hulp/{self.rnd.choice(self.services)}", name="/hulp/<id>")

    @task(3)
    def api_search(self) -> None:
        self.client.get("/api/v1/search?" + urlencode(_params(self.rnd)), name="/api/v1/search")
