"""Calls: the phone system's questions and events, the browser phone's credentials, the agents'
availability."""

import hmac
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from callcenter.access import require
from callcenter.errors import declared_length
from callcenter.htmx import render_page
from callcenter.inputs import CONTROL_CHARACTERS, parse_id
from callcenter.pages import render_list
from calls import recordings
from calls.access import (
    can_answer_call,
    can_configure_calls,
    can_hear_recording,
    can_keep_pause_reasons,
    can_keep_trunks,
    can_move_agents,
    can_see_queues,
    can_take_calls,
    can_view_calls,
    can_work_callbacks,
    hears_recordings,
    visible_callbacks,
    visible_calls,
)
from calls.availability import availability_of
from calls.filters import CallFilter
from calls.forms import CallbackDoneForm, MemberForm, PauseReasonForm, QueueForm, TrunkForm
from calls.models import (
    Call,
    Callback,
    CallRecording,
    PauseReason,
    Queue,
    RecordingUse,
    State,
    Trunk,
)
from calls.services import (
    agent_state_set,
    agent_wrap_up_extend,
    call_caller_number,
    call_event_record,
    call_recording_days,
    call_request_start,
    call_route,
    call_voicemail_save,
    callback_done,
    pause_reason_save,
    queue_member_remove,
    queue_member_set,
    queue_save,
    recording_access_record,
    trunk_save,
)
from calls.sip import sip_credentials
from calls.wire import (
    EVENT_MAX_BYTES,
    VOICEMAIL_MAX_BYTES,
    BadInput,
    event_fields,
    route_question,
    voicemail,
)
from requests_app.access import can_take_requests
from requests_app.models import Customer

logger = logging.getLogger(__name__)


def _from_phone_system(request: HttpRequest) -> bool:
    sent = request.headers.get("X-Phone-Secret", "")
    return hmac.compare_digest(sent.encode("utf-8", "replace"), settings.PHONE_SECRET.encode())


def _refused() -> JsonResponse:
    return JsonResponse({"error": "X-Phone-Secret is missing or wrong"}, status=403)


def _bad(problem: BadInput) -> JsonResponse:
    return JsonResponse(problem.as_json(), status=400)


@csrf_exempt
@login_not_required
@require_GET
def phone_route(request: HttpRequest) -> JsonResponse:
    """Kamailio and the media service ask where a call goes now."""
    if not _from_phone_system(request):
        return _refused()
    try:
        question = route_question(request.GET)
    except BadInput as problem:
        return _bad(problem)
    answer = call_route(
        call_id=question.call_id,
        from_number=question.from_number,
        to_number=question.to_number,
        source=question.source,
        attempt=question.attempt,
        authenticated=question.authenticated,
        announced=question.announced,
    )
    return JsonResponse(answer)


@csrf_exempt
@login_not_required
@require_POST
def phone_voicemail(request: HttpRequest) -> HttpResponse:
    """The media service hands over the message a caller left (a WAV file as the body)."""
    if not _from_phone_system(request):
        return _refused()
    if declared_length(request) > VOICEMAIL_MAX_BYTES:
        return JsonResponse({"error": "body: too large", "parameter": "body"}, status=413)
    try:
        message = voicemail(request.GET)
        call_voicemail_save(call_id=message.call_id, audio=request.body, at=message.at)
    except BadInput as problem:
        return _bad(problem)
    except ValidationError as problem:
        parameter = next(iter(getattr(problem, "error_dict", {})), "body")
        return JsonResponse(
            {"error": f"{parameter}: {' '.join(problem.messages)}", "parameter": parameter},
            status=400,
        )
    return HttpResponse(status=204)


@csrf_exempt
@login_not_required
@require_POST
def phone_events(request: HttpRequest) -> HttpResponse:
    """Kamailio and the media service report what happened to a call."""
    if not _from_phone_system(request):
        return _refused()
    if declared_length(request) > EVENT_MAX_BYTES:
        return JsonResponse({"error": "body: too large", "parameter": "body"}, status=413)
    try:
        fields = event_fields(request.body)
        call_event_record(**fields)
    except BadInput as problem:
        return _bad(problem)
    except ValidationError as problem:
        parameter = next(iter(getattr(problem, "error_dict", {})), "body")
        return JsonResponse(
            {"error": f"{parameter}: {' '.join(problem.messages)}", "parameter": parameter},
            status=400,
        )
    return HttpResponse(status=204)


