"""The four roles, as Django groups with permissions (docs/design.md, "Architecture").

Migrations call sync_roles so that a fresh database and an upgraded one end up the same.
A feature that adds models adds their permissions here and a migration, depending on that app's
migration, that calls sync_roles again. A permission whose model is not migrated yet is left for
that later call; tests/callcenter/test_roles.py checks every name here exists.
"""

from django.utils.translation import gettext_lazy as _

AGENT = "Agent"
SUPERVISOR = "Supervisor"
ADMINISTRATOR = "Administrator"
MANAGER = "Manager"

# The group names are data; these are what people read.
LABELS = {
    AGENT: _("Agent"),
    SUPERVISOR: _("Supervisor"),
    ADMINISTRATOR: _("Administrator"),
    MANAGER: _("Manager"),
}

CATALOGUE_MODELS = [
    "department",
    "serviceprovider",
    "servicecategory",
    "problemcode",
    "standardworkorder",
]

_browse_catalogue = [f"hierarchy.view_{model}" for model in CATALOGUE_MODELS]
_maintain_catalogue = [
    f"hierarchy.{action}_{model}" for model in CATALOGUE_MODELS for action in ("add", "change")
]

_take_requests = [
    f"requests_app.{action}_{model}"
    for model in ("customer", "customerrequest")
    for action in ("view", "add", "change")
]

_work_orders = [f"workorders.{action}_workorder" for action in ("view", "add", "change")]

_request_settings = [
    f"requests_app.{action}_requesttypesetting" for action in ("view", "add", "change")
]

# Which requests ask their customers for feedback, and what customers answered.
_feedback_settings = [f"feedback.{action}_feedbacksetting" for action in ("view", "add", "change")]
_read_feedback = ["feedback.view_feedbackanswer"]

_read_articles = ["knowledgebase.view_article", "knowledgebase.view_topic"]
_write_articles = [
    f"knowledgebase.{action}_{model}"
    for model in ("article", "topic")
    for action in ("add", "change")
] + ["knowledgebase.publish_article"]

# Taking calls, seeing one's own calls, calling back callers nobody answered.
_take_calls = [
    "calls.take_calls",
    "calls.view_call",
    "calls.view_callback",
    "calls.change_callback",
]
# Who is in which queue and how available the team is.
_supervise_calls = [
    "calls.view_all_calls",
    "calls.view_queue",
    "calls.view_agentstate",
    *[f"calls.{action}_queuemember" for action in ("view", "add", "change", "delete")],
]
# The phone system's configuration.
_configure_calls = [
    f"calls.{action}_{model}"
    for model in ("trunk", "queue", "pausereason")
    for action in ("view", "add", "change")
]

# The API keys apps post Open311 requests with.
_open311_keys = [f"open311.{action}_apikey" for action in ("view", "add", "change")]
# The questions public services ask the apps' reporters.
_open311_questions = [
    f"open311.{action}_serviceattribute" for action in ("view", "add", "change", "delete")
]

# The mailboxes customers write to (e-mail in).
_mailboxes = [f"mail.{action}_mailbox" for action in ("view", "add", "change")]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    AGENT: [*_browse_catalogue, *_take_requests, *_work_orders, *_read_articles, *_take_calls],
    SUPERVISOR: [
        *_browse_catalogue,
        *_take_requests,
        *_work_orders,
        "requests_app.reopen_customerrequest",
        "reports.view_reports",
        *_request_settings,
        *_feedback_settings,
        *_read_feedback,
        *_read_articles,
        *_write_articles,
        *_take_calls,
        *_supervise_calls,
    ],
    ADMINISTRATOR: [
        *_browse_catalogue,
        *_maintain_catalogue,
        *_request_settings,
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        *_configure_calls,
        "calls.view_queuemember",
        *_open311_keys,
        *_open311_questions,
        *_mailboxes,
    ],
    MANAGER: [
        *_browse_catalogue,
        "requests_app.view_customerrequest",
        "workorders.view_workorder",
        "reports.view_reports",
        *_read_feedback,
        "calls.view_call",
        "calls.view_all_calls",
    ],
}


def sync_roles(apps, schema_editor=None) -> None:
    """Create the groups and give each exactly its permissions (a RunPython function)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Migration states have no models module, and create_permissions skips apps without one.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            permission
            for permission in Permission.objects.select_related("content_type")
            if f"{permission.content_type.app_label}.{permission.codename}" in names
        )


def role_labels(user) -> list[str]:
    """The user's roles, translated, in the order of LABELS."""
    names = {group.name for group in user.groups.all()}
    return [label for role, label in LABELS.items() if role in names]
