from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from callcenter.roles import role_labels

TAKE_REQUESTS = "requests_app.change_customerrequest"
BROWSE_CATALOGUE = "hierarchy.view_problemcode"

# What the main navigation offers, in order: a page is (label, url name, permission needed or
# None); a menu is (label, [pages]), shown when the user may see one of its pages at least. Menus
# keep the bar to one row at 1366 px in every language.
NAVIGATION = [
    (_("Today"), "dashboard", None),
    (
        _("Requests"),
        [
            (_("Requests"), "requests_app:request_list", TAKE_REQUESTS),
            (_("My follow-ups"), "requests_app:my_follow_ups", TAKE_REQUESTS),
            (_("Calls"), "calls:call_list", "calls.view_call"),
            (_("Callbacks"), "calls:callback_list", "calls.change_callback"),
        ],
    ),
    (_("Work orders"), "workorders:work_order_list", "workorders.view_workorder"),
    (_("Knowledge base"), "knowledgebase:article_list", "knowledgebase.view_article"),
    (
        _("Catalogue"),
        [
            (_("Service catalogue"), "hierarchy:tree", BROWSE_CATALOGUE),
            (_("Problem code lookup"), "hierarchy:code_lookup", BROWSE_CATALOGUE),
            (_("Problem codes"), "hierarchy:code_list", BROWSE_CATALOGUE),
            (
                _("Standard work orders"),
                "hierarchy:standard_work_order_list",
                "hierarchy.change_standardworkorder",
            ),
            (_("Import and export"), "hierarchy:catalogue_import", "hierarchy.add_problemcode"),
        ],
    ),
    (_("Reports"), "reports:report_index", "reports.view_reports"),
    (
        _("Administration"),
        [
            (_("Users"), "accounts:user_list", "auth.view_user"),
            (
                _("Request settings"),
                "requests_app:request_settings",
                "requests_app.change_requesttypesetting",
            ),
            (
                _("Feedback settings"),
                "feedback:settings",
                "feedback.change_feedbacksetting",
            ),
            (_("Call queues"), "calls:queue_list", "calls.view_queue"),
            (_("Pause reasons"), "calls:pause_reason_list", "calls.change_pausereason"),
            (_("Trunks"), "calls:trunk_list", "calls.change_trunk"),
            (_("Open311 API keys"), "open311:key_list", "open311.change_apikey"),
            (_("Mailboxes"), "mail:mailbox_list", "mail.change_mailbox"),
            (
                _("Open311 questions"),
                "open311:question_codes",
                "open311.change_serviceattribute",
            ),
        ],
    ),
]


def navigation(request: HttpRequest) -> dict:
    """The layout's navigation, roles and actions. Lazy: a partial that never draws the layout
    (an HTMX answer) costs no query for them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": [], "user_roles": []}
    return {
        "navigation": SimpleLazyObject(lambda: navigation_items(request)),
        "user_roles": SimpleLazyObject(lambda: role_labels(user)),
        "can_take_requests": SimpleLazyObject(lambda: user.has_perm(TAKE_REQUESTS)),
    }


def navigation_items(request: HttpRequest) -> list[dict]:
    """Links ({label, url, current}) and menus ({label, links, current}) the user may use."""
    current = request.resolver_match.view_name if request.resolver_match else ""

    def links(pages) -> list[dict]:
        return [
            {"label": label, "url": reverse(name), "current": name == current}
            for label, name, permission in pages
            if permission is None or request.user.has_perm(permission)
        ]

    items = []
    for entry in NAVIGATION:
        if isinstance(entry[1], str):
            items.extend(links([entry]))
            continue
        label, pages = entry
        allowed = links(pages)
        if allowed:
            current_in = any(link["current"] for link in allowed)
            items.append({"label": label, "links": allowed, "current": current_in})
    return items
