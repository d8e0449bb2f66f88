"""Field values as people read them: choices by their label, yes/no for booleans."""

from datetime import datetime

from django import forms
from django.db.models import DateTimeField, Model
from django.utils import timezone
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


def display_recorded(model: type[Model], field_name: str, value: str) -> object:
    """A value a history recorded as text, as people read it: choices by their label, times in
    the local zone, the rest as recorded."""
    field = model._meta.get_field(field_name)
    if field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        return labels.get(value, value)
    if isinstance(field, DateTimeField) and value:
        return timezone.localtime(datetime.fromisoformat(value))
    return value
