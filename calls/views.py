"""Calls: the phone system's questions and events, the browser phone's credentials."""

import hmac
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from callcenter.access import require
from callcenter.errors import declared_length
from calls.access import can_take_calls
from calls.services import call_event_record, call_route
from calls.sip import sip_credentials
from calls.wire import EVENT_MAX_BYTES, BadInput, event_fields, route_question

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
    )
    return JsonResponse(answer)


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
