from django import forms
from django.utils.translation import gettext_lazy as _

from reports.figures import BREAKDOWNS, GRAINS
from reports.periods import PeriodForm
from reports.satisfaction import TREND_GRAINS


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


FEEDBACK_BY = {
    "department": _("Department"),
    "problem_code": _("Problem code"),
    "agent": _("Agent"),
    "channel": _("Channel"),
    "type": _("Request type"),
}


class FeedbackForm(PeriodForm):
    by = forms.ChoiceField(
        label=_("Broken down by"), choices=FEEDBACK_BY.items(), initial="department"
    )
    grain = forms.ChoiceField(label=_("Trend per"), choices=TREND_GRAINS.items(), initial="week")

    def option(self, name: str) -> str:
        if self.is_valid():
            return self.cleaned_data[name]
        return self.fields[name].initial
