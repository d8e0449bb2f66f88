"""Agents at work on a call center with a million requests (the speed targets of docs/benchmarks.md,
"Customer requests").

Each locust user logs in once as a different agent, then, with a pause between tasks:
- looks up a caller by a phone number of a known customer, typed nationally ("030 1234567")
  or with the country code, as the request form's HTMX lookup does (target: p95 < 20 ms);
- takes a new call: POST /requests/new/ (save first), opens the request, and saves it as an
  answered information request (target for the save: p95 < 50 ms);
- edits an existing request: opens it and saves it with a changed description, answer or
  comment (the same target);
- reads the filtered request list: open phone requests of one department in the last 30 days,
  pages 1 to 3 (target: p95 < 100 ms).

Each task is tagged (lookup, save, list), so one target can be measured alone: `--tags lookup`.

The phone numbers, request ids, departments and agents are read once from the benchmark
database with psql (BENCH_DATABASE_URL, else DATABASE_URL). See bench/README.md.

    locust -f bench/locustfile.py --headless -u 20 -r 20 -t 60s --host http://127.0.0.1:8000 \\
        --csv bench/out/run --only-summary

Needs only locust; phonenumbers (phonenumberslite) makes the typed formats national, without
it the numbers are typed in E.164.
"""

import itertools
import os
import random
import re
import subprocess
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

from gevent.event import Event
from locust import FastHttpUser, between, events, tag, task

try:
    import phonenumbers
except ImportError:  # pragma: no cover - typed as stored then
    phonenumbers = None

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/callcenter_bench"
)
PASSWORD = os.environ.get("BENCH_PASSWORD", "demo")
# Seconds an agent pauses between two tasks: "0.5-2" by default, "0" for a stress test.
WAIT = [float(part) for part in os.environ.get("BENCH_WAIT", "0.5-2").split("-")]

SAMPLES: dict[str, list[str]] = {}
# Logging in hashes a password on purpose slowly (about half a second here); the agents start
# working together once all are in, and the figures count from then on.
ALL_LOGGED_IN = Event()
_logged_in = itertools.count(1)


def query(sql: str) -> list[str]:
    result = subprocess.run(
        ["psql", DATABASE_URL, "-Atc", sql], check=True, capture_output=True, text=True
    )
    return [line for line in result.stdout.splitlines() if line]


@events.test_start.add_listener
def read_samples(environment, **kwargs):
    """What the agents type and open: taken from the database once, before the load starts."""
    SAMPLES["phones"] = query(
        "SELECT number FROM requests_app_customerphone ORDER BY random() LIMIT 5000"
    )
    SAMPLES["requests"] = query(
        # Closed requests change only by reopening them: edits take the others.
        "SELECT id FROM requests_app_customerrequest WHERE finished_at IS NOT NULL "
        "AND status <> 'closed' AND started_at > now() - interval '90 days' "
        "ORDER BY random() LIMIT 20000"
    )
    SAMPLES["departments"] = query("SELECT id FROM hierarchy_department WHERE is_active")
    SAMPLES["agents"] = query(
        "SELECT DISTINCT u.username FROM auth_user u "
        "JOIN auth_user_groups ug ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id "
        "WHERE u.is_active AND g.name IN ('Agent', 'Supervisor') ORDER BY u.username"
    )
    if not all(SAMPLES.values()):
        raise RuntimeError(
            f"The benchmark database {DATABASE_URL} has no data; see bench/README.md"
        )


_usernames = itertools.count()


def typed(e164: str) -> str:
    """The number as an agent types what the caller says: mostly national, like "030 1234567"."""
    if phonenumbers is None:
        return e164
    number = phonenumbers.parse(e164)
    roll = random.random()
    if roll < 0.7:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    if roll < 0.9:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return "00" + e164[1:]


