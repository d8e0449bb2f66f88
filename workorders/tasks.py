"""Background work for work orders, run by the task worker (`manage.py db_worker`), never in
the request a user waits on."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


@task()
def notify_caller_work_order_completed(
    *, email: str, language: str, work_order_number: str, title: str, address: str
) -> None:
    """Tell a caller, in their language, that the work they reported is done."""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    context = {"number": work_order_number, "title": title, "address": address}
    with translation.override(language):
        # Plain text, as the templates say (autoescape off): a title with quotes or "&" reads
        # as typed. One line, for a header may not break.
        subject = " ".join(
            render_to_string("workorders/email/completed_subject.txt", context).split()
        )
        body = render_to_string("workorders/email/completed.txt", context)
    send_mail(subject, body, None, [email])
