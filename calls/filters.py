import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callcenter.days import LocalDayFilter
from callcenter.inputs import without_control_characters
from calls.models import Call, Direction, Outcome, Queue
from hierarchy.filters import ANY
from requests_app.phones import phone_or_none


class CallFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(label=_("Phone number"), method="by_number")
    direction = django_filters.ChoiceFilter(
        label=_("Direction"), choices=Direction.choices, empty_label=ANY
    )
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"), choices=Outcome.choices, empty_label=ANY
    )
    queue = django_filters.ModelChoiceFilter(
        label=_("Queue"), queryset=Queue.objects.all(), empty_label=ANY
    )
    # Typed, not chosen: a select of every agent costs more to draw than the page's query.
    agent = django_filters.CharFilter(
        label=_("Agent"), field_name="agent__username", lookup_expr="iexact"
    )
    offered_from = LocalDayFilter(label=_("From"), field_name="offered_at")
    offered_to = LocalDayFilter(label=_("To"), field_name="offered_at", last=True)
    call_id = django_filters.CharFilter(label=_("Call-ID"), method="by_call_id")

    class Meta:
        model = Call
        fields = []

    def by_number(self, queryset, name, value):
        """The caller's or the called number as the phone system gave it, or in E.164 however
        it is typed ("030 1234567" finds "+49301234567")."""
        value = without_control_characters(value).strip()
        if not value:
            return queryset
        numbers = {value}
        phone = phone_or_none(value) if any(char.isdigit() for char in value) else None
        if phone:
            numbers.add(phone)
        return queryset.filter(Q(from_number__in=numbers) | Q(to_number__in=numbers))

    def by_call_id(self, queryset, name, value):
        value = without_control_characters(value).strip()
        return queryset.filter(call_id=value) if value else queryset
