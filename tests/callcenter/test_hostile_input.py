"""Every list filter, form field and URL id of the application, walked with hostile values.

The walk starts at the pages every role reaches and follows the application's own links, so a
new page, form or filter is walked without this file changing. For each page it sends each
field of each form (and each HTMX endpoint with the page's fields) every value in HOSTILE_VALUES,
the others keeping what the page offered; each id in the URL is replaced by ids that do not
exist or overflow the database's integers. No answer may be a server error, and a form that is
refused comes back with what was typed in it.
"""

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from requests_app.models import RequestType
from requests_app.services import request_save, request_start
from tests.factories import CustomerFactory, UserFactory, article, customer_with_phone
from workorders.services import Report, work_order_create_or_link

pytestmark = pytest.mark.django_db

MEGABYTE_TEXT = "a" * 1_000_000
HOSTILE_VALUES = [
    "",
    "-1",
    "0",
    "99999999999999999999",
    "²",  # a digit to str.isdigit(), not to int() nor to the database
    "1\x00",
    "\x00",
    "a\x01b\x1f",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "😀 Grüße 🚒",
    "\u202eمرحبا עולם",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
]
# Too long for a URL (browsers and servers refuse them), so only posted.
POSTED_ONLY = [MEGABYTE_TEXT]
# For choices, ids and hidden fields: what could break a lookup rather than a text.
CHOICE_VALUES = ["", "-1", "99999999999999999999", "²", "1\x00", "0001-01-01T00:00"]
HOSTILE_IDS = ["0", "2147483648", "9223372036854775808", "99999999999999999999"]
# Names a crafted post may carry although the page does not always show them.
EXTRA_FIELDS = ["page", "pick_customer", "work_order_choice", "submitted"]

# Pages the walk must not follow: leaving the session, Django's admin, downloads.
NOT_WALKED = {"logout", "admin", "set_language"}
# Pages the walk must reach, or this test no longer covers the application.
MUST_REACH = {
    "requests_app:request_list",
    "requests_app:request_edit",
    "requests_app:customer_detail",
    "requests_app:customer_edit",
    "requests_app:my_follow_ups",
    "workorders:work_order_list",
    "workorders:work_order_detail",
    "knowledgebase:article_list",
    "knowledgebase:article_detail",
    "knowledgebase:article_edit",
    "hierarchy:tree",
    "hierarchy:code_list",
    "hierarchy:item_detail",
    "hierarchy:item_edit",
    "hierarchy:catalogue_import",
    "reports:report",
    "dashboard",
}
PAGES_PER_VIEW = 2
# The walk's hostile requests are shared out among this many tests, each walking every page but
# sending its own share of the hostile requests (so that parallel workers share the walk, each
# about as long as the others); together they send every one.
SHARDS = 4


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    text_fields: set[str] = field(default_factory=set)
    searches: set[str] = field(default_factory=set)  # search boxes: walked, not kept
    buttons: set[str] = field(default_factory=set)  # sent only by the one pressed


