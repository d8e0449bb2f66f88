"""The knowledge base: articles supervisors write so that agents answer quickly and alike."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from callcenter.inputs import ARTICLE_TEXT, SUMMARY_TEXT
from hierarchy.models import KEYWORDS_TEXT, ProblemCode, ServiceCategory


class Topic(models.Model):
    """Topics form a tree: a topic may have sub-topics."""

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent topic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "parent",
                Lower("name"),
                name="topic_unique_name_under_parent",
                violation_error_message=_("A topic with this name is already there."),
            ),
            models.UniqueConstraint(
                Lower("name"),
                condition=models.Q(parent__isnull=True),
                name="topic_unique_top_level_name",
                violation_error_message=_("A topic with this name is already there."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def path_label(self) -> str:
        names, node = [], self
        while node is not None:
            names.insert(0, node.name)
            node = node.parent
        return " › ".join(names)


class ArticleKind(models.TextChoices):
    SCRIPT = "script", _("Call script")
    PHONE_NUMBERS = "phone_numbers", _("Phone numbers")
    EXTERNAL_LINK = "external_link", _("External link")
    ARTICLE_LINK = "article_link", _("Link to another article")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ArticleStatus.PUBLISHED)


# The fields a revision keeps: what an article says and is found by, not who filed it where.
CONTENT_FIELDS = [
    "title",
    "summary",
    "keywords",
    "body",
    "phone_numbers",
    "external_url",
    "link_target_id",
]


class Article(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ArticleKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, max_length=SUMMARY_TEXT)
    # In the article's language, which the search stems them in: each language's article
    # carries its own. TextField checks max_length in forms only; the validator holds for the
    # services too.
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        max_length=KEYWORDS_TEXT,
        validators=[MaxLengthValidator(KEYWORDS_TEXT)],
        help_text=_(
            "Words callers use for what this article answers, in the article's language, "
            "separated by commas: the search finds the article by them as by its title."
        ),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    body = models.TextField(
        _("text"),
        blank=True,
        max_length=ARTICLE_TEXT,
        help_text=_("Markdown: **bold**, *italic*, lists, links."),
    )
    # [{"label": "Recycling centre North", "number": "030 123456"}, ...]
    phone_numbers = models.JSONField(_("phone numbers"), default=list, blank=True)
    external_url = models.URLField(
        _("link"), blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    link_target = models.ForeignKey(
        "self",
        verbose_name=_("linked article"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked_from",
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True)
    categories = models.ManyToManyField(
        ServiceCategory, verbose_name=_("service categories"), blank=True, related_name="articles"
    )
    problem_codes = models.ManyToManyField(
        ProblemCode, verbose_name=_("problem codes"), blank=True, related_name="articles"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # PostgreSQL only (NULL on SQLite): written by knowledgebase.search.article_index in the
    # transaction of every save; its GIN index is made by migration 0002.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["title"]
        indexes = [
            models.Index(fields=["status", "language", "title"], name="article_status_language"),
        ]
        permissions = [("publish_article", "Can publish and archive articles")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledgebase:article_detail", args=[self.pk])

    def content(self) -> dict:
        return {field: getattr(self, field) for field in CONTENT_FIELDS}


class ArticleRevision(models.Model):
    """What a published article said after one save, and who saved it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="article_revision_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article} #{self.number}"


class SearchWord(models.Model):
    """A word some article uses, lower case as written: what a misspelt search word or a
    compound typed whole is matched against (PostgreSQL only; empty on SQLite)."""

    word = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["word"], name="search_word_unique")]

    def __str__(self) -> str:
        return self.word


class FailedSearch(models.Model):
    """A search text that found nothing, counted, so supervisors know what to write next.

    No verbose names: no form or admin shows these; the page that lists them labels its columns.
    """

    text = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=1)
    first_searched_at = models.DateTimeField()
    last_searched_at = models.DateTimeField(db_index=True)
    last_searched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-last_searched_at"]

    def __str__(self) -> str:
        return self.text
