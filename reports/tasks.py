"""Background work for the reports, run by the task worker (`manage.py db_worker`), never in the
request a user waits on: counting the days whose requests or feedback changed (reports.services)."""

from django.db import transaction
from django_tasks import TaskContext, task

from reports.services import report_days_refresh


@task(takes_context=True)
def count_changed_days(context: TaskContext) -> int | None:
    """Count again the days whose requests or feedback changed. Asked for once a change has
    committed, so a count that began after this task was queued has counted the change
    already (and this one returns at once). The web servers' and the worker's clocks are the
    same machine's, or kept in step (NTP): a task is compared with a count by their times."""
    return report_days_refresh(changed_before=context.task_result.enqueued_at)


def refresh_after_commit(**kwargs) -> None:
    """The receiver of requests_app's requests_changed and feedback's feedback_changed
    (connected in ReportsConfig.ready): once the transaction that changed requests or feedback
    commits, queue a count. Not before: the worker would look before the change is there, and
    a change rolled back needs no count. Robust: a failed enqueue is logged, not raised at a
    user whose save has committed; the next change's count finds this one's days too (by
    reports.rollup.CHANGES)."""
    transaction.on_commit(count_changed_days.enqueue, robust=True)
