"""Feedback in a request's and a customer's timeline (registered with requests_app.timeline in
FeedbackConfig.ready()): when the customer was asked by e-mail, and, for those who may read
what customers wrote (feedback.access), their answer."""

from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _

from feedback.access import can_read_feedback_comments
from feedback.models import FeedbackAnswer, FeedbackInvitation
from requests_app.models import Channel
from requests_app.timeline import Entry, Scope, Who, not_after


def feedback_entries(http_request: HttpRequest, scope: Scope) -> list[Entry]:
    invitations = not_after(
        FeedbackInvitation.objects.filter(request__in=scope.requests), scope, "asked_at"
    ).order_by("-asked_at", "-id")[: scope.limit]
    asked = get_template("feedback/invitation_entry.html")
    entries = [
        Entry(
            when=invitation.asked_at,
            channel=Channel.EMAIL,
            kind=_("Feedback asked"),
            who=_("Feedback survey"),
            who_is=Who.SYSTEM,
            body=asked.render({"invitation": invitation}, http_request),
            anchor=f"feedback-asked-{invitation.pk}",
            request_ids=(invitation.request_id,),
        )
        for invitation in invitations
    ]
    if not can_read_feedback_comments(http_request.user):
        return entries
    answers = (
        not_after(
            FeedbackAnswer.objects.filter(invitation__request__in=scope.requests),
            scope,
            "answered_at",
        )
        .select_related("invitation__customer")
        .order_by("-answered_at", "-id")[: scope.limit]
    )
    answered = get_template("feedback/answer_entry.html")
    entries += [
        Entry(
            when=answer.answered_at,
            channel=Channel.WEB,
            kind=_("Feedback answered"),
            who=answer.invitation.customer.name,
            who_is=Who.CUSTOMER,
            body=answered.render({"answer": answer}, http_request),
            anchor=f"feedback-answer-{answer.pk}",
            request_ids=(answer.invitation.request_id,),
        )
        for answer in answers
    ]
    return entries
