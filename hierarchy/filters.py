import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hierarchy.models import Department, Priority, ProblemCode, StandardWorkOrder

ACTIVE_CHOICES = [("yes", _("Active")), ("no", _("Inactive"))]


def filter_active(queryset, name, value):
    return queryset.filter(**{name: value == "yes"})


class ProblemCodeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="category__provider__department",
        queryset=Department.objects.all(),
    )
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    active = django_filters.ChoiceFilter(
        label=_("Status"), field_name="is_active", choices=ACTIVE_CHOICES, method=filter_active
    )
    is_public = django_filters.BooleanFilter(label=_("Public may report it (Open311)"))

    class Meta:
        model = ProblemCode
        fields = ["q", "department", "priority", "active", "is_public"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(category__name__icontains=value)
        )


class StandardWorkOrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    trade = django_filters.CharFilter(label=_("Trade"), lookup_expr="icontains")
    active = django_filters.ChoiceFilter(
        label=_("Status"), field_name="is_active", choices=ACTIVE_CHOICES, method=filter_active
    )

    class Meta:
        model = StandardWorkOrder
        fields = ["q", "trade", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(instructions__icontains=value))
