"""Who may do what with work orders: the one place views and templates ask."""


def can_view_work_orders(user) -> bool:
    return user.has_perm("workorders.view_workorder")


def can_change_work_orders(user) -> bool:
    """Change status and details (agents and supervisors)."""
    return user.has_perm("workorders.change_workorder")


def can_see_callers(user) -> bool:
    """The callers' names, e-mails and phones on a work order's linked requests: for those who
    take requests (agents and supervisors), not for those who only read work orders (managers).
    Asked by permission name: this app does not import the request desk."""
    return user.has_perm("requests_app.view_customer")
