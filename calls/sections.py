"""The calls shown on a request's and a customer's page (registered with requests_app.sections
in CallsConfig.ready()): what the caller said on the phone, with the recording where the user
may hear it."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from calls.access import can_view_calls, hears_recordings, visible_calls
from calls.models import Call
from requests_app.models import Customer, CustomerRequest

SHOWN = 20


def request_calls(http_request: HttpRequest, customer_request: CustomerRequest) -> str:
    """The calls that produced the request."""
    return _section(http_request, Call.objects.filter(requests=customer_request), "request")


def customer_calls(http_request: HttpRequest, customer: Customer) -> str:
    """The customer's latest calls: those of their requests and those from their numbers."""
    numbers = list(customer.phones.values_list("number", flat=True))
    calls = Call.objects.filter(requests__customer=customer) | Call.objects.filter(
        from_number__in=numbers
    )
    return _section(http_request, calls.distinct(), "customer")


def _section(http_request: HttpRequest, calls, of: str) -> str:
    user = http_request.user
    if not can_view_calls(user):
        return ""
    rows = list(
        visible_calls(user, calls.for_list())
        .prefetch_related("requests")
        .order_by("-offered_at", "-id")[:SHOWN]
    )
    if not rows and of == "request":
        return ""  # a request taken without a call: nothing to say
    context = {"calls": rows, "of": of, "hears_recordings": hears_recordings(user)}
    return render_to_string("calls/call_section.html", context, request=http_request)
