"""An agent taking calls at the request form, a million requests.

Each locust user logs in once as a different agent, then takes calls, one after the other, with
a pause between the steps as an agent types:

- "New request": POST /requests/new/ and the form it opens;
- caller lookup: the HTMX lookup with a known customer's number typed nationally;
- code search: the problem-code picker's search with a word a caller says ("fridge", "pothole");
- work-order check: the HTMX outlook for the picked code at an address where work orders are;
- knowledge search: the live search as the agent types, and the submitted search (POST);
- save and the next page: the POST and the page its redirect opens, timed as one step.

Targets: every HTMX update p95 <= 100 ms; save and next page p95 <= 300 ms.

    locust -f bench/locust_desk.py --headless -u 20 -r 20 -t 120s --host http://127.0.0.1:8000 \\
        --csv bench/out/desk --only-summary

The samples (numbers, codes, addresses, agents) are read once with psql from the benchmark
database (BENCH_DATABASE_URL, else DATABASE_URL); see bench/README.md for the data.
"""

import random
import time
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task
from locustfile import (  # the request desk's benchmark: its helpers, not its users
    ALL_LOGGED_IN,
    PASSWORD,
    SAMPLES,
    WAIT,
    _logged_in,
    _usernames,
    form_fields,
    query,
    typed,
)

# What callers say, and words agents type into the picker and the knowledge search.
CODE_WORDS = ["fridge", "pothole", "couch", "streetlight", "graffiti", "bin", "glass", "drain"]
QUESTIONS = [
    "when is bulky waste collected",
    "opening hours recycling centre",
    "bulkey waste",
    "refrigerator pickup",
    "parking permit",
    "missed collection",
]


@events.test_start.add_listener
def read_samples(environment, **kwargs):
    SAMPLES["phones"] = query(
        "SELECT number FROM requests_app_customerphone ORDER BY random() LIMIT 5000"
    )
    SAMPLES["agents"] = query(
        "SELECT DISTINCT u.username FROM auth_user u "
        "JOIN auth_user_groups ug ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id "
        "WHERE u.is_active AND g.name = 'Agent' ORDER BY u.username"
    )
    # Places where the same problem is open, so that the check finds the work order to link.
    # Addresses have line breaks, and psql gives a line a row: they travel as "~~".
    SAMPLES["reports"] = query(
        "SELECT problem_code_id || '|' || replace(address, E'\\n', '~~') FROM workorders_workorder "
        "WHERE status IN ('open', 'assigned', 'in_progress', 'on_hold') "
        "ORDER BY random() LIMIT 2000"
    )
    if not all(SAMPLES.get(name) for name in ("phones", "agents", "reports")):
        raise RuntimeError("The benchmark database has no data; see bench/README.md")


class Agent(FastHttpUser):
    wait_time = between(WAIT[0], WAIT[-1])

    def on_start(self):
        agents = SAMPLES["agents"]
        self.username = agents[next(_usernames) % len(agents)]
        self.client.get("/login/", name="GET /login/")
        self.send_form("/login/", {"username": self.username, "password": PASSWORD}, "login")
        if next(_logged_in) >= self.environment.runner.target_user_count:
            self.environment.runner.stats.reset_all()
            ALL_LOGGED_IN.set()
        ALL_LOGGED_IN.wait()

    def csrf_token(self) -> str:
        for cookie in self.client.cookiejar:
            cookie.secure = False  # DEBUG=false marks them Secure; gunicorn speaks plain HTTP
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    def send_form(self, url: str, data: dict, name: str, htmx: bool = False):
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.host}
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(
            url,
            data=urlencode({"csrfmiddlewaretoken": self.csrf_token(), **data}),
            headers=headers,
            name=name,
            allow_redirects=False,
        )

    def htmx(self, url: str, params: dict, name: str, expect: str = ""):
        with self.client.get(
            f"{url}?{urlencode(params)}",
            headers={"HX-Request": "true"},
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code != 200 or expect not in (response.text or ""):
                response.failure(f"{response.status_code}: {expect!r} not in the answer")

    def pause(self):
        time.sleep(random.uniform(0.2, 0.6) if WAIT[-1] else 0)

    @task
    def take_an_action_call(self):
        created = self.send_form("/requests/new/", {"channel": "phone"}, "POST /requests/new/")
        url = created.headers.get("Location", "") if created.headers else ""
        if not url:
            return
        with self.client.get(url, name="GET /requests/<pk>/ (new)", catch_response=True) as page:
            fields = form_fields(page.text or "")
            if "version" not in fields:
                page.failure("no request form")
                return
        self.pause()
        number = typed(random.choice(SAMPLES["phones"]))
        self.htmx("/customers/lookup/", {"caller_phone": number}, "HTMX caller lookup", "caller")
        self.pause()
        word = random.choice(CODE_WORDS)
        self.htmx(
            "/catalogue/picker/search/",
            {"field": "problem_code", "id": "id_problem_code", "problem_code_q": word},
            "HTMX code search",
        )
        self.pause()
        code, address = random.choice(SAMPLES["reports"]).replace("~~", "\n").split("|", 1)
        self.htmx(
            f"{url}work-order/",
            {"problem_code": code, "work_address": address},
            "HTMX work-order check",
            "WO-",
        )
        self.pause()
        question = random.choice(QUESTIONS)
        self.htmx(f"{url}knowledge/", {"kb_q": question}, "HTMX knowledge search (live)")
        self.send_form(
            f"{url}knowledge/", {"kb_q": question}, "HTMX knowledge search (submitted)", True
        )
        self.pause()
        fields.update(
            request_type="action",
            caller_phone=number,
            problem_code=code,
            work_address=address,
            description="Caller reports it again.",
            status="open",
        )
        started = time.perf_counter()
        saved = self.send_form(url, fields, "POST /requests/<pk>/ (save)")
        next_url = saved.headers.get("Location", "") if saved.headers else ""
        if saved.status_code != 302 or not next_url:
            events.request.fire(
                request_type="FLOW",
                name="save and the next page",
                response_time=(time.perf_counter() - started) * 1000,
                response_length=0,
                exception=RuntimeError(f"save answered {saved.status_code}"),
            )
            return
        following = self.client.get(next_url, name="GET /requests/<pk>/ (saved)")
        events.request.fire(
            request_type="FLOW",
            name="save and the next page",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=len(following.content or b""),
            exception=None,
        )
