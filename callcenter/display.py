"""Field values as people read them: choices by their label, yes/no for booleans."""

from django import forms
from django.db.models import Model
from django.utils.translation import gettext as _


def display_value(item: Model, field_name: str) -> object:
    field = item._meta.get_field(field_name)
    if field.choices:
        return getattr(item, f"get_{field_name}_display")()
    if field.get_internal_type() == "BooleanField":
        return _("Yes") if getattr(item, field_name) else _("No")
    return getattr(item, field_name)


def display_form_value(form: forms.ModelForm, name: str) -> object:
    value = form.cleaned_data.get(name)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    field = form.fields[name]
    if isinstance(field, forms.TypedChoiceField):
        return dict(field.choices).get(value, value)
    return value
