"""Who may read and write which article: the one place views and searches ask."""

from knowledgebase.models import Article, ArticleStatus


def can_read_articles(user) -> bool:
    return user.has_perm("knowledgebase.view_article")


def can_write_articles(user) -> bool:
    return user.has_perm("knowledgebase.change_article")


def can_publish_articles(user) -> bool:
    return user.has_perm("knowledgebase.publish_article")


def can_read_article(user, article: Article) -> bool:
    """Agents read published articles only; a draft or an archived one is for writers."""
    if article.status == ArticleStatus.PUBLISHED:
        return can_read_articles(user)
    return can_write_articles(user)


def readable_articles(user):
    """The articles a user may see, for lists and searches."""
    if can_write_articles(user):
        return Article.objects.all()
    if can_read_articles(user):
        return Article.objects.published()
    return Article.objects.none()