class PageParser(HTMLParser):
    """The forms, HTMX endpoints and links of one page."""

    TEXT_TYPES = {"text", "search", "email", "tel", "url", "number", "date", "datetime-local"}

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.forms: dict[str, Form] = {}
        self.current: str | None = None
        self.textarea: tuple[str, str] | None = None
        self.select: tuple[str, str] | None = None
        self.endpoints: set[tuple[str, str]] = set()
        self.links: set[str] = set()
        self.page_fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        for method in ("get", "post"):
            if attrs.get(f"hx-{method}"):
                self.endpoints.add((method, urljoin(self.url, attrs[f"hx-{method}"])))
        if tag == "a" and attrs.get("href"):
            self.links.add(urljoin(self.url, attrs["href"]))
        if tag == "form":
            key = attrs.get("id") or f"form-{len(self.forms)}"
            self.forms[key] = Form(
                method=attrs.get("method", "get").lower(),
                action=urljoin(self.url, attrs.get("action") or self.url),
            )
            self.current = key
            return
        owner = attrs.get("form") or self.current
        if tag == "option" and self.select and "selected" in attrs:
            self.forms[self.select[0]].fields[self.select[1]] = attrs.get("value", "")
        name = attrs.get("name")
        if not name or owner not in self.forms or "disabled" in attrs:
            return  # a browser does not send a disabled field
        form = self.forms[owner]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                form.fields.setdefault(name, "")
            elif kind == "submit":
                form.buttons.add(name)
            elif kind not in {"button", "file", "image", "reset"}:
                form.fields[name] = attrs.get("value", "")
            if kind in self.TEXT_TYPES:
                form.text_fields.add(name)
            if kind == "search":
                form.searches.add(name)
        elif tag == "textarea":
            self.textarea = (owner, name)
            form.fields[name] = ""
            form.text_fields.add(name)
        elif tag == "select":
            self.select = (owner, name)
            form.fields.setdefault(name, "")
        elif tag == "button":
            form.buttons.add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            owner, name = self.textarea
            fields = self.forms[owner].fields
            # As browsers do, the newline that starts a textarea's content is not part of it.
            fields[name] = (fields[name] + data).removeprefix("\n")


