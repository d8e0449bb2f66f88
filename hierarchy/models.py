"""The service catalogue: Department → Service provider → Service category → Problem code."""

import re
from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from callcenter.inputs import LONG_TEXT, without_control_characters

# A problem code's keywords: the words callers use for it ("fridge, refrigerator" for
# appliance pickup), one text per language of the interface, since an agent types in the
# language of the call. The picker, the code lookup and the catalogue CSV use them all.
KEYWORD_FIELDS = {"en": "keywords_en", "de": "keywords_de", "nb": "keywords_nb"}
KEYWORDS_TEXT = 1_000
# A search is at most this many words; each must be found (in the code, the name, the
# category or a keyword).
MATCH_WORDS = 6
_KEYWORD_SEPARATORS = re.compile(r"[,;\n]")


def normalise_keywords(text: str) -> str:
    """Keywords as stored: separated by ", ", each once (in any letter case), spaces collapsed.
    Commas, semicolons and line breaks all separate keywords when typed or imported."""
    keywords: dict[str, str] = {}
    for keyword in _KEYWORD_SEPARATORS.split(text or ""):
        keyword = " ".join(keyword.split())
        if keyword:
            keywords.setdefault(keyword.casefold(), keyword)
    return ", ".join(keywords.values())


class Priority(models.IntegerChoices):
    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")
    LOW = 4, _("Low")


def usable_filter(model: type["CatalogueItem"]) -> models.Q:
    """Active, and every level above active too, as a filter on `model`."""
    condition = models.Q(is_active=True)
    path = ""
    while model.parent_field:
        path += f"{model.parent_field}__"
        condition &= models.Q(**{f"{path}is_active": True})
        model = model._meta.get_field(model.parent_field).related_model
    return condition


def path_to_top(model: type["CatalogueItem"]) -> str:
    """The select_related path to every level above `model` ("" for a department)."""
    fields = []
    while model.parent_field:
        fields.append(model.parent_field)
        model = model._meta.get_field(model.parent_field).related_model
    return "__".join(fields)


class CatalogueQuerySet(models.QuerySet):
    def usable(self):
        """What may be picked: active entries under active levels."""
        return self.filter(usable_filter(self.model))

    def with_ancestors(self):
        path = path_to_top(self.model)
        return self.select_related(path) if path else self

    def in_tree_order(self):
        """Sorted as the tree shows them: by department, then provider, ..., then name."""
        parts = path_to_top(self.model).split("__") if self.model.parent_field else []
        above = ["__".join(parts[:depth]) + "__name" for depth in range(len(parts), 0, -1)]
        return self.order_by(*above, self.model.name_field)


class CatalogueItem(models.Model):
    """What every catalogue entry shares: it is deactivated, never deleted, and edited with care.

    `version` grows with every save so that two administrators editing the same entry cannot
    overwrite each other unseen (see hierarchy.services.catalogue_item_save).
    """

    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    # The foreign key to the level above, if any.
    parent_field: ClassVar[str | None] = None
    # The field a unique constraint's violation is reported on, so the form shows it there.
    unique_field: ClassVar[str] = "name"
    # What the entry is called and sorted by.
    name_field: ClassVar[str] = "name"

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def parent(self) -> "CatalogueItem | None":
        return getattr(self, self.parent_field) if self.parent_field else None

    def path_label(self) -> str:
        """ "Environmental Services › Solid Waste › Household garbage collection"."""
        return " › ".join(str(node) for node in [*self.ancestors(), self])

    def ancestors(self) -> list["CatalogueItem"]:
        """The levels above, top first."""
        chain = []
        node = self.parent
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors: dict[str, list[ValidationError]] = {}
            for field, field_errors in error.error_dict.items():
                for field_error in field_errors:
                    duplicate = field == NON_FIELD_ERRORS and field_error.code == "duplicate"
                    errors.setdefault(self.unique_field if duplicate else field, []).append(
                        field_error
                    )
            raise ValidationError(errors) from error

    @property
    def is_usable(self) -> bool:
        """Active, and so is every level above it: only usable entries can be picked."""
        return self.is_active and all(node.is_active for node in self.ancestors())


