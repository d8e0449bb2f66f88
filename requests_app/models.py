"""Customers (callers) and customer requests: every call, e-mail and fax is one request."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.history import FieldChange
from callcenter.inputs import (
    ADDRESS_TEXT,
    LONG_TEXT,
    validate_moment,
    without_control_characters,
)
from hierarchy.models import ProblemCode
from knowledgebase.models import Article
from requests_app.phones import display_phone, phone_or_none
from workorders.models import WorkOrder


class CustomerQuerySet(models.QuerySet):
    def matching(self, text: str, limit: int = 5) -> list["Customer"]:
        """Callers whose phone number, e-mail address or name matches what the agent typed.

        A phone number or an e-mail is looked up exactly (in its stored form, through an index);
        anything else is taken as the start of words of the name, in any order: "Maier", "eri"
        and "maier erika" all find "Erika Maier".
        """
        text = without_control_characters(text).strip()
        if len(text) < 2:
            return []
        phone = phone_or_none(text) if any(char.isdigit() for char in text) else None
        if phone:
            found = self.filter(phones__number=phone)
        elif "@" in text:
            found = self.filter(email=text.lower())
        else:
            # Sorting every "Thomas" of a million customers to show the first five took a
            # second; the first few dozen found, sorted here, take a millisecond. Up to that many
            # matches the five are the first in the alphabet; beyond it the agent types more.
            found = self.with_name_words(text).order_by()[:NAME_CANDIDATES]
            chosen = sorted(found, key=lambda customer: (customer.name, customer.pk))[:limit]
            models.prefetch_related_objects(chosen, "phones")
            return chosen
        return list(found.prefetch_related("phones").order_by("name", "pk").distinct()[:limit])

    def with_name_words(self, text: str):
        """Names with a word starting with each typed word. On PostgreSQL a trigram index on
        the name serves the regular expressions (migration 0009), which needs a word of three
        letters at least: "Ma" alone finds nobody (it would read every customer to find the
        five first in the alphabet; SQLite scans anyway, at its scale, but answers alike)."""
        words = text.split()[:MAX_NAME_WORDS]
        if max(len(word) for word in words) < MIN_NAME_WORD:
            return self.none()
        found = self
        for word in words:
            found = found.filter(name__iregex=NAME_WORD_START + re.escape(word))
        return found

    def with_caller_details(self, *, phone: str, email: str):
        """The customers with this phone number (E.164) or this e-mail address: who a caller
        may be."""
        found = Q(phones__number=phone) if phone else Q()
        if email:
            found |= Q(email=email)
        return self.filter(found).distinct() if found else self.none()


# A word starts at the start of the name or after anything that is no letter or digit ("Maier"
# in "Erika Maier" and "Anne-Maier"); the same in PostgreSQL's and Python's (SQLite's) regexes.
NAME_WORD_START = r"(^|[^\w])"
MAX_NAME_WORDS = 5
NAME_CANDIDATES = 50
MIN_NAME_WORD = 3  # letters, in one of the words at least: a trigram for the index


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    second_email = models.EmailField(_("second e-mail"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True, max_length=ADDRESS_TEXT)
    address_alias = models.CharField(
        _("address alias"),
        max_length=120,
        blank=True,
        help_text=_("A name people use for the place, such as “City Hall”."),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    notes = models.TextField(_("notes"), blank=True, max_length=LONG_TEXT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="customer_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("requests_app:customer_detail", args=[self.pk])

    def recent_requests(self, limit: int = 5) -> list["CustomerRequest"]:
        """Open requests first, then the latest others: what the agent needs on the screen."""
        return list(
            self.requests.select_related("problem_code")
            .annotate(
                done=models.Case(
                    models.When(status__in=["open", "follow_up"], then=0),
                    default=1,
                    output_field=models.IntegerField(),
                )
            )
            .order_by("done", "-started_at")[:limit]
        )


class CustomerPhone(models.Model):
    """Up to three numbers a customer, stored in E.164 and indexed for the caller lookup."""

    MAX_PER_CUSTOMER = 3

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone"), max_length=20)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["number"], name="customer_phone_number")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "number"], name="customer_phone_unique_per_customer"
            )
        ]

    def __str__(self) -> str:
        return display_phone(self.number)


class RequestType(models.TextChoices):
    INFORMATION = "information", _("Information")
    ACTION = "action", _("Action")
    COMMENT = "comment", _("Comment")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    FAX = "fax", _("Fax")
    WALK_IN = "walk_in", _("Walk-in")
    WEB = "web", _("Web")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    FOLLOW_UP = "follow_up", _("Needs follow-up")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class CustomerRequestQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("agent", "customer", "problem_code")

    def kept(self):
        """Without the discarded ones (request_discard): what lists show by default."""
        return self.filter(discarded_at__isnull=True)

    def discarded(self):
        return self.filter(discarded_at__isnull=False)

    def follow_ups_of(self, user):
        """The user's callbacks, overdue first."""
        return (
            self.filter(status=Status.FOLLOW_UP, follow_up_assignee=user)
            .select_related("customer", "problem_code")
            .order_by("follow_up_due")
        )


