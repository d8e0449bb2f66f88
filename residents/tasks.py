"""Background work for the residents' pages, run by the task worker (`manage.py db_worker`):
the confirmation of a report sent from the web form, in the resident's language."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from open311.models import WebReport
from residents.links import status_url


@task()
def send_report_confirmation(*, web_report_id: int, email: str, language: str) -> str:
    """The request's number and its status page's link, to the address the resident gave."""
    report = WebReport.objects.select_related("request__problem_code").filter(pk=web_report_id)
    report = report.first()
    if report is None:
        return "no such report"
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    context = {
        "number": report.request.number,
        "problem": report.request.problem_code.name,
        "address": report.request.work_address,
        "link": settings.PUBLIC_URL + status_url(report.request.number, report.token),
    }
    with translation.override(language):
        # Plain text (the templates turn autoescape off); the subject on one line.
        subject = " ".join(
            render_to_string("residents/email/confirmation_subject.txt", context).split()
        )
        body = render_to_string("residents/email/confirmation.txt", context)
    # An automatic answer (RFC 3834): mail systems send no out-of-office replies to it.
    message = EmailMessage(subject, body, to=[email], headers={"Auto-Submitted": "auto-generated"})
    message.send()
    return "sent"
