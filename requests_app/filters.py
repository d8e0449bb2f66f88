import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.days import LocalDayFilter
from callcenter.inputs import parse_id, without_control_characters
from hierarchy.filters import ANY
from hierarchy.models import Department
from requests_app.models import Channel, CustomerRequest, RequestType, Status
from requests_app.phones import phone_or_none
from workorders.addresses import address_key


class RequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    request_type = django_filters.ChoiceFilter(
        label=_("Request type"), choices=RequestType.choices, empty_label=ANY
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Channel.choices, empty_label=ANY
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=ANY)
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="problem_code__category__provider__department",
        queryset=Department.objects.all(),
        empty_label=ANY,
    )
    # Typed, not chosen from a list: a select of thousands of codes, or of every agent,
    # costs more to draw than the page's query (docs/benchmarks.md).
    problem_code = django_filters.CharFilter(
        label=_("Problem code"), field_name="problem_code__code", lookup_expr="iexact"
    )
    agent = django_filters.CharFilter(
        label=_("Agent"), field_name="agent__username", lookup_expr="iexact"
    )
    started_from = LocalDayFilter(label=_("From"), field_name="started_at")
    started_to = LocalDayFilter(label=_("To"), field_name="started_at", last=True)
    overdue = django_filters.BooleanFilter(
        label=_("Overdue follow-ups only"), method="only_overdue", widget=forms.CheckboxInput
    )

    discarded = django_filters.BooleanFilter(
        label=_("Discarded requests only"), method="only_discarded", widget=forms.CheckboxInput
    )

    class Meta:
        model = CustomerRequest
        fields = []

    @property
    def qs(self):
        """Discarded requests (request_discard) leave the default view; "Discarded requests
        only" shows them."""
        requests = super().qs
        asked = self.is_bound and getattr(self.form, "cleaned_data", {}).get("discarded")
        return requests if asked else requests.kept()

    def only_discarded(self, queryset, name, value):
        return queryset.discarded() if value else queryset

    def search(self, queryset, name, value):
        """What a caller or an agent says: the request's number however typed ("3008",
        "CR-2026-3008", "cr-2026-003008"), the caller's phone number in any format, the work
        address (folded as the duplicate check folds it), the caller's name or the description.

        One table, each condition served by its own index on PostgreSQL (the number's and the
        primary key's, request_caller_phone, and trigram indexes for the texts: migrations 0002
        and 0009), so the planner can combine them.
        """
        value = without_control_characters(value).strip()
        if not value:
            return queryset
        number = request_number(value)
        if number is not None and value[:2].upper() == "CR":
            return queryset.filter(number)  # nothing else is written like a request number
        found = Q(caller_name__icontains=value) | Q(description__icontains=value)
        if number is not None:
            found |= number
        phone = phone_or_none(value) if any(char.isdigit() for char in value) else None
        if phone:
            found |= Q(caller_phone=phone)
        key = address_key(value)
        if key:
            found |= Q(work_address_key__contains=key)
        return queryset.filter(found)

    def only_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status=Status.FOLLOW_UP, follow_up_due__lt=timezone.now())


# "3008", "CR-3008", "CR-2026-3008", "cr 2026 003008": a request number, with or without its
# prefix, year and leading zeros.
REQUEST_NUMBER = re.compile(
    r"^(?:CR)?[-\s]*(?:(?P<year>\d{4})[-\s]+)?(?P<serial>\d+)$", re.I | re.A
)


def request_number(text: str) -> Q | None:
    """The request the text names by its number. Numbers are CR-<year>-<primary key, six digits
    at least> (callcenter.numbering), so without a year the serial is the primary key."""
    match = REQUEST_NUMBER.match(text)
    pk = parse_id(match["serial"]) if match else None
    if pk is None:
        return None
    if match["year"]:
        return Q(number=f"CR-{match['year']}-{pk:06d}")
    return Q(pk=pk, number__endswith=f"-{pk:06d}")
