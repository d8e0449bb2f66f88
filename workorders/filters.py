import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from hierarchy.filters import ANY
from hierarchy.models import ServiceProvider
from workorders.addresses import address_key
from workorders.models import WorkOrder, WorkOrderStatus


class WorkOrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number or address"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=WorkOrderStatus.choices, empty_label=ANY
    )
    provider = django_filters.ModelChoiceFilter(
        label=_("Responsible provider"),
        queryset=ServiceProvider.objects.select_related("department"),
        empty_label=ANY,
    )
    problem_code = django_filters.CharFilter(
        label=_("Problem code"), field_name="problem_code__code", lookup_expr="iexact"
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="only_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = WorkOrder
        fields = []

    def search(self, queryset, name, value):
        """A work-order number finds that one; other text the addresses containing it, written
        any way ("Main St." finds "12 main street")."""
        value = value.strip()
        if value.upper().startswith("WO-"):
            return queryset.filter(number=value.upper())
        return queryset.filter(address_key__contains=address_key(value))

    def only_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset
