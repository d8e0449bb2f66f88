"""Who may do what at the request desk: the one place views and templates ask."""


def can_take_requests(user) -> bool:
    """Log and edit requests, look up and edit customers (agents and supervisors)."""
    return user.has_perm("requests_app.change_customerrequest")


def can_reopen(user) -> bool:
    return user.has_perm("requests_app.reopen_customerrequest")


def can_change_request_settings(user) -> bool:
    """Decide what each request type asks of agents (supervisors and administrators)."""
    return user.has_perm("requests_app.change_requesttypesetting")


def can_discard(user, customer_request) -> bool:
    """Discard a blank request: the agent who took it, or a supervisor tidying up."""
    return can_take_requests(user) and (customer_request.agent_id == user.pk or can_reopen(user))