class Department(CatalogueItem):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="department_unique_name",
                violation_error_code="duplicate",
                violation_error_message=_("A department with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("hierarchy:item_detail", args=["department", self.pk])


class ServiceProvider(CatalogueItem):
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="providers",
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    parent_field = "department"

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "department",
                Lower("name"),
                name="provider_unique_name_in_department",
                violation_error_code="duplicate",
                violation_error_message=_(
                    "This department already has a service provider with this name."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("hierarchy:item_detail", args=["provider", self.pk])


class ServiceCategory(CatalogueItem):
    provider = models.ForeignKey(
        ServiceProvider,
        verbose_name=_("service provider"),
        on_delete=models.PROTECT,
        related_name="categories",
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT)

    parent_field = "provider"

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "provider",
                Lower("name"),
                name="category_unique_name_in_provider",
                violation_error_code="duplicate",
                violation_error_message=_(
                    "This service provider already has a category with this name."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("hierarchy:item_detail", args=["category", self.pk])


class StandardWorkOrder(CatalogueItem):
    """The template a problem code's work orders are created from."""

    unique_field = "title"
    name_field = "title"

    title = models.CharField(_("title"), max_length=160)
    instructions = models.TextField(_("instructions"), blank=True, max_length=LONG_TEXT)
    trade = models.CharField(_("trade"), max_length=80, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    estimated_effort_hours = models.DecimalField(
        _("estimated effort (hours)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("standard work order")
        verbose_name_plural = _("standard work orders")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                Lower("title"),
                name="standard_work_order_unique_title",
                violation_error_code="duplicate",
                violation_error_message=_("A standard work order with this title already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("hierarchy:item_detail", args=["standard-work-order", self.pk])


class ProblemCodeQuerySet(CatalogueQuerySet):
    def usable(self):
        """Active codes whose category, provider and department are active too."""
        return self.filter(
            is_active=True,
            category__is_active=True,
            category__provider__is_active=True,
            category__provider__department__is_active=True,
        )

    def with_path(self):
        return self.select_related("category__provider__department", "standard_work_order")

    def matching(self, text: str):
        """Codes where every word of the text is in the code, the name, the category or a
        keyword of any language, best match first: the exact code, then codes and names that
        start with the text, names that contain it, keywords that contain it, then the rest.

        Word by word, so that "pot hole" finds "Pothole" and "fridge pickup" finds the code
        whose keyword is "fridge" and whose name has "pickup"."""
        text = " ".join(without_control_characters(text).split())
        words = text.split()[:MATCH_WORDS]
        if not words:
            return self.none()
        found = models.Q()
        for word in words:
            found &= _any_text_contains(word)
        in_keywords = models.Q()
        for field in KEYWORD_FIELDS.values():
            in_keywords |= models.Q(**{f"{field}__icontains": text})
        return (
            self.filter(found)
            .annotate(
                rank=models.Case(
                    models.When(code__iexact=text, then=0),
                    models.When(code__istartswith=text, then=1),
                    models.When(name__istartswith=text, then=2),
                    models.When(name__icontains=text, then=3),
                    models.When(in_keywords, then=4),
                    default=5,
                    output_field=models.IntegerField(),
                )
            )
            .order_by("rank", "code")
        )


def _any_text_contains(word: str) -> models.Q:
    """The code, name or a keyword contains the word (found by their trigram indexes on
    PostgreSQL: one subquery), or the category's name does."""
    own = models.Q(code__icontains=word) | models.Q(name__icontains=word)
    for field in KEYWORD_FIELDS.values():
        own |= models.Q(**{f"{field}__icontains": word})
    return models.Q(pk__in=ProblemCode.objects.filter(own).values("pk")) | models.Q(
        category__in=ServiceCategory.objects.filter(name__icontains=word).values("pk")
    )


CODE_FORMAT = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_-]*$",
    _("Use letters, digits, '-' and '_' only, starting with a letter or digit."),
)


class ProblemCode(CatalogueItem):
    category = models.ForeignKey(
        ServiceCategory,
        verbose_name=_("service category"),
        on_delete=models.PROTECT,
        related_name="problem_codes",
    )
    code = models.CharField(_("code"), max_length=16, validators=[CODE_FORMAT])
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    standard_work_order = models.ForeignKey(
        StandardWorkOrder,
        verbose_name=_("standard work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problem_codes",
    )
    temporary_fix_hours = models.PositiveIntegerField(
        _("temporary fix within (hours)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(24 * 365)],
    )
    permanent_fix_days = models.PositiveIntegerField(
        _("permanent fix within (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
    )
    is_public = models.BooleanField(
        _("public may report it (Open311)"),
        default=False,
    )
    # TextField checks max_length in forms only; the validator holds for services and imports.
    keywords_en = models.TextField(
        _("keywords in English"),
        blank=True,
        max_length=KEYWORDS_TEXT,
        validators=[MaxLengthValidator(KEYWORDS_TEXT)],
    )
    keywords_de = models.TextField(
        _("keywords in German"),
        blank=True,
        max_length=KEYWORDS_TEXT,
        validators=[MaxLengthValidator(KEYWORDS_TEXT)],
    )
    keywords_nb = models.TextField(
        _("keywords in Norwegian Bokmål"),
        blank=True,
        max_length=KEYWORDS_TEXT,
        validators=[MaxLengthValidator(KEYWORDS_TEXT)],
    )

    parent_field = "category"
    unique_field = "code"
    name_field = "code"

    objects = ProblemCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem code")
        verbose_name_plural = _("problem codes")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                Upper("code"),
                name="problem_code_unique_code",
                violation_error_code="duplicate",
                violation_error_message=_("This code is already in use."),
            ),
        ]
        indexes = [
            models.Index(fields=["category", "is_active"], name="problem_code_category_active"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("hierarchy:item_detail", args=["problem-code", self.pk])

    def keywords_by_language(self) -> list[tuple[str, str]]:
        """(language name, keywords) for each language that has keywords, in the order of the
        interface's languages."""
        names = dict(settings.LANGUAGES)
        return [
            (names.get(language, language), getattr(self, field))
            for language, field in KEYWORD_FIELDS.items()
            if getattr(self, field)
        ]

    def promise_dates(self, reported_at: datetime) -> dict[str, datetime | None]:
        """When the caller can expect a temporary and a permanent fix, from the turnarounds."""
        return {
            "temporary": reported_at + timedelta(hours=self.temporary_fix_hours)
            if self.temporary_fix_hours
            else None,
            "permanent": reported_at + timedelta(days=self.permanent_fix_days)
            if self.permanent_fix_days
            else None,
        }
