from django import forms
from django.utils.translation import gettext_lazy as _

from mail.models import Mailbox
from mail.services import MAILBOX_FIELDS

VARIABLE_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class MailboxForm(forms.ModelForm):
    """A mailbox; its IMAP password is never typed here, only the name of the environment
    variable that holds it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    password_variable = forms.RegexField(
        label=_("password variable"),
        regex=VARIABLE_NAME,
        required=False,
        max_length=100,
        help_text=_("The name of the environment variable that holds the IMAP password."),
        error_messages={
            "invalid": _("Letters, digits and underscores, not starting with a digit.")
        },
    )

    class Meta:
        model = Mailbox
        fields = MAILBOX_FIELDS
        widgets = {"fax_senders": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_address(self) -> str:
        return self.cleaned_data["address"].strip().lower()

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in MAILBOX_FIELDS}