class CustomerRequest(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    request_type = models.CharField(
        _("Request type"),
        max_length=12,
        choices=RequestType.choices,
        default=RequestType.INFORMATION,
    )
    channel = models.CharField(
        _("Channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="taken_requests",
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Any change to the row, for the reports' day counts (reports.rollup); bulk writes that
    # leave it out (the volume generator's COPY) get the database's clock.
    updated_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True)

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    # The caller's details as given on this contact, whether or not they are a known customer.
    caller_name = models.CharField(_("Name"), max_length=200, blank=True)
    caller_phone = models.CharField(_("Phone"), max_length=20, blank=True)
    caller_email = models.EmailField(_("E-mail"), blank=True)

    problem_code = models.ForeignKey(
        ProblemCode,
        verbose_name=_("Problem code"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("Work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    work_address = models.TextField(_("Work address"), blank=True, max_length=ADDRESS_TEXT)
    # The work address folded as the duplicate check folds it (workorders.addresses), kept by
    # request_save for the request list's search: "Hauptstr. 5" finds "Hauptstraße 5".
    work_address_key = models.CharField(max_length=200, blank=True, editable=False)
    description = models.TextField(_("Description"), blank=True, max_length=LONG_TEXT)
    comment = models.TextField(_("Comment"), blank=True, max_length=LONG_TEXT)
    answer_given = models.TextField(_("Answer given"), blank=True, max_length=LONG_TEXT)

    follow_up_due = models.DateTimeField(
        _("Follow-up due"), null=True, blank=True, validators=[validate_moment]
    )
    follow_up_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Who calls back"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    first_contact_resolution = models.BooleanField(
        _("resolved in the first contact"), default=False
    )
    # When the agent first searched the knowledge base from this request: what the setting
    # "knowledge-base search required" asks for (or an article consulted).
    knowledge_searched_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the agent discarded the request because nothing had been typed (request_discard):
    # it is closed and leaves the lists, but stays counted as a contact.
    discarded_at = models.DateTimeField(_("discarded"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CustomerRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer request")
        verbose_name_plural = _("customer requests")
        ordering = ["-started_at", "-id"]
        permissions = [("reopen_customerrequest", "Can reopen a closed customer request")]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="request_newest"),
            models.Index(fields=["status", "-started_at"], name="request_status_newest"),
            models.Index(fields=["agent", "-started_at"], name="request_agent_newest"),
            models.Index(fields=["customer", "-started_at"], name="request_customer_newest"),
            models.Index(fields=["problem_code", "-started_at"], name="request_code_newest"),
            # The list filtered by status and department (its problem codes), newest first.
            models.Index(
                fields=["status", "problem_code", "-started_at"],
                name="request_status_code_newest",
            ),
            models.Index(fields=["caller_phone"], name="request_caller_phone"),
            models.Index(
                fields=["follow_up_assignee", "follow_up_due"],
                name="request_follow_ups",
                condition=models.Q(status="follow_up"),
            ),
            # The list's "discarded only" view; the few discarded rows alone.
            models.Index(
                fields=["-started_at"],
                name="request_discarded_newest",
                condition=models.Q(discarded_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("requests_app:request_edit", args=[self.pk])

    @property
    def handling_seconds(self) -> int | None:
        if self.finished_at is None:
            return None
        return int((self.finished_at - self.started_at).total_seconds())

    @property
    def handling_time(self) -> str:
        """ "4:05" for four minutes and five seconds; empty while the contact is unfinished."""
        seconds = self.handling_seconds
        return "" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"

    def used_knowledge_base(self) -> bool:
        return self.knowledge_searched_at is not None or self.consulted_articles.exists()

    @property
    def follow_up_overdue(self) -> bool:
        return (
            self.status == Status.FOLLOW_UP
            and self.follow_up_due is not None
            and self.follow_up_due < timezone.now()
        )


class RequestTypeSetting(models.Model):
    """What a request type asks of the agent. A type without a row has the defaults."""

    # Many call centers want a standard answer given: information requests by default.
    SEARCH_REQUIRED_BY_DEFAULT = {RequestType.INFORMATION}

    request_type = models.CharField(
        _("Request type"), max_length=12, choices=RequestType.choices, unique=True
    )
    knowledge_search_required = models.BooleanField(
        _("Knowledge-base search required before resolving"), default=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("request type setting")
        verbose_name_plural = _("request type settings")
        ordering = ["request_type"]

    def __str__(self) -> str:
        return self.get_request_type_display()

    @classmethod
    def for_type(cls, request_type: str) -> "RequestTypeSetting":
        """The type's saved setting, or an unsaved one with the defaults."""
        return cls.objects.filter(request_type=request_type).first() or cls(
            request_type=request_type,
            knowledge_search_required=request_type in cls.SEARCH_REQUIRED_BY_DEFAULT,
        )


class ConsultedArticle(models.Model):
    """A knowledge-base article the agent opened from the request: once per article, at the
    first opening. Also what the knowledge base counts as an article's use."""

    request = models.ForeignKey(
        CustomerRequest, on_delete=models.CASCADE, related_name="consulted_articles"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="consultations"
    )
    consulted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    consulted_at = models.DateTimeField(_("consulted"), default=timezone.now)

    class Meta:
        ordering = ["consulted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "article"], name="consulted_article_once_per_request"
            )
        ]
        indexes = [
            models.Index(fields=["article", "consulted_at"], name="consulted_article_uses"),
            models.Index(fields=["consulted_at"], name="consulted_article_when"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.article_id}"


class RequestChange(FieldChange):
    """One field of a request changed: the request's history."""

    subject_model = CustomerRequest
    request = models.ForeignKey(CustomerRequest, on_delete=models.CASCADE, related_name="changes")

    class Meta(FieldChange.Meta):
        indexes = [models.Index(fields=["request", "-changed_at"], name="request_change_history")]
