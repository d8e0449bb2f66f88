"""Calls: the phone system's questions and events, and the agents' pages."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
@login_not_required
def phone_route(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"error": "not yet"}, status=503)


@csrf_exempt
@login_not_required
def phone_events(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"error": "not yet"}, status=503)


def credentials(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"error": "not yet"}, status=503)
