"""Agents searching the knowledge base (the speed target: with 50,000 articles in PostgreSQL, a
search under 50 ms at the 95th percentile, server-side over HTTP).

Each locust user logs in once as the demo agent, then, with a pause between searches, searches
the knowledge-base page for one of 31 texts in English, German and Norwegian, some with typos:
- as the live search does, an HTMX request (`HX-Request: true`) that renders only the results
  fragment, named "GET /knowledge/?q=[text] [htmx]";
- as a submitted search, the whole page, named "GET /knowledge/?q=[text]".

The query string is what the filter form sends: q, kind, language, topic (empty but for a
German-only search). The data: bench/kb_search.py --articles 50000 --keep, then
load_demo_data --force on the database it leaves; see bench/README.md.

    locust -f bench/locust_kb.py --headless -u 10 -r 10 -t 60s --host http://127.0.0.1:8001 \\
        --csv bench/out/kb --only-summary

Needs only locust.
"""

import itertools
import os
import random
from urllib.parse import urlencode

from gevent.event import Event
from locust import FastHttpUser, between, task

USERNAME = os.environ.get("BENCH_USERNAME", "agent")
PASSWORD = os.environ.get("BENCH_PASSWORD", "demo")
# Seconds an agent pauses between two searches: "0.5-2" by default, "0" for a stress test.
WAIT = [float(part) for part in os.environ.get("BENCH_WAIT", "0.5-2").split("-")]

# The realistic searches of bench/kb_search.py (its QUERIES without the problem-code and topic
# filters, which need ids; the page filters by language), and three more typos.
SEARCHES = [
    ("appliance pickup", ""),
    ("aplliance", ""),
    ("fridge collection", ""),
    ("when is bulky waste collected", ""),
    ("recyclng centre opening hours", ""),
    ("broken streetlight", ""),
    ("streetlight", ""),
    ("pothole", ""),
    ("parking permit fee", ""),
    ("pakring permit", ""),
    ("water bill payment", ""),
    ("noise complaint night", ""),
    ("colection day", ""),
    ("dog licence", ""),
    ("snow clearing footpath", ""),
    ("grafiti", ""),
    ("rats", ""),
    ("Müllabfuhr", ""),
    ("Müll", ""),
    ("Müll", "de"),
    ("Sperrmüll Termin", ""),
    ("Wertstoffhof Öffnungszeiten", ""),
    ("wertstofhof", ""),
    ("Strassenbeleuchtung", ""),
    ("Hundesteuer", ""),
    ("hundesteur", ""),
    ("søppelhenting", ""),
    ("søppel", ""),
    ("gjenvinningsstasjon åpningstider", ""),
    ("gatelys", ""),
    ("brøyting", ""),
]

# Logging in hashes a password on purpose slowly; the agents start searching together once all
# are in, and the figures count from then on.
ALL_LOGGED_IN = Event()
_logged_in = itertools.count(1)


def search_url(text: str, language: str) -> str:
    return "/knowledge/?" + urlencode({"q": text, "kind": "", "language": language, "topic": ""})


class Agent(FastHttpUser):
    wait_time = between(WAIT[0], WAIT[-1])

    def on_start(self):
        self.client.get("/login/", name="GET /login/")
        with self.client.post(
            "/login/",
            data=urlencode(
                {
                    "csrfmiddlewaretoken": self.csrf_token(),
                    "username": USERNAME,
                    "password": PASSWORD,
                }
            ),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": self.host},
            name="POST /login/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login as {USERNAME} failed: {response.status_code}")
        self.insecure_cookies()
        if next(_logged_in) >= self.environment.runner.target_user_count:
            self.environment.runner.stats.reset_all()
            ALL_LOGGED_IN.set()
        ALL_LOGGED_IN.wait()

    def insecure_cookies(self):
        """DEBUG=false marks the cookies Secure; the benchmark speaks plain HTTP to gunicorn
        (behind TLS in production), so the jar must send them anyway."""
        for cookie in self.client.cookiejar:
            cookie.secure = False

    def csrf_token(self) -> str:
        self.insecure_cookies()
        return next(
            (cookie.value for cookie in self.client.cookiejar if cookie.name == "csrftoken"), ""
        )

    @task
    def live_search(self):
        """What the live search sends while the agent types: the results fragment alone."""
        text, language = random.choice(SEARCHES)
        with self.client.get(
            search_url(text, language),
            headers={"HX-Request": "true", "HX-Target": "results"},
            name="GET /knowledge/?q=[text] [htmx]",
            catch_response=True,
        ) as response:
            body = response.text or ""
            if "<html" in body:
                response.failure("the whole page, not the results fragment")
            elif "search-hits" not in body:
                response.failure(f"no hits for {text!r}")

    @task
    def submitted_search(self):
        """A search submitted with Enter (or opened from a link): the whole page."""
        text, language = random.choice(SEARCHES)
        with self.client.get(
            search_url(text, language), name="GET /knowledge/?q=[text]", catch_response=True
        ) as response:
            if "search-hits" not in (response.text or ""):
                response.failure(f"no hits for {text!r}")
