from django import forms
from django.utils.translation import gettext_lazy as _

from reports.figures import BREAKDOWNS, GRAINS
from reports.periods import PeriodForm


class VolumeForm(PeriodForm):
    grain = forms.ChoiceField(label=_("Per"), choices=GRAINS.items(), initial="day")
    by = forms.ChoiceField(
        label=_("Broken down by"),
        choices=[(key, label) for key, (label, _dimension) in BREAKDOWNS.items()],
        initial="type",
    )

    def option(self, name: str) -> str:
        if self.is_valid():
            return self.cleaned_data[name]
        return self.fields[name].initial


class HandlingForm(PeriodForm):
    """Handling time has no options beyond the period."""
