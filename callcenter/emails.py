"""E-mail the application sends on its own: a feedback survey, a web report's confirmation, a
completed work order's notice. One shape for all: plain text from two templates (the subject on
one line), in the recipient's language, marked as automatic."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def send_automatic_email(*, to: str, language: str, template: str, context: dict) -> None:
    """Send `template`_subject.txt and `template`.txt (plain text: their autoescape is off) to
    one address, in `language` (the default language for one not offered). Marked
    `Auto-Submitted: auto-generated` (RFC 3834): mail systems send no out-of-office replies to
    it, and our own e-mail intake never answers it."""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    headers = {"Auto-Submitted": "auto-generated", "Content-Language": language}
    EmailMessage(subject, body, to=[to], headers=headers).send()
