"""Background work for the residents' pages, run by the task worker (`manage.py db_worker`):
the confirmation of a report sent from the web form, in the resident's language."""

from django.conf import settings
from django_tasks import task

from callcenter.emails import send_automatic_email
from open311.models import WebReport
from residents.links import status_url


@task()
def send_report_confirmation(*, web_report_id: int, email: str, language: str) -> str:
    """The request's number and its status page's link, to the address the resident gave."""
    report = WebReport.objects.select_related("request__problem_code").filter(pk=web_report_id)
    report = report.first()
    if report is None:
        return "no such report"
    context = {
        "number": report.request.number,
        "problem": report.request.problem_code.name,
        "address": report.request.work_address,
        "link": settings.PUBLIC_URL + status_url(report.request.number, report.token),
    }
    send_automatic_email(
        to=email, language=language, template="residents/email/confirmation", context=context
    )
    return "sent"
