"""Feedback's verbs: decide whether to ask a customer once their request is finished, note the
e-mail sent, keep an answer (the first), and change which requests ask."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.concurrency import lock_for_edit
from feedback.models import (
    ANSWER_WITHIN_DAYS,
    ASK_AGAIN_AFTER_DAYS,
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackOptOut,
    FeedbackSetting,
)
from feedback.signals import feedback_changed
from requests_app.models import Channel, Customer, CustomerRequest


class AlreadyAnswered(Exception):
    """The survey was answered before: the first answer stays."""


# No savepoint of its own: it runs inside the finishing transaction, whose failure is its own.
@transaction.atomic(savepoint=False)
def feedback_ask(*, requests: list[CustomerRequest]) -> list[FeedbackInvitation]:
    """Requests were finished (requests_app.services calls this, registered in feedback.apps,
    inside the finishing transaction): ask each one's customer for feedback by e-mail if its
    type and channel ask for it, the customer has an e-mail address, has not said no, and was
    not asked in the last 30 days. The task worker sends the e-mail, in the customer's language,
    once the transaction commits. The invitations made (one query when no type asks)."""
    asking = {setting.request_type: setting for setting in FeedbackSetting.objects.all()}
    invitations = []
    for request in requests:
        setting = asking.get(request.request_type)
        if setting is None or not setting.asks(request.channel):
            continue
        invitation = _ask(request)
        if invitation is not None:
            invitations.append(invitation)
    return invitations


def _ask(request: CustomerRequest) -> FeedbackInvitation | None:
    if request.customer_id is None or request.discarded_at is not None:
        return None
    # The customer's row lock: of two of their requests finished at once, one asks.
    customer = Customer.objects.select_for_update().get(pk=request.customer_id)
    email = (request.caller_email or customer.email).strip().lower()
    if not email or not _may_ask(customer, request):
        return None
    now = timezone.now()
    invitation = FeedbackInvitation.objects.create(
        request=request,
        customer=customer,
        email=email,
        language=_language(customer.preferred_language),
        request_type=request.request_type,
        channel=request.channel,
        agent_id=request.agent_id,
        problem_code_id=request.problem_code_id,
        asked_at=now,
        expires_at=now + timedelta(days=ANSWER_WITHIN_DAYS),
    )
    # Imported here: the task module imports this one (for feedback_invitation_sent).
    from feedback.tasks import send_feedback_request

    # Stored in the same database transaction (django_tasks_db): asked and queued together.
    send_feedback_request.enqueue(invitation_id=invitation.pk)
    return invitation


def _may_ask(customer: Customer, request: CustomerRequest) -> bool:
    if FeedbackOptOut.objects.filter(customer=customer).exists():
        return False
    if FeedbackInvitation.objects.filter(request=request).exists():
        return False  # finished, reopened and finished again: asked the first time
    since = timezone.now() - timedelta(days=ASK_AGAIN_AFTER_DAYS)
    return not FeedbackInvitation.objects.filter(customer=customer, asked_at__gt=since).exists()


def _language(code: str) -> str:
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@transaction.atomic
def feedback_invitation_sent(*, invitation_id: int) -> None:
    """The e-mail went out: the response rate counts the invitation from now on."""
    sent = FeedbackInvitation.objects.filter(pk=invitation_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if sent:
        feedback_changed.send(sender=FeedbackInvitation)


SCALES = ["satisfaction", "effort", "recommend"]


@transaction.atomic
def feedback_answer_save(
    *, invitation: FeedbackInvitation, values: dict[str, Any], opt_out: bool
) -> FeedbackAnswer | None:
    """Keep the customer's answer, and their "don't ask me again". The first answer stays:
    AlreadyAnswered for a second one (the invitation's row lock, and its one-to-one answer in
    the database, decide between two at once). ValidationError, naming the field, for an
    expired link or an answer that says nothing. None when the customer only said no."""
    current = FeedbackInvitation.objects.select_for_update().get(pk=invitation.pk)
    if FeedbackAnswer.objects.filter(invitation=current).exists():
        raise AlreadyAnswered
    now = timezone.now()
    if current.expires_at <= now:
        raise ValidationError(_("This survey link has expired."))
    if opt_out:
        FeedbackOptOut.objects.get_or_create(
            customer_id=current.customer_id, defaults={"created_at": now}
        )
    said_something = (
        any(values.get(name) is not None for name in SCALES) or values.get("comment", "").strip()
    )
    if not said_something:
        if opt_out:
            return None
        raise ValidationError(
            {"satisfaction": _("Choose an answer to at least one question, or write a comment.")}
        )
    answer = FeedbackAnswer(
        invitation=current,
        satisfaction=values.get("satisfaction"),
        effort=values.get("effort"),
        recommend=values.get("recommend"),
        comment=values.get("comment", "").strip(),
        answered_at=now,
        asked_at=current.asked_at,
        request_type=current.request_type,
        channel=current.channel,
        agent_id=current.agent_id,
        problem_code_id=current.problem_code_id,
    )
    answer.full_clean(exclude=["invitation"])
    answer.save()
    feedback_changed.send(sender=FeedbackAnswer)
    return answer


@transaction.atomic
def feedback_setting_save(
    *,
    request_type: str,
    channels: list[str],
    expected_version: int | None,
    user: AbstractBaseUser,
) -> FeedbackSetting:
    """Through which channels a request type's customers are asked; EditConflict if someone
    changed it since the form was opened."""
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise ValidationError({"channels": _("Choose channels from the list.")})
    saved, _created = FeedbackSetting.objects.get_or_create(
        request_type=request_type, defaults={"channels": []}
    )
    current = lock_for_edit(FeedbackSetting, saved.pk, expected_version)
    current.channels = [channel for channel in Channel.values if channel in channels]
    current.updated_by = user
    current.version += 1
    current.save()
    return current
