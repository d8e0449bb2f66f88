import django_filters
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callcenter import roles

ANY = _("Any")


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or username"), method="search")
    role = django_filters.ChoiceFilter(
        label=_("Role"),
        field_name="groups__name",
        choices=list(roles.LABELS.items()),
        empty_label=ANY,
    )
    active = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("yes", _("Active")), ("no", _("Inactive"))],
        method="filter_active",
        empty_label=ANY,
    )

    class Meta:
        model = User
        fields = ["q", "role", "active"]

    def search(self, queryset, name, value):
        query = Q()
        for word in value.split():
            query &= (
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
            )
        return queryset.filter(query)

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes")
