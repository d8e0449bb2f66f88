from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.days import local_midnight
from callcenter.inputs import validate_day
from hierarchy.filters import ANY
from hierarchy.models import Department
from requests_app.models import Channel, CustomerRequest, RequestType, Status


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
    # Whole local days, as datetimes, so that the index on started_at serves the range.
    started_from = django_filters.DateFilter(
        label=_("From"),
        method="started_from_day",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day],
    )
    started_to = django_filters.DateFilter(
        label=_("To"),
        method="started_to_day",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day],
    )
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
        """A request number finds that request; other text is looked for in the caller's name
        and the description."""
        value = value.strip()
        if value.upper().startswith("CR-"):
            return queryset.filter(number=value.upper())
        # Both columns have a trigram index on PostgreSQL (migration 0002).
        return queryset.filter(Q(caller_name__icontains=value) | Q(description__icontains=value))

    def started_from_day(self, queryset, name, value):
        return queryset.filter(started_at__gte=local_midnight(value))

    def started_to_day(self, queryset, name, value):
        return queryset.filter(started_at__lt=local_midnight(value + timedelta(days=1)))

    def only_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status=Status.FOLLOW_UP, follow_up_due__lt=timezone.now())
