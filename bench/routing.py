"""Kamailio's routing question under load: 50 agents, 200 callers waiting, against gunicorn on
PostgreSQL, as the phone system asks it (HTTP GET with X-Phone-Secret, one keep-alive connection
per asker, like Kamailio's http_client workers):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/calls_domain_bench DEBUG=false \\
    SECRET_KEY=bench-only-not-secret PHONE_SECRET=bench-phone-secret \\
    PHONE_AUTH_SECRET=bench-auth-secret ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false \\
        .venv/bin/python bench/routing.py --seconds 60

It migrates that database, empties the calls' tables, makes the queue "City line" (311, no
wrap-up), a trunk for 127.0.0.1 and 50 agents, and starts gunicorn (2 workers, access log off)
on --port. Then, for --seconds:

- 200 callers wait: each asks the route again after the "wait" answer's retry_seconds (1 s at
  the head of the queue, 2 s or 5 s further back; with --every-poll every --poll seconds), as
  the media service's loop does, until it is answered "ring"; then the agent answers (an
  "answered" event), talks --talk seconds, hangs up (a "hangup" event) and becomes available
  again; the caller is replaced by a new one, so 200
  wait all the time. --askers workers (8, each with its own keep-alive connection, like
  Kamailio's async workers) ask for all of them, each question when it is due;
- the agents start available; they are all busy within a second, after that each freed agent
  goes to the caller who has waited longest.

Prints the routing question's median, p95 and max (client side, ms), split by answer ("wait",
"ring"), the events', and the checks that matter: no agent rang for two calls at once and every
answered call had one agent, and the answered callers' waits. Nothing here asserts a time.
"""

import argparse
import heapq
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from calls.models import (  # noqa: E402
    AgentState,
    AgentStateChange,
    Call,
    Callback,
    CallEvent,
    Queue,
    QueueMember,
    Trunk,
)
from calls.services import agent_state_set  # noqa: E402

AGENTS = 50
WAITING = 200


def prepare() -> list[User]:
    call_command("migrate", verbosity=0)
    for model in (CallEvent, Callback, AgentStateChange, AgentState, QueueMember, Call):
        model.objects.all().delete()
    Queue.objects.all().delete()
    Trunk.objects.all().delete()
    queue = Queue.objects.create(name="City line", number="311", wrap_up_seconds=0)
    Trunk.objects.create(name="Bench trunk", source_addresses="127.0.0.1")
    agents = []
    for number in range(AGENTS):
        user, _created = User.objects.get_or_create(username=f"bench-agent-{number:02d}")
        QueueMember.objects.create(queue=queue, user=user, skill=1 + number % 5)
        agent_state_set(user=user, state="available")
        agents.append(user)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have by now on a database in use
    return agents


