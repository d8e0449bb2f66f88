"""Sections that apps to the right of requests_app add to the request and customer pages.

requests_app may not import them (the direction of dependency in docs/architecture.md): each
registers, in its AppConfig.ready(), a function that returns its section's HTML for the page's
request or customer, or "" when it has nothing to show. A section is a box that is not part of
the conversation (a form to answer in, say); what happened, whatever the channel, is an entry
of the timeline (requests_app.timeline)."""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from requests_app.models import Customer, CustomerRequest

RequestSection = Callable[[HttpRequest, CustomerRequest], str]
CustomerSection = Callable[[HttpRequest, Customer], str]

_request_sections: dict[str, RequestSection] = {}
_customer_sections: dict[str, CustomerSection] = {}


def add_request_section(name: str, section: RequestSection) -> None:
    """Show `section` on every request's page. Once per name: ready() may run twice."""
    _request_sections[name] = section


def add_customer_section(name: str, section: CustomerSection) -> None:
    """Show `section` on every customer's page. Once per name."""
    _customer_sections[name] = section


def request_sections(http_request: HttpRequest, customer_request: CustomerRequest) -> SafeString:
    return _joined(
        section(http_request, customer_request) for section in _request_sections.values()
    )


def customer_sections(http_request: HttpRequest, customer: Customer) -> SafeString:
    return _joined(section(http_request, customer) for section in _customer_sections.values())


def _joined(parts) -> SafeString:
    # Each part is a template rendered by its app, escaped there.
    return mark_safe("".join(parts))  # noqa: S308
