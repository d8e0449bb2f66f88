"""Calls: the phone system's questions and events, the browser phone's credentials, the agents'
availability."""

import hmac
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
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
    can_keep_sip_password,
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
    SipPassword,
    State,
    Trunk,
)
from calls.services import (
    agent_state_set,
    agent_wrap_up_extend,
    call_caller_number,
    call_dial_record,
    call_event_record,
    call_recording_days,
    call_request_start,
    call_route,
    call_transfer_start,
    call_voicemail_save,
    callback_done,
    pause_reason_save,
    queue_member_remove,
    queue_member_set,
    queue_save,
    recording_access_record,
    sip_password_generate,
    sip_password_remove,
    transfer_refer_to,
    transfer_target,
    trunk_save,
)
from calls.sip import desk_phone_ha1, sip_credentials
from calls.wire import (
    EVENT_MAX_BYTES,
    VOICEMAIL_MAX_BYTES,
    BadInput,
    event_fields,
    route_question,
    sip_password_question,
    voicemail,
)
from requests_app.access import can_take_requests
from requests_app.models import Customer, CustomerRequest

logger = logging.getLogger(__name__)


def _from_phone_system(request: HttpRequest) -> bool:
    sent = request.headers.get("X-Phone-Secret", "")
    return hmac.compare_digest(sent.encode("utf-8", "replace"), settings.PHONE_SECRET.encode())


def _refused() -> JsonResponse:
    return JsonResponse({"error": "X-Phone-Secret is missing or wrong"}, status=403)


def _bad(problem: BadInput) -> JsonResponse:
    return JsonResponse(problem.as_json(), status=400)


def _invalid(problem: ValidationError) -> JsonResponse:
    """A service's refusal of what the phone system sent: 400, naming the parameter."""
    parameter = next(iter(getattr(problem, "error_dict", {})), "body")
    return JsonResponse(
        {"error": f"{parameter}: {' '.join(problem.messages)}", "parameter": parameter},
        status=400,
    )


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
        referred_by=question.referred_by,
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
        return _invalid(problem)
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
        return _invalid(problem)
    return HttpResponse(status=204)


@csrf_exempt
@login_not_required
@require_GET
def phone_sip_password(request: HttpRequest) -> JsonResponse:
    """Kamailio asks for the digest hash (HA1) of a desk phone's SIP password, to check the
    REGISTER or INVITE of a phone that gave its user's own username; 404 when that user may not
    register (no password, deactivated, no longer takes calls, or the password was made for
    another username or SIP domain)."""
    if not _from_phone_system(request):
        return _refused()
    try:
        username, realm = sip_password_question(request.GET)
    except BadInput as problem:
        return _bad(problem)
    ha1 = desk_phone_ha1(username, realm)
    if ha1 is None:
        response = JsonResponse({"error": "no SIP password for this user"}, status=404)
    else:
        response = JsonResponse({"ha1": ha1})
    response["Cache-Control"] = "no-store"
    return response


@require(can_take_calls)
@require_GET
def credentials(request: HttpRequest) -> JsonResponse:
    """The browser phone's SIP credentials for the signed-in agent, valid for some hours."""
    response = JsonResponse(sip_credentials(request.user.get_username()))
    response["Cache-Control"] = "no-store"
    return response


# Desk phones ------------------------------------------------------------------------------------


