from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from callcenter.roles import role_labels

# (label, url name, permission needed or None): what the main navigation offers, in order.
NAVIGATION = [
    (_("Today"), "dashboard", None),
    (_("Requests"), "requests_app:request_list", "requests_app.change_customerrequest"),
    (_("My follow-ups"), "requests_app:my_follow_ups", "requests_app.change_customerrequest"),
    (_("Work orders"), "workorders:work_order_list", "workorders.view_workorder"),
    (_("Knowledge base"), "knowledgebase:article_list", "knowledgebase.view_article"),
    (_("Reports"), "reports:report_index", "reports.view_reports"),
    (_("Service catalogue"), "hierarchy:tree", "hierarchy.view_problemcode"),
    (_("Problem code lookup"), "hierarchy:code_lookup", "hierarchy.view_problemcode"),
    (_("Problem codes"), "hierarchy:code_list", "hierarchy.view_problemcode"),
    (
        _("Standard work orders"),
        "hierarchy:standard_work_order_list",
        "hierarchy.change_standardworkorder",
    ),
    (_("Import and export"), "hierarchy:catalogue_import", "hierarchy.add_problemcode"),
    (
        _("Request settings"),
        "requests_app:request_settings",
        "requests_app.change_requesttypesetting",
    ),
    (_("Users"), "accounts:user_list", "auth.view_user"),
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
        "can_take_requests": SimpleLazyObject(
            lambda: user.has_perm("requests_app.change_customerrequest")
        ),
    }


def navigation_items(request: HttpRequest) -> list[dict]:
    current = request.resolver_match.view_name if request.resolver_match else ""
    return [
        {"label": label, "url": reverse(name), "current": name == current}
        for label, name, permission in NAVIGATION
        if permission is None or request.user.has_perm(permission)
    ]
