from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from callcenter.inputs import IdsField
from knowledgebase.models import Article, ArticleKind, Topic


class PhoneNumbersField(forms.CharField):
    """One "Label: number" a line, stored as [{"label": ..., "number": ...}]."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{entry['label']}: {entry['number']}" for entry in value)
        return value

    def to_python(self, value) -> list[dict]:
        entries = []
        for number, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            label, colon, phone = line.partition(":")
            if not colon or not label.strip() or not phone.strip():
                raise ValidationError(
                    _("Line %(line)s: write “Label: number”, for example “Recycling centre: 115”.")
                    % {"line": number}
                )
            entries.append({"label": label.strip(), "number": phone.strip()})
        return entries


class ArticleForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    external_url = forms.URLField(
        label=_("Link"), required=False, assume_scheme="https", max_length=200
    )
    phone_numbers = PhoneNumbersField(
        label=_("Phone numbers"),
        required=False,
        help_text=_("One a line: “Label: number”."),
    )

    class Meta:
        model = Article
        fields = [
            "kind",
            "title",
            "summary",
            "language",
            "keywords",
            "body",
            "phone_numbers",
            "external_url",
            "link_target",
            "topics",
            "categories",
            "problem_codes",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "keywords": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 12}),
            "topics": forms.SelectMultiple(attrs={"size": 6}),
            "categories": forms.SelectMultiple(attrs={"size": 6}),
            "problem_codes": forms.SelectMultiple(attrs={"size": 8}),
        }
        field_classes = {"topics": IdsField, "categories": IdsField, "problem_codes": IdsField}

    RELATIONS = ("topics", "categories", "problem_codes")
    # The fields only some kinds use; the form shows them for the chosen kind alone.
    KIND_FIELDS = {
        "body": [ArticleKind.SCRIPT, ArticleKind.PHONE_NUMBERS, ArticleKind.EXTERNAL_LINK],
        "phone_numbers": [ArticleKind.PHONE_NUMBERS],
        "external_url": [ArticleKind.EXTERNAL_LINK],
        "link_target": [ArticleKind.ARTICLE_LINK],
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["link_target"].queryset = (
            Article.objects.published().exclude(pk=self.instance.pk).order_by("title")
        )
        self.fields["topics"].queryset = Topic.objects.select_related("parent")
        self.fields["problem_codes"].queryset = self.fields["problem_codes"].queryset.usable()
        self.fields["categories"].queryset = self.fields["categories"].queryset.usable()

    def laid_out(self) -> list[dict]:
        """Each visible field, with the kinds it is for (empty: every kind) and whether the
        chosen kind hides it."""
        kind = self["kind"].value()
        return [
            {
                "field": field,
                "kinds": " ".join(self.KIND_FIELDS.get(field.name, [])),
                "hidden": field.name in self.KIND_FIELDS
                and kind not in self.KIND_FIELDS[field.name],
            }
            for field in self.visible_fields()
        ]

    def values(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields
            if name not in self.RELATIONS
        }

    def relations(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.RELATIONS}


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name", "parent"]
