"""Open311 GeoReport v2: the keys apps post with, what a report brought beyond a desk request
(where on the map, the app's own ids, a photo's address, the answers to a service's questions),
and the questions a service asks (its attributes).

The requests themselves are requests_app's CustomerRequest rows, made by the desk's services;
a service is a public ProblemCode (hierarchy)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from callcenter.inputs import ADDRESS_TEXT
from hierarchy.models import ProblemCode
from requests_app.models import CustomerRequest


class ApiKeyQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A key an app posts requests with. Only its SHA-256 digest is kept: the key is shown once,
    when it is made (a random key of 256 bits needs no slow hash; a guess is as unlikely as a
    collision)."""

    name = models.CharField(_("name"), max_length=120)
    # The key's first characters, so that an administrator can tell which key an app has.
    prefix = models.CharField(_("starts with"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Datatype(models.TextChoices):
    """The specification's datatypes of a service's attributes."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One of a list")
    MULTIPLE = "multivaluelist", _("Several of a list")


LIST_DATATYPES = {Datatype.SINGLE, Datatype.MULTIPLE}


class ServiceAttribute(models.Model):
    """A question a service asks the reporter ("Is the light out or flickering?")."""

    problem_code = models.ForeignKey(
        ProblemCode,
        verbose_name=_("problem code"),
        on_delete=models.CASCADE,
        related_name="open311_attributes",
    )
    code = models.CharField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    datatype = models.CharField(_("datatype"), max_length=16, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    description = models.CharField(_("question"), max_length=500)
    datatype_description = models.CharField(_("hint"), max_length=500, blank=True)
    # For the list datatypes: [{"key": "out", "name": "Out"}, ...].
    values = models.JSONField(_("values"), default=list, blank=True)

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["problem_code", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem_code", "code"], name="open311_attribute_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.code

    def value_names(self) -> dict[str, str]:
        return {str(value["key"]): str(value["name"]) for value in self.values}


class WebReport(models.Model):
    """What a request posted through Open311, or sent from the city's web form, brought beyond
    the desk's fields."""

    request = models.OneToOneField(
        CustomerRequest, on_delete=models.CASCADE, related_name="web_report"
    )
    # What a client asks tokens/{token} with; also the secret of the reporter's status page
    # (public): 122 random bits (uuid4), compared in constant time there.
    token = models.CharField(max_length=32, unique=True, editable=False)
    # The app's key; none for a report from the city's own web form (public), which has no
    # app behind it.
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    # Who posted it, for the rate limit per client address.
    client_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address_string = models.TextField(blank=True, max_length=ADDRESS_TEXT)
    # The reporter's own words, as GET requests publishes them: the request's description is
    # the desk's (with the answers, and whatever an agent adds later).
    description = models.TextField(blank=True, max_length=4_000)
    device_id = models.CharField(max_length=200, blank=True)
    account_id = models.CharField(max_length=200, blank=True)
    media_url = models.URLField(max_length=1000, blank=True)
    # The answers to the service's attributes, by attribute code: a text or a list of keys.
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["api_key", "created_at"], name="open311_report_key_recent"),
            models.Index(
                fields=["client_address", "created_at"], name="open311_report_client_recent"
            ),
        ]

    def __str__(self) -> str:
        return self.token

    @property
    def from_public_form(self) -> bool:
        return self.api_key_id is None
