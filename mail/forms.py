from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter.inputs import CONTROL_CHARACTERS, parse_id
from mail.models import Mailbox
from mail.services import MAILBOX_FIELDS, REPLY_SUBJECT, REPLY_TEXT

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


class ReplyForm(forms.Form):
    """An agent's e-mail to the customer from the request page. An article chosen in `article`
    is inserted into the message (by the page's script, or without JavaScript by the Insert
    button, which posts the form back with it appended)."""

    to = forms.EmailField(
        label=_("To"),
        max_length=254,
        error_messages={"invalid": _("Enter one e-mail address, such as name@example.org.")},
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=REPLY_SUBJECT,
        required=False,
        help_text=_(
            "The request's number in brackets stays in it (added if missing): the answer finds "
            "the request by it."
        ),
    )
    text = forms.CharField(
        label=_("Message"),
        max_length=REPLY_TEXT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Write the message.")},
    )
    article = forms.TypedChoiceField(
        label=_("Knowledge-base article"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, articles=(), **kwargs):
        # Ids of their own: the request form on the same page has fields of its own.
        kwargs.setdefault("auto_id", "id_reply_%s")
        super().__init__(*args, **kwargs)
        self.articles = {article.pk: article for article in articles}
        self.fields["article"].choices = [("", _("Choose an article…"))] + [
            (article.pk, article.title) for article in articles
        ]

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"]
        if CONTROL_CHARACTERS.search(subject) or "\r" in subject or "\n" in subject:
            raise forms.ValidationError(_("Use letters, digits, spaces and punctuation only."))
        return subject

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(_("Write the message."))
        if CONTROL_CHARACTERS.search(text):
            raise forms.ValidationError(_("The message holds characters that cannot be sent."))
        return text

    def chosen_article(self):
        """The article the agent chose to insert, or None (also for one not offered)."""
        value = self.data.get(self.add_prefix("article"), "")
        pk = parse_id(value)
        return self.articles.get(pk) if pk else None
