from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter.inputs import parse_id, validate_day, without_control_characters
from feedback.models import COMMENT_TEXT, EFFORT, RECOMMEND, SATISFACTION, FeedbackSetting
from hierarchy.models import Department
from requests_app.models import Channel

CHOOSE_LISTED = _("Choose one of the answers shown.")


def scale(label, values: range) -> forms.TypedChoiceField:
    """A question answered on a scale of radio buttons; it may be left out."""
    return forms.TypedChoiceField(
        label=label,
        choices=[(value, str(value)) for value in values],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": CHOOSE_LISTED},
    )


class AnswerForm(forms.Form):
    """The survey: three scales, a comment, and "don't ask me again"."""

    satisfaction = scale(_("How satisfied are you with how we handled your request?"), SATISFACTION)
    effort = scale(_("How easy was it to get your issue handled?"), EFFORT)
    recommend = scale(_("How likely are you to recommend us to a friend or colleague?"), RECOMMEND)
    comment = forms.CharField(
        label=_("Anything you would like to tell us?"),
        required=False,
        max_length=COMMENT_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    opt_out = forms.BooleanField(label=_("Don’t ask me for feedback again"), required=False)

    # What each end of a scale means, shown beside it.
    ENDS = {
        "satisfaction": (_("1: very dissatisfied"), _("5: very satisfied")),
        "effort": (_("1: very difficult"), _("7: very easy")),
        "recommend": (_("0: not at all likely"), _("10: extremely likely")),
    }

    def clean_comment(self) -> str:
        return without_control_characters(self.cleaned_data["comment"])

    def scales(self):
        """Each scale's bound field with the meaning of its ends."""
        return [(self[name], *self.ENDS[name]) for name in self.ENDS]


class FeedbackSettingForm(forms.ModelForm):
    """One request type's channels that ask; the page shows one such form per type."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    channels = forms.MultipleChoiceField(
        label=_("Ask for feedback when a request came by"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = FeedbackSetting
        fields = ["channels"]

    def __init__(self, *args, instance: FeedbackSetting, **kwargs):
        super().__init__(
            *args, instance=instance, auto_id=f"id_{instance.request_type}_%s", **kwargs
        )
        self.fields["version"].initial = instance.version


class DepartmentField(forms.ModelChoiceField):
    """A department by id; an id no row can have is an invalid choice, not a database error."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if parse_id(value) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class CommentFilterForm(forms.Form):
    """Which comments a supervisor reads."""

    first_day = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day],
    )
    last_day = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day],
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=[("", _("Any")), *[(value, str(value)) for value in SATISFACTION]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    department = DepartmentField(
        label=_("Department"), queryset=Department.objects.order_by("name"), required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Any")), *Channel.choices], required=False
    )
    text = forms.CharField(label=_("Comment contains"), required=False, max_length=200)

    def clean_text(self) -> str:
        return without_control_characters(self.cleaned_data["text"]).strip()
