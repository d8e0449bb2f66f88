import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hierarchy.filters import ANY
from knowledgebase.access import can_write_articles
from knowledgebase.models import Article, ArticleKind, ArticleStatus, Topic


class ArticleFilter(django_filters.FilterSet):
    # A title holds at most 200 characters, and SQLite refuses a LIKE pattern of 50,000.
    q = django_filters.CharFilter(
        label=_("Title contains"), field_name="title", lookup_expr="icontains", max_length=200
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=ArticleKind.choices, empty_label=ANY
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=Article._meta.get_field("language").choices, empty_label=ANY
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"), queryset=Topic.objects.all(), method="in_topic", empty_label=ANY
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ArticleStatus.choices, empty_label=ANY
    )

    class Meta:
        model = Article
        fields = ["q", "kind", "language", "topic", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_write_articles(user):
            # Agents see published articles only; there is nothing to filter.
            del self.filters["status"]

    def searched_elsewhere(self, queryset, name, value):
        return queryset

    def in_topic(self, queryset, name, topic):
        return queryset.filter(Q(topics=topic) | Q(topics__parent=topic)).distinct()
