"""Filters for showing e-mail: the HTML only sanitised, a refused attachment's reason in words."""

from django import template

from mail.attachments import Refusal
from mail.html import sanitised_html as sanitise

register = template.Library()


@register.filter
def sanitised_html(html: str):
    return sanitise(html or "")


@register.filter
def refusal_label(reason: str) -> str:
    return str(Refusal.LABELS.get(reason, reason))
