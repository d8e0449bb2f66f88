import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hierarchy.models import Department, Priority, ProblemCode, StandardWorkOrder

ACTIVE_CHOICES = [("yes", _("Active")), ("no", _("Inactive"))]
YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No"))]
ANY = _("Any")


def filter_yes(queryset, name, value):
    return queryset.filter(**{name: value == "yes"})


def yes_no_filter(label: str, field_name: str, choices=YES_NO_CHOICES):
    """A boolean field offered as Any / Yes / No (or Any / Active / Inactive)."""
    return django_filters.ChoiceFilter(
        label=label, field_name=field_name, choices=choices, method=filter_yes, empty_label=ANY
    )


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
    active = yes_no_filter(_("Status"), "is_active", ACTIVE_CHOICES)
    is_public = yes_no_filter(_("Public may report it (Open311)"), "is_public")

    class Meta:
        model = ProblemCode
        fields = ["q", "department", "priority", "active", "is_public"]

    def search(self, queryset, name, value):
        # As the picker finds them: every word in the code, name, category or keywords.
        return queryset.filter(pk__in=ProblemCode.objects.matching(value).values("pk"))


class StandardWorkOrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    trade = django_filters.CharFilter(label=_("Trade"), lookup_expr="icontains")
    active = yes_no_filter(_("Status"), "is_active", ACTIVE_CHOICES)

    class Meta:
        model = StandardWorkOrder
        fields = ["q", "trade", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(instructions__icontains=value))
