"""The knowledge base's verbs: save, publish, archive and restore articles; add topics; count
the searches that found nothing, and take them off the list.

Every write ends with article_index(), in the same transaction, so that the search vector never
drifts from the article (there is no trigger).
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.concurrency import lock_for_edit
from callcenter.inputs import without_control_characters
from hierarchy.models import normalise_keywords
from knowledgebase.models import (
    CONTENT_FIELDS,
    Article,
    ArticleKind,
    ArticleRevision,
    ArticleStatus,
    FailedSearch,
    Topic,
)
from knowledgebase.search import SearchHit, article_index

RELATIONS = ("topics", "categories", "problem_codes")


@transaction.atomic
def article_create(
    *, values: dict[str, Any], relations: dict[str, Any], user: AbstractBaseUser
) -> Article:
    article = Article(
        **_tidied(values), created_by=user, updated_by=user, status=ArticleStatus.DRAFT
    )
    _check(article)
    article.save()
    _set_relations(article, relations)
    article_index(article)
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    values: dict[str, Any],
    relations: dict[str, Any],
    expected_version: int | None,
    user: AbstractBaseUser,
) -> Article:
    """Save a supervisor's edit; a published article keeps a revision of every save.

    Raises EditConflict when someone saved since expected_version, or ValidationError.
    """
    current = lock_for_edit(Article, article.pk, expected_version)
    for field, value in _tidied(values).items():
        setattr(current, field, value)
    _check(current)
    current.version += 1
    current.updated_by = user
    current.save()
    _set_relations(current, relations)
    if current.status == ArticleStatus.PUBLISHED:
        _keep_revision(current, user)
    article_index(current)
    return current


@transaction.atomic
def article_publish(*, article: Article, user: AbstractBaseUser) -> Article:
    current = Article.objects.select_for_update().get(pk=article.pk)
    _check(current)
    current.status = ArticleStatus.PUBLISHED
    current.published_at = timezone.now()
    current.updated_by = user
    current.version += 1
    current.save()
    _keep_revision(current, user)
    article_index(current)
    return current


@transaction.atomic
def article_archive(*, article: Article, user: AbstractBaseUser) -> Article:
    """Archive, unless articles still in use link to it: those are named in the error."""
    current = Article.objects.select_for_update().get(pk=article.pk)
    linking = list(current.linked_from.exclude(status=ArticleStatus.ARCHIVED).order_by("title"))
    if linking:
        raise ValidationError(
            _("These articles link to it; change or archive them first: %(titles)s.")
            % {"titles": ", ".join(f"“{other}”" for other in linking)}
        )
    current.status = ArticleStatus.ARCHIVED
    current.updated_by = user
    current.version += 1
    current.save()
    article_index(current)
    return current


@transaction.atomic
def article_restore(
    *, article: Article, revision: ArticleRevision, user: AbstractBaseUser
) -> Article:
    """Make an older revision the article's text again (as a new revision). A field the
    revision did not keep yet (keywords, before articles had them) keeps its current value."""
    values = {
        field: revision.content[field] for field in CONTENT_FIELDS if field in revision.content
    }
    return article_update(
        article=article,
        values=values,
        relations={},
        expected_version=Article.objects.get(pk=article.pk).version,
        user=user,
    )


@transaction.atomic
def topic_create(*, name: str, parent: Topic | None = None) -> Topic:
    """A topic, at the top or under `parent`; ValidationError if its name is taken there."""
    topic = Topic(name=name.strip(), parent=parent)
    topic.full_clean()
    topic.save()
    return topic


def failed_search_record(*, text: str, hits: list[SearchHit], user: AbstractBaseUser) -> None:
    """Count a search that found nothing, for supervisors: one upsert (two agents failing the
    same search at once count two), nothing if it found.

    A write: call it for a search the user submitted (a POST), never for a GET."""
    max_length = FailedSearch._meta.get_field("text").max_length
    normalised = " ".join(without_control_characters(text or "").split()).lower()[:max_length]
    if not normalised or hits:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = FailedSearch._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "
            "(text, count, first_searched_at, last_searched_at, last_searched_by_id) "
            "VALUES (%s, 1, %s, %s, %s) ON CONFLICT (text) DO UPDATE SET "
            f"count = {table}.count + 1, last_searched_at = excluded.last_searched_at, "
            "last_searched_by_id = excluded.last_searched_by_id",
            [normalised, now, now, getattr(user, "pk", None)],
        )


def failed_search_delete(*, search: FailedSearch) -> None:
    """Take a search off the list (once an article answers it); it comes back if it fails
    again."""
    FailedSearch.objects.filter(pk=search.pk).delete()


def _tidied(values: dict[str, Any]) -> dict[str, Any]:
    if "keywords" in values:
        return {**values, "keywords": normalise_keywords(values["keywords"] or "")}
    return values


def _check(article: Article) -> None:
    """What each kind of article needs, and where a link may point."""
    errors = {}
    if article.kind == ArticleKind.SCRIPT and not article.body.strip():
        errors["body"] = _("A call script needs its text.")
    if article.kind == ArticleKind.PHONE_NUMBERS and not article.phone_numbers:
        errors["phone_numbers"] = _("List at least one number to read out.")
    if article.kind == ArticleKind.EXTERNAL_LINK and not article.external_url:
        errors["external_url"] = _("An external link needs its address.")
    if article.kind == ArticleKind.ARTICLE_LINK:
        problem = _link_problem(article)
        if problem:
            errors["link_target"] = problem
    if errors:
        raise ValidationError(errors)


def _link_problem(article: Article) -> str | None:
    target = article.link_target
    if target is None:
        return _("Choose the article to link to.")
    if target.pk == article.pk:
        return _("An article cannot link to itself.")
    if target.status != ArticleStatus.PUBLISHED:
        return _("Link only to a published article.")
    seen = {article.pk}
    while target is not None:
        if target.pk in seen:
            return _("This link would make a circle of articles linking to each other.")
        seen.add(target.pk)
        target = target.link_target
    return None


def _set_relations(article: Article, relations: dict[str, Any]) -> None:
    for name in RELATIONS:
        if name in relations:
            getattr(article, name).set(relations[name])


def _keep_revision(article: Article, user: AbstractBaseUser) -> None:
    last = article.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    content = article.content()
    ArticleRevision.objects.create(
        article=article, number=last + 1, content=content, changed_by=user
    )
