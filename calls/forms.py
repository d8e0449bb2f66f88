from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from callcenter.inputs import LONG_TEXT
from calls.access import can_take_calls
from calls.models import Queue, Trunk


class CallbackDoneForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class QueueForm(forms.ModelForm):
    class Meta:
        model = Queue
        fields = [
            "name",
            "number",
            "department",
            "ring_seconds",
            "wrap_up_seconds",
            "max_wait_seconds",
            "record",
            "consent_announcement",
            "language",
            "recording_days",
            "fallback",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = Queue.objects.all()
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["fallback"].queryset = others


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Agent (username)"), max_length=150)
    skill = forms.IntegerField(label=_("Skill level"), min_value=1, max_value=5, initial=3)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not can_take_calls(user):
            raise forms.ValidationError(_("No active user who takes calls has this username."))
        return user


class PauseReasonForm(forms.Form):
    name = forms.CharField(label=_("New pause reason"), max_length=80)


class TrunkForm(forms.ModelForm):
    """A trunk; its SIP password is typed, never shown, and kept only as its digest hash."""

    password = forms.CharField(
        label=_("SIP password"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current one."),
    )

    class Meta:
        model = Trunk
        fields = ["name", "source_addresses", "sip_username", "active", "debug_only"]
        widgets = {"source_addresses": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        has_password = bool(cleaned.get("password")) or bool(self.instance.sip_password_ha1)
        if cleaned.get("sip_username") and not has_password:
            self.add_error("password", _("A SIP username needs a password."))
        if not cleaned.get("sip_username") and not (cleaned.get("source_addresses") or "").strip():
            self.add_error(
                "source_addresses", _("Give the addresses calls come from, or SIP credentials.")
            )
        return cleaned