@require(can_take_calls)
@require_GET
def credentials(request: HttpRequest) -> JsonResponse:
    """The browser phone's SIP credentials for the signed-in agent, valid for some hours."""
    response = JsonResponse(sip_credentials(request.user.get_username()))
    response["Cache-Control"] = "no-store"
    return response


# The agent's availability ------------------------------------------------------------------


@require(can_take_calls)
def availability_set(request: HttpRequest) -> HttpResponse:
    """The header's availability control: a click on Available, a pause reason or Offline.
    Over HTMX the control answers with itself; without, the page it was on comes back."""
    error = ""
    if request.method == "POST":
        try:
            _change_availability(request.user, request.POST)
        except ValidationError as problem:
            error = " ".join(problem.messages)
    if request.htmx or request.method != "POST":
        return render(
            request,
            "calls/availability.html",
            {
                "availability": availability_of(request.user),
                "availability_error": error,
                "availability_next": request.htmx.current_url_abs_path if request.htmx else "",
                "availability_oob": True,
            },
        )
    if error:
        messages.error(request, error)
    next_url = request.POST.get("next", "")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    return HttpResponseRedirect(next_url)


def _change_availability(user, data) -> None:
    """One click in the availability menu: more wrap-up, a pause with its reason, Available or
    Offline."""
    if data.get("extend") is not None:
        seconds = parse_id(data.get("extend"))
        if seconds is None:
            raise ValidationError(_("Give between 1 and 3600 seconds."))
        agent_wrap_up_extend(user=user, seconds=seconds)
        return
    state, reason = _chosen_availability(data)
    agent_state_set(user=user, state=state, reason=reason)


def _chosen_availability(data) -> tuple[str, PauseReason | None]:
    if data.get("pause") is not None:
        pk = parse_id(data.get("pause"))
        reason = (
            PauseReason.objects.filter(pk=pk, active=True, system_key="").first() if pk else None
        )
        if reason is None:
            raise ValidationError(_("Choose one of the pause reasons."))
        return State.PAUSED, reason
    state = data.get("state")
    if state not in (State.AVAILABLE, State.OFFLINE):
        raise ValidationError(_("Choose Available, a pause reason or Offline."))
    return state, None


# Call records and callbacks -----------------------------------------------------------------


@require(can_view_calls)
def call_list(request: HttpRequest) -> HttpResponse:
    rows = visible_calls(request.user, Call.objects.for_list().prefetch_related("requests"))
    calls = CallFilter(request.GET or None, queryset=rows)
    context = {"filter": calls, "hears_recordings": hears_recordings(request.user)}
    return render_list(request, "calls/call_list.html", calls.qs, context)


@require(can_work_callbacks)
def callback_list(request: HttpRequest) -> HttpResponse:
    """The callers nobody answered, oldest first, until someone calls them back."""
    rows = visible_callbacks(request.user, Callback.objects.open().select_related("queue"))
    return render_list(
        request, "calls/callback_list.html", rows.distinct(), {"form": CallbackDoneForm()}
    )


@require(can_work_callbacks)
@require_POST
def callback_mark_done(request: HttpRequest, pk: int) -> HttpResponse:
    callback = get_object_or_404(
        visible_callbacks(request.user, Callback.objects).distinct(), pk=pk
    )
    form = CallbackDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("note", [])))
    else:
        try:
            callback_done(callback=callback, user=request.user, note=form.cleaned_data["note"])
            messages.success(
                request, _("The callback to %(number)s is done.") % {"number": callback.number}
            )
        except ValidationError as problem:
            messages.error(request, " ".join(problem.messages))
    return HttpResponseRedirect(reverse("calls:callback_list"))


# The caller on screen --------------------------------------------------------------------------