def desk_phone(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A user's desk phone: how to set it up, and its SIP password, generated here and shown
    once (only its digest hash is kept). One's own at /calls/desk-phone/; another user's for
    those who manage users."""
    user = request.user if pk is None else get_object_or_404(get_user_model(), pk=pk)
    if not can_keep_sip_password(request.user, user):
        raise PermissionDenied
    password, error, removed = None, "", False
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "generate":
                password = sip_password_generate(user=user, actor=request.user)
            elif action == "remove":
                sip_password_remove(user=user)
                removed = True
            else:
                error = _("Choose “Generate a new SIP password” or “Remove the SIP password”.")
        except ValidationError as problem:
            error = " ".join(problem.messages)
    response = render_page(
        request,
        "calls/desk_phone.html",
        {
            "shown": user,
            "is_self": user.pk == request.user.pk,
            "sip_password": SipPassword.objects.filter(user=user).select_related("set_by").first(),
            "takes_calls": can_take_calls(user),
            "new_password": password,
            "error": error,
            "removed": removed,
            "sip_host": settings.SIP_HOST,
            "sip_port": settings.SIP_PORT,
            "sip_domain": settings.SIP_DOMAIN,
        },
        "phone",
    )
    # The new password is on this page only: no copy of it in a cache.
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
    rows = visible_calls(
        request.user,
        Call.objects.for_list()
        .select_related("transferred_from__call", "transferred_from__by")
        .prefetch_related("requests", "transfers__new_call"),
    )
    calls = CallFilter(request.GET or None, queryset=rows)
    context = {"filter": calls, "hears_recordings": hears_recordings(request.user)}
    return render_list(request, "calls/call_list.html", calls.qs, context)


@require(can_work_callbacks)
def callback_list(request: HttpRequest) -> HttpResponse:
    """The callers nobody answered, oldest first, until someone calls them back."""
    rows = visible_callbacks(
        request.user,
        Callback.objects.open()
        .select_related("queue")
        .prefetch_related(
            Prefetch("calls_back", Call.objects.select_related("agent").order_by("offered_at"))
        ),
    )
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


def _refusal(problem: ValidationError) -> JsonResponse:
    """A refused transfer or dial for the softphone to say: the message and the field."""
    fields = getattr(problem, "error_dict", {})
    field = next(iter(fields), "")
    return JsonResponse({"error": " ".join(problem.messages), "field": field}, status=400)


@require(can_take_calls)
@require_POST
def call_transfer(request: HttpRequest) -> JsonResponse:
    """The softphone transfers the agent's call (call_id): to `target` (a queue's number or an
    agent), or to whoever answered the consultation call (consult_call_id). The answer names
    the address the softphone's REFER goes to, or why the transfer is refused."""
    try:
        transfer = call_transfer_start(
            agent=request.user,
            call_id=_given_text(request.POST, "call_id"),
            target=_given_text(request.POST, "target"),
            consult_call_id=_given_text(request.POST, "consult_call_id"),
        )
    except ValidationError as problem:
        return _refusal(problem)
    return JsonResponse({"refer_to": transfer_refer_to(transfer)})


@require(can_take_calls)
@require_GET
def call_transfer_target(request: HttpRequest) -> JsonResponse:
    """Where the softphone's consultation call goes for what the agent typed (a queue's number,
    an agent's name or username), or why it cannot."""
    try:
        username = transfer_target(_given_text(request.GET, "target"), agent=request.user)
    except ValidationError as problem:
        return _refusal(problem)
    return JsonResponse({"uri": f"sip:{username}@{settings.SIP_DOMAIN}"})


@require(can_take_calls)
@require_POST
def call_dial(request: HttpRequest) -> JsonResponse:
    """The softphone dialled a number (click to call): the call's record, outbound, linked to
    the customer or request it was started from (their ids, optional)."""
    customer = _linked(request, "customer", Customer.objects.all())
    linked_request = _linked(request, "request", CustomerRequest.objects.all())
    callback = _linked(
        request, "callback", visible_callbacks(request.user, Callback.objects.all()).distinct()
    )
    try:
        call = call_dial_record(
            agent=request.user,
            call_id=_given_text(request.POST, "call_id"),
            number=_given_text(request.POST, "number"),
            customer=customer,
            request=linked_request,
            callback=callback,
        )
    except ValidationError as problem:
        return _refusal(problem)
    return JsonResponse({"call": call.pk})


def _given_text(data, name: str) -> str:
    """A text the softphone sent; what no field can hold is refused (400, naming the field)."""
    value = data.get(name, "")
    if len(value) > 255 or CONTROL_CHARACTERS.search(value):
        raise ValidationError({name: _("This value cannot be used.")}, code="invalid")
    return value


def _linked(request: HttpRequest, name: str, rows):
    """The customer or request the posted id names (404 for an id that names none or one the
    user may not see); None when none is posted."""
    if not request.POST.get(name):
        return None
    if not can_take_requests(request.user):
        raise Http404
    pk = parse_id(request.POST.get(name))
    return get_object_or_404(rows, pk=pk or 0)


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
