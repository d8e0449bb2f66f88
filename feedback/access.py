"""Who may do what with feedback: the one place views and templates ask."""


def can_change_feedback_settings(user) -> bool:
    """Decide which requests ask their customers for feedback (supervisors)."""
    return user.has_perm("feedback.change_feedbacksetting")


def can_read_feedback_comments(user) -> bool:
    """Read what customers wrote (supervisors and managers)."""
    return user.has_perm("feedback.view_feedbackanswer")