def _answerable_call(request: HttpRequest, call_id) -> Call:
    """The call the agent's phone rings for or that they took; 404 for any other (or a Call-ID
    no call has)."""
    if not isinstance(call_id, str) or not call_id.strip() or len(call_id) > 255:
        raise Http404
    if CONTROL_CHARACTERS.search(call_id):
        raise Http404
    call = Call.objects.select_related("queue").filter(call_id=call_id.strip()).first()
    if call is None or not can_answer_call(request.user, call):
        raise Http404
    return call


@require(can_take_calls)
@require(can_take_requests)
@require_GET
def call_pop(request: HttpRequest) -> HttpResponse:
    """While the phone rings: the number, the queue, and the customers with that number with
    their requests, open ones first (for the softphone to show; a page of its own too)."""
    call = _answerable_call(request, request.GET.get("call_id"))
    number = call_caller_number(call)
    customers = (
        Customer.objects.with_caller_details(phone=number, email="").prefetch_related("phones")[:5]
        if number
        else []
    )
    matches = [(customer, customer.recent_requests()) for customer in customers]
    return render_page(
        request, "calls/call_pop.html", {"call": call, "number": number, "matches": matches}, "pop"
    )


@require(can_take_calls)
@require(can_take_requests)
@require_POST
def call_answer(request: HttpRequest) -> HttpResponse:
    """The agent answered: the request for the call, saved at once, opens."""
    call = _answerable_call(request, request.POST.get("call_id"))
    started = call_request_start(call=call, agent=request.user)
    if request.htmx:
        return HttpResponseClientRedirect(started.get_absolute_url())
    return HttpResponseRedirect(started.get_absolute_url())


# Queues, members and pause reasons ----------------------------------------------------------


@require(can_see_queues)
def queue_list(request: HttpRequest) -> HttpResponse:
    queues = Queue.objects.select_related("department").annotate(member_count=Count("members"))
    return render_list(
        request,
        "calls/queue_list.html",
        queues.order_by("name"),
        {"can_configure": can_configure_calls(request.user)},
    )


@require(can_configure_calls)
def queue_new(request: HttpRequest) -> HttpResponse:
    form = QueueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            queue = queue_save(values=form.cleaned_data)
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, _("The queue %(name)s was created.") % {"name": queue})
            return redirect("calls:queue_detail", pk=queue.pk)
    return render(request, "calls/queue_form.html", {"form": form})