class FormFields(HTMLParser):
    """The fields a browser would submit from the form with the given id."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, str] = {}
        self.textarea: list[str] | None = None
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("radio", "checkbox") and "checked" not in attributes:
                return
            self.fields[name] = attributes.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((attributes.get("value") or "", "selected" in attributes))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # Browsers drop the newline right after <textarea>.
            self.fields[name] = text[1:] if text.startswith("\n") else text
            self.textarea = None
        elif tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected]
            first = self.options[0][0] if self.options else ""
            self.fields[self.select] = chosen[0] if chosen else first
            self.select = None


def form_fields(html: str, form_id: str = "request-form") -> dict[str, str]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


class Agent(FastHttpUser):
    wait_time = between(WAIT[0], WAIT[-1])

    def on_start(self):
        agents = SAMPLES["agents"]
        self.username = agents[next(_usernames) % len(agents)]
        self.client.get("/login/", name="GET /login/")
        self.post(
            "/login/",
            {"username": self.username, "password": PASSWORD},
            name="POST /login/",
            expect_redirect_to="/",
        )
        if next(_logged_in) >= self.environment.runner.target_user_count:
            self.environment.runner.stats.reset_all()
            ALL_LOGGED_IN.set()
        ALL_LOGGED_IN.wait()

    # Helpers -------------------------------------------------------------------------------------

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

    def post(self, url: str, data: dict, *, name: str, expect_redirect_to: str | None = None):
        """POST a form as a browser does; success is the redirect that follows a valid form."""
        body = urlencode({"csrfmiddlewaretoken": self.csrf_token(), **data})
        with self.client.post(
            url,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": self.host},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302:
                errors = re.findall(r'class="error"[^>]*>([^<]+)<', response.text or "")
                response.failure(f"{response.status_code}, not a redirect: {errors[:3]}")
            elif expect_redirect_to and not location.startswith(expect_redirect_to):
                response.failure(f"redirected to {location}")
            self.insecure_cookies()
            return location

    def open_request(self, url: str) -> dict[str, str] | None:
        with self.client.get(url, name="GET /requests/<pk>/", catch_response=True) as response:
            fields = form_fields(response.text or "")
            if "version" not in fields:
                response.failure("no request form on the page")
                return None
            return fields

    # Tasks ---------------------------------------------------------------------------------------

    @tag("lookup")
    @task(4)
    def look_up_caller(self):
        number = typed(random.choice(SAMPLES["phones"]))
        with self.client.get(
            "/customers/lookup/?" + urlencode({"caller_phone": number}),
            headers={"HX-Request": "true", "HX-Trigger-Name": "caller_phone"},
            name="GET /customers/lookup/?caller_phone=<national>",
            catch_response=True,
        ) as response:
            if "caller-match" not in (response.text or ""):
                response.failure(f"no known caller found for {number}")

    @tag("save")
    @task(2)
    def take_a_new_call(self):
        location = self.post(
            "/requests/new/",
            {"channel": "phone"},
            name="POST /requests/new/",
            expect_redirect_to="/requests/",
        )
        if not location:
            return
        fields = self.open_request(location)
        if fields is None:
            return
        fields.update(
            request_type="information",
            caller_phone=typed(random.choice(SAMPLES["phones"])),
            answer_given="Gave the opening hours of the recycling centre.",
            status="resolved",
        )
        self.post(
            location,
            fields,
            name="POST /requests/<pk>/ (new call answered)",
            expect_redirect_to=location,
        )

    @tag("save")
    @task(2)
    def edit_a_request(self):
        url = f"/requests/{random.choice(SAMPLES['requests'])}/"
        fields = self.open_request(url)
        if fields is None:
            return
        section = {"information": "answer_given", "action": "description", "comment": "comment"}
        field = section.get(fields.get("request_type", ""), "description")
        fields[field] = (fields.get(field, "") + " Caller called again.").strip()[-1000:]
        self.post(url, fields, name="POST /requests/<pk>/ (edit)", expect_redirect_to=url)

    @tag("list")
    @task(3)
    def read_the_list(self):
        today = date.today()
        filters = {
            "status": "open",
            "channel": "phone",
            "department": random.choice(SAMPLES["departments"]),
            "started_from": (today - timedelta(days=30)).isoformat(),
            "started_to": today.isoformat(),
        }
        for page in (1, 2, 3):
            with self.client.get(
                "/requests/?" + urlencode({**filters, "page": page}),
                name=f"GET /requests/?status&channel&department&dates page {page}",
                catch_response=True,
            ) as response:
                if "CR-" not in (response.text or ""):
                    response.failure("no requests listed")
                    return
