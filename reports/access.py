"""Who may read which report or dashboard: the one place views and templates ask."""


def can_read_reports(user) -> bool:
    """The manager reports (managers, and supervisors)."""
    return user.has_perm("reports.view_reports")


def has_desk_dashboard(user) -> bool:
    """An agent's own day (whoever takes requests)."""
    return user.has_perm("requests_app.change_customerrequest")


def has_team_dashboard(user) -> bool:
    """The team's day (supervisors)."""
    return user.has_perm("requests_app.reopen_customerrequest")
