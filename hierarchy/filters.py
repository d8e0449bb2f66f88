import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hierarchy.models import Department, Priority, ProblemCode, StandardWorkOrder

ACTIVE_CHOICES = [("yes", _("Active")), ("no", _("Inactive"))]
YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No"))]
ANY = _("Any")


def filter_yes(queryset, name, value):
    return queryset.filter(**{name: value == "yes"})


class ProblemCodeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="category__provider__department",
        queryset=Department.objects.all(),
        empty_label=ANY,
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priority"), choices=Priority.choices, empty_label=ANY
    )
    active = django_filters.ChoiceFilter(
        label=_("Status"),
        field_name="is_active",
        choices=ACTIVE_CHOICES,
        method=filter_yes,
        empty_label=ANY,
    )
    is_public = django_filters.ChoiceFilter(
        label=_("Public may report it (Open311)"),
        field_name="is_public",
        choices=YES_NO_CHOICES,
        method=filter_yes,
        empty_label=ANY,
    )

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
        label=_("Status"),
        field_name="is_active",
        choices=ACTIVE_CHOICES,
        method=filter_yes,
        empty_label=ANY,
    )

    class Meta:
        model = StandardWorkOrder
        fields = ["q", "trade", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(instructions__icontains=value))
