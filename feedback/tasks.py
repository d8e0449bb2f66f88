"""Background work for feedback, run by the task worker (`manage.py db_worker`): the e-mail
that asks a customer how their request went, in their language."""

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from callcenter.emails import send_automatic_email
from feedback.models import FeedbackInvitation
from feedback.services import feedback_invitation_sent
from feedback.tokens import token_for


@task()
def send_feedback_request(*, invitation_id: int) -> str:
    """Send the survey link to the customer, once (a task run twice sends nothing more)."""
    invitation = (
        FeedbackInvitation.objects.select_related("request").filter(pk=invitation_id).first()
    )
    if invitation is None:
        return "no such invitation"
    if invitation.sent_at is not None:
        return "sent before"
    link = settings.PUBLIC_URL + reverse("feedback:answer", args=[token_for(invitation.pk)])
    context = {
        "number": invitation.request.number,
        "link": link,
        "expires_at": invitation.expires_at,
    }
    send_automatic_email(
        to=invitation.email,
        language=invitation.language,
        template="feedback/email/survey",
        context=context,
    )
    feedback_invitation_sent(invitation_id=invitation.pk)
    return "sent"
