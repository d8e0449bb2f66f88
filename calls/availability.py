"""What the page header's availability control shows: the agent's state now and the pause
reasons to choose from (a read; calls.services.agent_state_set writes)."""

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from calls import clock
from calls.access import can_take_calls
from calls.models import AgentState, PauseReason, State


@dataclass(frozen=True)
class Availability:
    state: str
    label: str
    reason: PauseReason | None
    until: datetime | None
    reasons: list[PauseReason]

    @property
    def on_call(self) -> bool:
        """The phone system's states, which the agent cannot leave by choosing."""
        return self.state in (State.RINGING, State.ON_CALL)

    # What one click on "more wrap-up" adds.
    extend_seconds: int = 30

    @property
    def paused(self) -> bool:
        return self.state == State.PAUSED


def availability_of(user) -> Availability:
    row = AgentState.objects.select_related("pause_reason").filter(user=user).first()
    now = clock.now()
    state = row.current(now) if row else State.OFFLINE
    return Availability(
        state=state,
        label=State(state).label,
        reason=row.pause_reason if row and state == State.PAUSED else None,
        until=row.until if row and state == State.WRAP_UP else None,
        reasons=list(PauseReason.objects.filter(active=True, system_key="")),
    )


def availability(request: HttpRequest) -> dict:
    """Context processor: the header's control for those who take calls. Lazy: a partial that
    never draws the header costs no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "availability": SimpleLazyObject(
            lambda: availability_of(user) if can_take_calls(user) else None
        )
    }
