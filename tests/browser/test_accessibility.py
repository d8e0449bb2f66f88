"""Every role's main pages pass axe-core's checks without a serious or critical violation, and the
navigation fits one row at 1366 px in every language of the interface."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from knowledgebase.services import article_update
from requests_app.models import RequestType
from requests_app.services import request_save, request_start
from tests.factories import article, customer_with_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
WIDTH, HEIGHT = 1366, 768


def demo_records(agent, supervisor, catalogue) -> dict:
    """One of each thing the main pages show: a customer with an action request and its work
    order, an open request, a published article with two revisions."""
    customer = customer_with_phone("+4722334455", name="Ada Lovelace", email="ada@example.org")
    request = request_start(agent=agent)
    request = request_save(
        request=request,
        values={
            "request_type": RequestType.ACTION,
            "customer": customer,
            "caller_name": "Ada Lovelace",
            "caller_phone": "+4722334455",
            "problem_code": catalogue["appl"],
            "work_address": "12 Main Street",
            "description": "Old fridge at the kerb",
        },
        expected_version=request.version,
        user=agent,
    )
    written = article(supervisor, "Bulky waste", body="Collected on Mondays.")
    article_update(
        article=written,
        values={"body": "Collected on Mondays and Thursdays."},
        relations={},
        expected_version=written.version,
        user=supervisor,
    )
    return {
        "customer": customer,
        "request": request,
        "open_request": request_start(agent=agent),
        "work_order": request.work_order,
        "article": written,
        "catalogue": catalogue,
    }


def pages_of(role: str, records: dict) -> list[str]:
    """The main pages each role uses (what its navigation offers, and the pages behind it)."""
    desk = [
        reverse("dashboard"),
        reverse("requests_app:request_list"),
        records["open_request"].get_absolute_url(),
        records["request"].get_absolute_url(),
        reverse("requests_app:my_follow_ups"),
        records["customer"].get_absolute_url(),
        reverse("workorders:work_order_list"),
        records["work_order"].get_absolute_url(),
        reverse("knowledgebase:article_list"),
        records["article"].get_absolute_url(),
        reverse("hierarchy:tree"),
        reverse("hierarchy:code_lookup"),
        reverse("password_change"),
    ]
    return {
        "agent": desk,
        "supervisor": [
            *desk[:1],
            reverse("knowledgebase:article_edit", args=[records["article"].pk]),
            reverse("knowledgebase:article_revisions", args=[records["article"].pk]),
            reverse("knowledgebase:article_usage"),
            reverse("requests_app:request_settings"),
            reverse("feedback:settings"),
            reverse("feedback:comment_list"),
        ],
        "admin": [
            reverse("hierarchy:tree"),
            reverse("hierarchy:code_list"),
            records["catalogue"]["appl"].get_absolute_url(),
            reverse("hierarchy:standard_work_order_list"),
            reverse("hierarchy:catalogue_import"),
            reverse("accounts:user_list"),
            reverse("accounts:user_create"),
            reverse("open311:key_list"),
            reverse("open311:question_codes"),
        ],
        "manager": [
            reverse("dashboard"),
            *[
                reverse("reports:report", args=[name])
                for name in [
                    "volume",
                    "handling",
                    "backlog",
                    "work-orders",
                    "knowledge-base",
                    "feedback",
                ]
            ],
            records["work_order"].get_absolute_url(),
        ],
    }[role]


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE)
    found = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => `${v.id} (${v.impact}): ${v.help} at `
                    + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
        }"""
    )
    return found


def signed_in(browser: Browser, live_server, username: str, language: str = "en") -> Page:
    # axe is injected as a script tag, which the application's Content-Security-Policy (rightly)
    # refuses; the test's own browser context sets it aside.
    context = browser.new_context(bypass_csp=True, viewport={"width": WIDTH, "height": HEIGHT})
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    tab = context.new_page()
    tab.goto(f"{live_server.url}/login/")
    tab.locator("#id_username").fill(username)
    tab.locator("#id_password").fill("demo")
    tab.locator("form button[type=submit]").last.click()
    expect(tab.locator(".account-menu summary")).to_contain_text(username)
    return tab


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin", "manager"])
def test_every_roles_main_pages_have_no_serious_accessibility_violation(
    browser: Browser, live_server, agent, supervisor, administrator, manager, catalogue, role
):
    records = demo_records(agent, supervisor, catalogue)
    tab = signed_in(browser, live_server, role)
    found = {}
    for path in pages_of(role, records):
        response = tab.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        violations = serious_violations(tab)
        if violations:
            found[path] = violations
    tab.context.close()
    assert not found, "\n".join(
        f"{path}: {line}" for path, lines in found.items() for line in lines
    )


def test_the_login_page_has_no_serious_accessibility_violation(browser: Browser, live_server):
    context = browser.new_context(bypass_csp=True, viewport={"width": WIDTH, "height": HEIGHT})
    tab = context.new_page()
    tab.goto(f"{live_server.url}/login/")
    assert serious_violations(tab) == []
    context.close()


def top_bar_rows(tab: Page) -> int:
    """How many rows the top bar's items take: their distinct tops, give or take a few pixels."""
    tops = tab.evaluate(
        """() => [...document.querySelectorAll(
                ".topbar > .brand, .mainnav > ul > li, .topbar-end > *")]
            .filter((item) => item.getClientRects().length)
            .map((item) => Math.round(item.getBoundingClientRect().top))"""
    )
    rows = []
    for top in sorted(tops):
        if not rows or top - rows[-1] > 8:
            rows.append(top)
    return len(rows)


@pytest.mark.parametrize("language", ["en", "de", "nb"])
def test_the_navigation_is_one_row_at_1366_pixels_and_its_menus_work_by_keyboard(
    browser: Browser, live_server, supervisor, language
):
    tab = signed_in(browser, live_server, "supervisor", language)
    tab.goto(f"{live_server.url}{reverse('requests_app:request_list')}")
    assert top_bar_rows(tab) == 1
    assert tab.evaluate("() => document.documentElement.scrollWidth") <= WIDTH

    menu = tab.locator(".mainnav details").first
    summary = menu.locator("summary")
    expect(summary).to_have_class("is-current")
    expect(menu.locator("a[aria-current=page]")).to_have_count(1)
    summary.focus()
    tab.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    assert serious_violations(tab) == []  # the opened menu too
    tab.keyboard.press("Tab")
    expect(menu.locator("a").first).to_be_focused()
    tab.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()

    account = tab.locator(".account-menu")
    account.locator("summary").click()
    expect(account).to_have_attribute("open", "")
    summary.click()  # another menu opens, this one closes
    expect(menu).to_have_attribute("open", "")
    expect(account).not_to_have_attribute("open", "")
    tab.mouse.click(WIDTH - 10, HEIGHT - 10)  # a click outside closes it
    expect(menu).not_to_have_attribute("open", "")
    tab.context.close()


def test_the_menus_open_without_javascript(browser: Browser, live_server, administrator):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/login/")
    tab.get_by_label("Username").fill("admin")
    tab.get_by_label("Password").fill("demo")
    tab.get_by_role("button", name="Log in").click()
    tab.locator(".mainnav summary", has_text="Administration").click()
    tab.get_by_role("link", name="Users").click()
    expect(tab.get_by_role("heading", name="Users")).to_be_visible()
    context.close()
