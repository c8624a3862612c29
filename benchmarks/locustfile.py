"""
Load test users: ministry staff, coordinators and the project team browsing
PeerVisits and requesting reports, which they follow until the PDF is ready.
Run by benchmarks/load.py against gunicorn and Celery workers on loopback.
"""

import random
import re

import gevent
from locust import HttpUser, between, task

PASSWORD = "peervisits-demo"
USERS = ["staff-br", "staff-cl", "staff-co", "staff-cr", "staff-py", "staff-uy",
         "coordinator", "projectteam"]  # fmt: skip
LANGUAGES = ["en", "es", "pt"]
VISIT_LINK = re.compile(r'href="/visits/(\d+)/"')


class ProgrammeUser(HttpUser):
    wait_time = between(1, 4)

    def on_start(self):
        self.username = random.choice(USERS)
        self.client.get("/accounts/login/", name="/accounts/login/")
        response = self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD},
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", "")},
            name="/accounts/login/ (POST)",
        )
        response.raise_for_status()
        page = self.client.get("/visits/", name="/visits/")
        self.visit_ids = sorted(set(VISIT_LINK.findall(page.text))) or []

    def _csrf(self):
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    @task(4)
    def dashboard(self):
        self.client.get("/", name="/")

    @task(4)
    def visits(self):
        self.client.get("/visits/", name="/visits/")

    @task(6)
    def visit(self):
        if self.visit_ids:
            self.client.get(f"/visits/{random.choice(self.visit_ids)}/", name="/visits/<id>/")

    @task(3)
    def lessons(self):
        words = random.choice(["cuidados", "peer review", "participación", "cuidado domiciliar"])
        self.client.get("/lessons/", params={"q": words}, name="/lessons/?q=")

    @task(2)
    def methodology(self):
        self.client.get("/methodology/", name="/methodology/")

    @task(1)
    def report(self):
        """Request a report of a visit the user takes part in, then follow it until done."""
        if not self.visit_ids:
            return
        response = self.client.post(
            "/reports/",
            {
                "kind": "visit",
                "target": random.choice(self.visit_ids),
                "language": random.choice(LANGUAGES),
            },
            headers=self._csrf(),
            name="/reports/ (POST)",
        )
        job_url = response.url.removeprefix(self.host)
        for _ in range(300):
            with self.client.get(
                job_url,
                headers={"Accept": "application/json"},
                name="/reports/<id>/ (JSON)",
                catch_response=True,
            ) as poll:
                state = poll.json()
                if state["status"] == "failed":
                    poll.failure(f"report failed: {state.get('error')}")
                    return
            if state["status"] == "done":
                self.client.get(state["download_url"], name="/reports/<id>/download/")
                return
            gevent.sleep(1)
