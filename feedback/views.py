from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from callcenter.access import require
from callcenter.days import local_midnight
from callcenter.pages import render_list
from feedback.access import can_change_feedback_settings, can_read_feedback_comments
from feedback.forms import AnswerForm, CommentFilterForm, FeedbackSettingForm
from feedback.models import FeedbackAnswer, FeedbackInvitation, FeedbackSetting
from feedback.services import AlreadyAnswered, feedback_answer_save, feedback_setting_save
from feedback.tokens import invitation_id_from
from requests_app.views import request_type_settings_page

# The survey -------------------------------------------------------------------------------------


@login_not_required
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The survey a customer opens from the e-mail: no login, in their language, answered once.
    A link that was not made here, or was changed, or has expired, says so kindly."""
    invitation_id = invitation_id_from(token)
    invitation = (
        FeedbackInvitation.objects.filter(pk=invitation_id).first() if invitation_id else None
    )
    if invitation is None:
        return render(request, "feedback/survey_unknown.html", status=404)
    with translation.override(invitation.language):
        return _survey(request, invitation)


def _survey(request: HttpRequest, invitation: FeedbackInvitation) -> HttpResponse:
    if FeedbackAnswer.objects.filter(invitation=invitation).exists():
        return _page(request, "feedback/survey_thanks.html", {"answered_before": True})
    if invitation.expires_at <= timezone.now():
        return _page(request, "feedback/survey_expired.html", status=410)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in ("satisfaction", "effort", "recommend")}
        values["comment"] = form.cleaned_data["comment"]
        try:
            saved = feedback_answer_save(
                invitation=invitation, values=values, opt_out=form.cleaned_data["opt_out"]
            )
        except AlreadyAnswered:
            return _page(request, "feedback/survey_thanks.html", {"answered_before": True})
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _page(
                request,
                "feedback/survey_thanks.html",
                {"answered": saved is not None, "opted_out": form.cleaned_data["opt_out"]},
            )
    return _page(
        request,
        "feedback/survey.html",
        {"form": form, "number": invitation.request.number},
        status=400 if form.errors else 200,
    )


def _page(request, template: str, context: dict | None = None, status: int = 200):
    return render(request, template, context or {}, status=status)


# Settings ---------------------------------------------------------------------------------------


@require(can_change_feedback_settings)
def feedback_settings(request: HttpRequest) -> HttpResponse:
    """Which request types ask their customers for feedback, by channel; one form per type."""
    return request_type_settings_page(
        request,
        form_class=FeedbackSettingForm,
        for_type=FeedbackSetting.for_type,
        save=lambda request_type, data: feedback_setting_save(
            request_type=request_type,
            channels=data["channels"],
            expected_version=data["version"],
            user=request.user,
        ),
        saved=_("The feedback setting for “%(type)s” requests was saved."),
        next_url="feedback:settings",
        template="feedback/feedback_settings.html",
    )


# Comments ---------------------------------------------------------------------------------------


@require(can_read_feedback_comments)
def comment_list(request: HttpRequest) -> HttpResponse:
    """What customers wrote, the latest first, each linked to its request."""
    form = CommentFilterForm(request.GET)
    answers = (
        FeedbackAnswer.objects.exclude(comment="")
        .select_related("invitation__request", "agent", "problem_code")
        .order_by("-answered_at", "-id")
    )
    if form.is_valid():
        answers = answers.filter(_comment_filter(form.cleaned_data))
    return render_list(request, "feedback/comment_list.html", answers, {"filter_form": form})


def _comment_filter(chosen: dict) -> Q:
    found = Q()
    if chosen["first_day"]:
        found &= Q(answered_at__gte=local_midnight(chosen["first_day"]))
    if chosen["last_day"]:
        found &= Q(answered_at__lt=local_midnight(chosen["last_day"] + timedelta(days=1)))
    if chosen["satisfaction"] is not None:
        found &= Q(satisfaction=chosen["satisfaction"])
    if chosen["department"] is not None:
        found &= Q(problem_code__category__provider__department=chosen["department"])
    if chosen["channel"]:
        found &= Q(channel=chosen["channel"])
    if chosen["text"]:
        found &= Q(comment__icontains=chosen["text"])
    return found