def view_name(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.view_name


@dataclass
class Walk:
    client: object
    shard: int
    problems: list = field(default_factory=list)
    reached: dict[str, int] = field(default_factory=dict)

    def mine(self, *request) -> bool:
        """True when the hostile request named by its parts is this walk's to send."""
        return zlib.crc32(repr(request).encode()) % SHARDS == self.shard

    def send(self, method: str, url: str, data: dict, what: str):
        if method == "get":
            # The endpoint's own query (an HTMX URL carries some) with the walked values.
            parts = urlsplit(url)
            data = {**dict(parse_qsl(parts.query)), **data}
            response = self.client.get(parts.path, data, headers={"HX-Request": "true"})
        else:
            response = self.client.post(url, data)
        if response.status_code >= 500:
            self.problems.append((response.status_code, method.upper(), url, what))
        return response

    def page(self, url: str, as_htmx: bool = True) -> PageParser | None:
        if as_htmx:
            self.send("get", url, {}, "the page, as HTMX asks for it")
        response = self.client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return None
        parser = PageParser(url)
        parser.feed(response.content.decode())
        return parser

    def crawl(self, start: list[str]) -> Iterator[tuple[str, PageParser]]:
        queue, seen = list(start), set()
        while queue:
            url = queue.pop(0).split("#")[0]
            name = view_name(url)
            if url in seen or name is None or name.split(":")[-1] in NOT_WALKED:
                continue
            if name.startswith("admin") or self.reached.get(name, 0) >= PAGES_PER_VIEW:
                continue
            seen.add(url)
            parser = self.page(url)
            if parser is None:
                continue
            self.reached[name] = self.reached.get(name, 0) + 1
            queue.extend(sorted(parser.links))
            yield url, parser

    def hostile_ids(self, url: str) -> None:
        path = urlsplit(url).path
        match = resolve(path)
        for name, value in match.kwargs.items():
            if not isinstance(value, int):
                continue
            for hostile in HOSTILE_IDS:
                if not self.mine(url, name, hostile):
                    continue
                kwargs = {**match.kwargs, name: hostile}
                self.send("get", reverse(match.view_name, kwargs=kwargs), {}, f"{name}={hostile}")

    def hostile_form(self, form: Form) -> None:
        """Each choice, id and hidden field on its own with each value that could break a
        lookup; the texts all at once with each hostile text (each is validated on its own
        anyway), and a megabyte in each text in turn (together they exceed the body limit)."""
        name = view_name(form.action)
        if name is None or name.split(":")[-1] in NOT_WALKED:
            return
        extra = sorted((form.buttons | set(EXTRA_FIELDS)) - set(form.fields))
        for field_name in [*(n for n in form.fields if n not in form.text_fields), *extra]:
            for value in CHOICE_VALUES:
                self.post_or_get(form, {field_name: value}, f"{field_name}={value!r}")
        texts = sorted(form.text_fields)
        for value in HOSTILE_VALUES:
            self.post_or_get(form, dict.fromkeys(texts, value), f"every text={value!r}")
        for field_name in texts if form.method == "post" else []:
            self.post_or_get(form, {field_name: MEGABYTE_TEXT}, f"{field_name}=1 MB")

    def post_or_get(self, form: Form, values: dict, what: str) -> None:
        if not self.mine(form.method, form.action, what):
            return
        response = self.send(form.method, form.action, {**form.fields, **values}, what)
        if form.method != "post":
            return
        if response.status_code == 200:
            self.check_kept(response, form, values, what)
        elif response.status_code in (301, 302, 303):
            self.refresh(form)

    def check_kept(self, response, form: Form, values: dict, what: str) -> None:
        """A refused form shows each text typed into it again."""
        kept = form.text_fields - form.searches
        texts = [value for name, value in values.items() if name in kept]
        body = response.content.decode()
        for value in set(texts) - {""}:
            if body.count(escape(value)) < texts.count(value):
                self.problems.append(("lost", "POST", form.action, what[:80]))

    def refresh(self, form: Form) -> None:
        """After a save, the next post starts from the page as it is now (a new version)."""
        fresh = self.page(form.action, as_htmx=False)
        for other in fresh.forms.values() if fresh else []:
            if other.action == form.action:
                form.fields.update(other.fields)

    def hostile_endpoints(self, parser: PageParser, walked: set) -> None:
        """Each HTMX endpoint with every field of the page at once, each hostile value in turn
        (an endpoint reads only the few it needs)."""
        names = {name for form in parser.forms.values() for name in form.fields}
        for method, url in sorted(parser.endpoints):
            name = view_name(url)
            if name is None or (method, name) in walked:
                continue
            walked.add((method, name))
            for value in HOSTILE_VALUES:
                if self.mine(method, name, value):
                    self.send(
                        method, url, dict.fromkeys(names, value), f"every field={value[:40]!r}"
                    )


@pytest.fixture
def world(catalogue, supervisor):
    """One of each thing the pages show: requests of every type and status, a customer with a
    phone, a work order with linked requests, published articles."""
    customer = customer_with_phone("+4930123456", name="Erika Maier", email="erika@example.org")
    CustomerFactory(name="Max Mustermann")
    article(supervisor, "Bulky waste collection", problem_codes=[catalogue["appl"]])
    action = request_start(agent=supervisor)
    request_save(
        request=action,
        values={
            "request_type": RequestType.ACTION,
            "problem_code": catalogue["appl"],
            "work_address": "12 Main Street",
            "customer": customer,
            "caller_name": "Erika Maier",
        },
        expected_version=action.version,
        user=supervisor,
    )
    comment = request_start(agent=supervisor)
    request_save(
        request=comment,
        values={"request_type": RequestType.COMMENT, "comment": "Thank you!"},
        expected_version=comment.version,
        user=supervisor,
    )
    work_order_create_or_link(report=Report(catalogue["missed"], "1 Harbour Road"), user=supervisor)
    request_start(agent=supervisor)
    return {"customer": customer}


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_hostile_value_gets_a_server_error_or_loses_what_was_typed(client, world, shard):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    client.raise_request_exception = False  # a server error is a finding, not the end
    walk = Walk(client, shard)
    start = [
        reverse("dashboard"),
        reverse("requests_app:request_list"),
        world["customer"].get_absolute_url(),
        reverse("hierarchy:tree"),
    ]
    walked_forms, walked_endpoints = set(), set()

    for url, parser in walk.crawl(start):
        walk.hostile_ids(url)
        for form in parser.forms.values():
            # The same form on many pages (the top bar's) is walked once.
            key = (form.method, view_name(form.action), tuple(sorted(form.fields)))
            if key not in walked_forms:
                walked_forms.add(key)
                walk.hostile_form(form)
        walk.hostile_endpoints(parser, walked_endpoints)
        client.force_login(superuser)  # a walked form may have changed the session

    assert walk.problems == [], "\n".join(map(str, walk.problems))
    assert set(walk.reached) >= MUST_REACH, MUST_REACH - set(walk.reached)
