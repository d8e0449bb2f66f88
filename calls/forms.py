from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter.inputs import LONG_TEXT


class CallbackDoneForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
