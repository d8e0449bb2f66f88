"""Background work for work orders, run by the task worker (`manage.py db_worker`), never in
the request a user waits on."""

from django_tasks import task

from callcenter.emails import send_automatic_email


@task()
def notify_caller_work_order_completed(
    *, email: str, language: str, work_order_number: str, title: str, address: str
) -> None:
    """Tell a caller, in their language, that the work they reported is done."""
    send_automatic_email(
        to=email,
        language=language,
        template="workorders/email/completed",
        context={"number": work_order_number, "title": title, "address": address},
    )
