"""The calls in a request's and a customer's timeline (registered with requests_app.timeline in
CallsConfig.ready()): what the caller said on the phone, each call with its queue, agent,
outcome and times, and the recording where the user may hear it. Who sees which call is
calls.access's rule, as on the list of calls."""

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _

from calls.access import can_view_calls, hears_recordings, visible_calls
from calls.models import Call, Direction, Transfer
from requests_app.models import Channel
from requests_app.timeline import Entry, Scope, Who, not_after, user_name

KINDS = {
    Direction.INBOUND: _("Incoming call"),
    Direction.OUTBOUND: _("Outgoing call"),
    Direction.INTERNAL: _("Internal call"),
}


def call_entries(http_request: HttpRequest, scope: Scope) -> list[Entry]:
    """The calls that produced the requests; on a customer's page also those from the
    customer's numbers and those an agent made to them, with or without a request."""
    user = http_request.user
    if not can_view_calls(user):
        return []
    found = Q(requests__in=scope.requests)
    if scope.customer is not None:
        numbers = [phone.number for phone in scope.customer.phones.all()]
        found |= Q(from_number__in=numbers) | Q(customer=scope.customer)
    calls = not_after(Call.objects.filter(found), scope, "offered_at")
    # The ids first: the filter's join to the requests would repeat a call linked to several.
    ids = (
        visible_calls(user, calls)
        .order_by("-offered_at", "-id")
        .values_list("pk", flat=True)
        .distinct()[: scope.limit]
    )
    rows = (
        Call.objects.filter(pk__in=list(ids))
        .for_list()
        .select_related("transferred_from__call", "transferred_from__by")
        .prefetch_related(
            "requests",
            Prefetch("transfers", queryset=Transfer.objects.select_related("new_call")),
        )
    )
    template = get_template("calls/call_entry.html")
    listens = hears_recordings(user)
    return [
        Entry(
            when=call.offered_at,
            channel=Channel.PHONE,
            kind=KINDS.get(call.direction, _("Call")),
            **_who(call),
            body=template.render({"item": call, "hears_recordings": listens}, http_request),
            anchor=f"call-{call.pk}",
            request_ids=tuple(linked.pk for linked in call.requests.all()),
        )
        for call in rows
    ]


def _who(call: Call) -> dict:
    """The caller for a call that came in; the agent for one we made."""
    if call.direction == Direction.INBOUND:
        return {"who": call.from_number or _("unknown number"), "who_is": Who.CUSTOMER}
    return {"who": user_name(call.agent), "who_is": Who.AGENT}
