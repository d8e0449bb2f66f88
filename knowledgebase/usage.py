"""How the knowledge base is used: which articles agents open from requests, and which searches
find nothing. An article's uses are the requests that recorded it as consulted (requests_app's
ConsultedArticle, reached through its related name `consultations`, so this app imports nothing
from the apps that depend on it)."""

from datetime import timedelta

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from knowledgebase.models import Article

USAGE_DAYS = 30


def usage_since(days: int = USAGE_DAYS):
    return timezone.now() - timedelta(days=days)


def most_used_articles(days: int = USAGE_DAYS) -> QuerySet:
    """Articles opened from requests in the last `days` days, most used first, each with
    `uses` (requests that consulted it) and `last_used`."""
    return (
        Article.objects.filter(consultations__consulted_at__gte=usage_since(days))
        .annotate(uses=Count("consultations"), last_used=Max("consultations__consulted_at"))
        .defer("search_vector")
        .order_by("-uses", "title", "pk")
    )


def article_uses(article: Article, days: int = USAGE_DAYS) -> int:
    return article.consultations.filter(consulted_at__gte=usage_since(days)).count()