class Asker:
    """One keep-alive connection, timing each question."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.headers = {"X-Phone-Secret": settings.PHONE_SECRET, "Host": "127.0.0.1"}

    def route(self, call_id: str, attempt: int) -> tuple[float, dict]:
        query = urlencode(
            {
                "call_id": call_id,
                "from": f"+4930{random.randint(1000000, 9999999)}",
                "to": "311",
                "source": "127.0.0.1",
                "attempt": attempt,
            }
        )
        start = time.perf_counter()
        self.connection.request("GET", f"/calls/phone/route/?{query}", headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise RuntimeError(f"route {response.status}: {body[:200]!r}")
        return elapsed, json.loads(body)

    def event(self, call_id: str, event: str, user: str) -> float:
        body = json.dumps(
            {
                "call_id": call_id,
                "event": event,
                "at": time.time(),
                "from": "",
                "to": "311",
                "user": user,
                "code": 0,
                "queue": "City line",
            }
        )
        start = time.perf_counter()
        self.connection.request(
            "POST",
            "/calls/phone/events/",
            body=body,
            headers={**self.headers, "Content-Type": "application/json"},
        )
        response = self.connection.getresponse()
        response.read()
        if response.status != 204:
            raise RuntimeError(f"event {response.status}")
        return (time.perf_counter() - start) * 1000


class Callers:
    """WAITING callers, each a little state machine run by a few asking workers (like
    Kamailio's async workers and the media service's loop): a waiting caller asks the route
    every `poll` seconds until it rings an agent, who answers, talks, hangs up; then a new
    caller takes its place."""

    def __init__(self, until: float, poll: float, talk: float, paced: bool):
        self.until, self.poll, self.talk, self.paced = until, poll, talk, paced
        self.due: list[tuple[float, int, str, str, str]] = []
        self.ready = threading.Condition()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.serial = 0
        now = time.time()
        for _ in range(WAITING):
            self.schedule(now + random.uniform(0, poll), "route", self.new_call(), "")

    def new_call(self) -> str:
        return f"{uuid.uuid4()}@bench"

    def schedule(self, at: float, step: str, call_id: str, user: str) -> None:
        with self.ready:
            self.serial += 1
            heapq.heappush(self.due, (at, self.serial, step, call_id, user))
            self.ready.notify()

    def next_step(self):
        with self.ready:
            while True:
                if time.time() >= self.until:
                    return None
                if self.due and self.due[0][0] <= time.time():
                    return heapq.heappop(self.due)
                wait = self.due[0][0] - time.time() if self.due else 0.05
                self.ready.wait(timeout=max(0.0, min(wait, 0.05)))

    def work(self, port: int) -> None:
        asker = Asker(port)
        while (task := self.next_step()) is not None:
            _at, _serial, step, call_id, user = task
            try:
                if step == "route":
                    elapsed, answer = asker.route(call_id, 1)
                    self.timings[f"route → {answer['action']}"].append(elapsed)
                    if answer["action"] == "ring":
                        self.schedule(time.time() + 0.2, "answered", call_id, answer["user"])
                    else:
                        again = answer.get("retry_seconds", self.poll) if self.paced else self.poll
                        self.schedule(time.time() + again, "route", call_id, "")
                elif step == "answered":
                    self.timings["event"].append(asker.event(call_id, "answered", user))
                    talk = random.uniform(self.talk / 2, self.talk * 1.5)
                    self.schedule(time.time() + talk, "hangup", call_id, user)
                else:
                    self.timings["event"].append(asker.event(call_id, "hangup", user))
                    self.schedule(time.time(), "route", self.new_call(), "")
            except Exception as error:  # noqa: BLE001 - counted and shown
                self.errors.append(repr(error))
                asker = Asker(port)


def summary(name: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[int(len(values) * 0.95) - 1] if values else 0
    return (
        f"| {name} | {len(values)} | {statistics.median(values):.1f} | {p95:.1f} "
        f"| {values[-1]:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--poll", type=float, default=1.5, help="seconds between questions")
    parser.add_argument("--talk", type=float, default=4, help="mean seconds of a call")
    parser.add_argument(
        "--every-poll",
        action="store_true",
        help="every caller asks every --poll seconds, ignoring the answer's retry_seconds",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--askers", type=int, default=8, help="asking workers (connections)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL (DATABASE_URL).")
    prepare()
    connections.close_all()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "callcenter.wsgi",
            "--workers",
            str(options.workers),
            "--threads",
            str(options.threads),
            "--bind",
            f"127.0.0.1:{options.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )
    try:
        time.sleep(3)
        callers = Callers(
            time.time() + options.seconds, options.poll, options.talk, not options.every_poll
        )
        threads = [
            threading.Thread(target=callers.work, args=(options.port,))
            for _ in range(options.askers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        timings, errors = callers.timings, callers.errors
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"{AGENTS} agents, {WAITING} callers waiting, {options.askers} askers, "
        f"{options.seconds:.0f} s"
    )
    print("| question | count | median (ms) | p95 (ms) | max (ms) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in sorted(timings):
        print(summary(name, timings[name]))
    all_routes = [t for name, values in timings.items() if name.startswith("route") for t in values]
    print(summary("route, all", all_routes))
    print(f"errors: {len(errors)} {errors[:3]}")
    answered = Call.objects.filter(answered_at__isnull=False).count()
    print(
        f"answered calls: {answered}; each with one agent: "
        f"{not Call.objects.filter(answered_at__isnull=False, agent__isnull=True).exists()}"
    )
    waits = sorted(
        (call.answered_at - call.offered_at).total_seconds()
        for call in Call.objects.filter(answered_at__isnull=False)
    )
    if waits:
        print(
            f"answered callers waited: median {statistics.median(waits):.1f} s, "
            f"max {waits[-1]:.1f} s"
        )
    overlaps = 0
    for user_id in AgentStateChange.objects.values_list("user", flat=True).distinct():
        ringing = None
        for state, call_id in AgentStateChange.objects.filter(user=user_id).values_list(
            "state", "call"
        ):
            if state == "ringing" and ringing is not None and ringing != call_id:
                overlaps += 1
            ringing = call_id if state == "ringing" else None
    print(f"an agent reserved for a second call while still ringing for one: {overlaps} times")


if __name__ == "__main__":
    main()