@require(can_see_queues)
def queue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A queue's members (supervisors put agents in and take them out, with a skill level) and
    its settings (administrators)."""
    queue = get_object_or_404(Queue.objects.select_related("department"), pk=pk)
    configure, move = can_configure_calls(request.user), can_move_agents(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and not {"settings": configure, "member": move, "remove": move}.get(
        action
    ):
        raise PermissionDenied
    settings_form = QueueForm(request.POST if action == "settings" else None, instance=queue)
    member_form = MemberForm(request.POST if action == "member" else None)
    try:
        if action == "settings" and settings_form.is_valid():
            queue_save(queue=queue, values=settings_form.cleaned_data)
            messages.success(request, _("The queue's settings were saved."))
            return redirect("calls:queue_detail", pk=queue.pk)
        if action == "member" and member_form.is_valid():
            agent = member_form.cleaned_data["username"]
            queue_member_set(queue=queue, user=agent, skill=member_form.cleaned_data["skill"])
            messages.success(
                request, _("%(agent)s answers %(queue)s.") % {"agent": agent, "queue": queue}
            )
            return redirect("calls:queue_detail", pk=queue.pk)
        if action == "remove":
            member = queue.members.filter(user_id=parse_id(request.POST.get("user"))).first()
            if member is not None:
                queue_member_remove(queue=queue, user=member.user)
                messages.success(
                    request,
                    _("%(agent)s no longer answers %(queue)s.")
                    % {"agent": member.user, "queue": queue},
                )
            return redirect("calls:queue_detail", pk=queue.pk)
    except ValidationError as problem:
        (settings_form if action == "settings" else member_form).add_error(None, problem)
    if action == "settings":
        queue.refresh_from_db()  # the form changed it in memory; the page shows what is saved
    members = queue.members.select_related("user", "user__agent_state").order_by(
        "-skill", "user__username"
    )
    return render(
        request,
        "calls/queue_detail.html",
        {
            "queue": queue,
            "members": members,
            "settings_form": settings_form if configure else None,
            "member_form": member_form if move else None,
            "can_move": move,
        },
    )


@require(can_keep_pause_reasons)
def pause_reason_list(request: HttpRequest) -> HttpResponse:
    """The reasons agents choose from when they pause; a reason once used is retired, not
    deleted (the availability changes keep it)."""
    form = PauseReasonForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "add" and form.is_valid():
                pause_reason_save(name=form.cleaned_data["name"])
                return redirect("calls:pause_reason_list")
            if request.POST.get("action") in ("retire", "restore"):
                reason = get_object_or_404(
                    PauseReason, pk=parse_id(request.POST.get("reason")) or 0, system_key=""
                )
                pause_reason_save(
                    reason=reason,
                    name=reason.name,
                    active=request.POST["action"] == "restore",
                )
                return redirect("calls:pause_reason_list")
        except ValidationError as problem:
            form.add_error(None, problem)
    reasons = PauseReason.objects.filter(system_key="").order_by("-active", "name")
    return render(request, "calls/pause_reason_list.html", {"reasons": reasons, "form": form})


# Recordings -----------------------------------------------------------------------------------


def _recorded_call(request: HttpRequest, pk: int) -> Call:
    call = get_object_or_404(Call.objects.select_related("queue", "agent"), pk=pk)
    if not can_hear_recording(request.user, call):
        raise PermissionDenied
    return call


def _recording_file(call: Call):
    """The call's recording and its open file (None when the file is gone: logged)."""
    recording = CallRecording.objects.filter(call=call).first()
    if recording is None:
        return None, None
    try:
        return recording, recordings.stored_path(recording.file_name).open("rb")
    except (OSError, recordings.RecordingError):
        logger.error("call %s: the file of its recording is missing: %s", call.pk, recording)
        return recording, None


@require(can_view_calls)
@require_GET
def call_recording(request: HttpRequest, pk: int) -> HttpResponse:
    """A call with its recording's player (the player alone for HTMX)."""
    call = _recorded_call(request, pk)
    recording, handle = _recording_file(call)
    if handle is not None:
        handle.close()
    context = {
        "call": call,
        "recording": recording,
        "recording_missing": recording is not None and handle is None,
        "recording_days": call_recording_days(call),
    }
    return render_page(request, "calls/recording.html", context, "player")


@require(can_view_calls)
@require_GET
def call_recording_audio(request: HttpRequest, pk: int) -> HttpResponse:
    """The recording's audio, inline for the player or as a download (?download=1), never
    cached; each playback and download is kept (the rest of a playback, which the browser asks
    for from a later byte, is not another one)."""
    call = _recorded_call(request, pk)
    recording, handle = _recording_file(call)
    if handle is None:
        raise Http404(_("This call's recording is not available."))
    download = request.GET.get("download") == "1"
    if request.headers.get("Range", "bytes=0-").replace(" ", "").startswith("bytes=0-"):
        recording_access_record(
            call=call,
            user=request.user,
            use=RecordingUse.DOWNLOAD if download else RecordingUse.PLAY,
        )
    name = f"call-{call.pk}-{call.offered_at:%Y%m%d-%H%M}{recordings.SUFFIX}"
    response = FileResponse(
        handle, as_attachment=download, filename=name, content_type=recording.content_type
    )
    response["Cache-Control"] = "no-store, private"
    return response


@require(can_keep_trunks)
def trunk_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, "calls/trunk_list.html", Trunk.objects.order_by("name"))


@require(can_keep_trunks)
def trunk_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    trunk = get_object_or_404(Trunk, pk=pk) if pk is not None else None
    form = TrunkForm(request.POST or None, instance=trunk)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in TrunkForm.Meta.fields}
        try:
            saved = trunk_save(
                trunk=trunk, values=values, password=form.cleaned_data["password"] or None
            )
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, _("The trunk %(name)s was saved.") % {"name": saved})
            return redirect("calls:trunk_list")
    return render(request, "calls/trunk_form.html", {"form": form, "trunk": trunk})
