"""Who may do what with work orders: the one place views and templates ask."""


def can_view_work_orders(user) -> bool:
    return user.has_perm("workorders.view_workorder")


def can_change_work_orders(user) -> bool:
    """Change status and details (agents and supervisors)."""
    return user.has_perm("workorders.change_workorder")
