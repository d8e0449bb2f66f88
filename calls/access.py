"""Who may do what with calls: the one place views and templates ask."""

from accounts.access import may_manage


def can_take_calls(user) -> bool:
    """Be rung for calls, set one's availability, get browser phone credentials (agents and
    supervisors)."""
    return user.has_perm("calls.take_calls")


def can_keep_sip_password(actor, user) -> bool:
    """A desk phone's SIP password: one's own for those who take calls, anyone's for those who
    manage users (the page tells them when the user takes no calls)."""
    if actor.pk == user.pk and can_take_calls(user):
        return True
    return may_manage(actor, user)


def can_see_all_calls(user) -> bool:
    """Every call, not only one's own (supervisors and managers)."""
    return user.has_perm("calls.view_all_calls")


def can_view_calls(user) -> bool:
    return user.has_perm("calls.view_call")


def can_see_call(user, call) -> bool:
    """A call: the agent who took it, and those who see every call."""
    return can_see_all_calls(user) or (can_view_calls(user) and call.agent_id == user.pk)


def visible_calls(user, calls):
    """The calls of `calls` the user may see: what lists show, the same rule as can_see_call."""
    if can_see_all_calls(user):
        return calls
    if can_view_calls(user):
        return calls.filter(agent=user)
    return calls.none()


def can_work_callbacks(user) -> bool:
    return user.has_perm("calls.change_callback")


def visible_callbacks(user, callbacks):
    """Callbacks of the queues the user answers, or every one for those who see every call."""
    if can_see_all_calls(user):
        return callbacks
    if can_work_callbacks(user):
        return callbacks.filter(queue__members__user=user)
    return callbacks.none()


def can_answer_call(user, call) -> bool:
    """The caller on screen and the request started for them: for the agent the call rang for
    (the routing chose them), who took it, or who placed it."""
    if not can_take_calls(user):
        return False
    username = user.get_username()
    if call.agent_id == user.pk or call.from_number == username:
        return True
    return call.events.filter(event="reserved", username=username).exists()


def can_see_queues(user) -> bool:
    """The queues and who answers them (supervisors and administrators)."""
    return user.has_perm("calls.view_queue")


def can_move_agents(user) -> bool:
    """Put agents in queues, change their skill, take them out (supervisors)."""
    return user.has_perm("calls.change_queuemember")


def can_configure_calls(user) -> bool:
    """Queues' numbers and times, pause reasons (administrators)."""
    return user.has_perm("calls.change_queue")


def can_keep_pause_reasons(user) -> bool:
    return user.has_perm("calls.change_pausereason")


def hears_recordings(user) -> bool:
    """Whether the user hears the recordings of the calls they see: agents their own, and
    supervisors every one (they see every call and take calls themselves); managers see every
    call's record but do not listen to callers."""
    return can_take_calls(user) and can_view_calls(user)


def can_hear_recording(user, call) -> bool:
    """A call's recording, played or downloaded."""
    return hears_recordings(user) and can_see_call(user, call)


def can_keep_trunks(user) -> bool:
    """Where calls may come in from (administrators)."""
    return user.has_perm("calls.change_trunk")
