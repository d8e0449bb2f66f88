from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hierarchy.models import (
    KEYWORD_FIELDS,
    CatalogueItem,
    Department,
    ProblemCode,
    ServiceCategory,
    ServiceProvider,
    StandardWorkOrder,
)
from hierarchy.widgets import ProblemCodePicker


class PathChoiceField(forms.ModelChoiceField):
    """A parent choice shown with its whole path, so two "Billing" categories are told apart."""

    def label_from_instance(self, obj: CatalogueItem) -> str:
        label = obj.path_label()
        return label if obj.is_active else _("%(label)s (inactive)") % {"label": label}


class CatalogueItemForm(forms.ModelForm):
    """Every catalogue form: parents to choose from are the usable ones (plus the current one),
    and the version the form was opened at travels with it (see callcenter.concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        parent_field = self._meta.model.parent_field
        if parent_field:
            self._offer_usable(parent_field)

    def _offer_usable(self, field_name: str) -> None:
        field = self.fields[field_name]
        model = field.queryset.model
        current = getattr(self.instance, f"{field_name}_id", None)
        field.queryset = (
            model.objects.with_ancestors()
            .filter(Q(pk__in=model.objects.usable()) | Q(pk=current))
            .in_tree_order()
        )

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class DepartmentForm(CatalogueItemForm):
    class Meta:
        model = Department
        fields = ["name", "description"]


class ServiceProviderForm(CatalogueItemForm):
    department = PathChoiceField(queryset=Department.objects.all(), label=_("Department"))

    class Meta:
        model = ServiceProvider
        fields = ["department", "name", "phone", "email", "description"]


class ServiceCategoryForm(CatalogueItemForm):
    provider = PathChoiceField(queryset=ServiceProvider.objects.all(), label=_("Service provider"))

    class Meta:
        model = ServiceCategory
        fields = ["provider", "name", "description"]


class ProblemCodeForm(CatalogueItemForm):
    category = PathChoiceField(queryset=ServiceCategory.objects.all(), label=_("Service category"))

    class Meta:
        model = ProblemCode
        fields = [
            "category",
            "code",
            "name",
            "description",
            *KEYWORD_FIELDS.values(),
            "priority",
            "standard_work_order",
            "temporary_fix_hours",
            "permanent_fix_days",
            "is_public",
        ]
        widgets = {
            "code": forms.TextInput(attrs={"class": "code-input", "maxlength": 16}),
            **{field: forms.Textarea(attrs={"rows": 2}) for field in KEYWORD_FIELDS.values()},
        }
        help_texts = {
            "code": _("Short and unique, such as APPL. Letters are stored in capitals."),
            # Once, on the first language's keywords: the other two boxes are read in its light.
            KEYWORD_FIELDS["en"]: _(
                "Words callers use for this problem, separated by commas, in each language: "
                "the problem-code search finds the code by them."
            ),
            "temporary_fix_hours": _("Leave empty when there is no temporary fix."),
            "permanent_fix_days": _("The promise date told to the caller is counted from this."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.standard_work_order_id
        self.fields["standard_work_order"].queryset = StandardWorkOrder.objects.filter(
            Q(is_active=True) | Q(pk=current)
        )

    def clean_code(self) -> str:
        # Normalised before the model's format check and uniqueness check see it.
        return self.cleaned_data["code"].strip().upper()


class StandardWorkOrderForm(CatalogueItemForm):
    class Meta:
        model = StandardWorkOrder
        fields = ["title", "trade", "priority", "estimated_effort_hours", "instructions"]


class ProblemCodeLookupForm(forms.Form):
    problem_code = forms.ModelChoiceField(
        label=_("Problem code"),
        queryset=ProblemCode.objects.usable().with_path(),
        widget=ProblemCodePicker,
    )


class CatalogueImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One row per problem code, with the columns of the export. Saved as UTF-8 "
            "(in Excel: “CSV UTF-8”); commas or semicolons."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
