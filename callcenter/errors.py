"""Error pages people can act on, and the answer to a database outage.

Every page here is rendered without the request's context processors: they read the session,
the user and the navigation, which need the database, and an error page must render when the
database is down (and, for a 400 or a 500, when there is no usable request at all)."""

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
# Never echoed back: the CSRF token is replaced by a fresh one, passwords are typed again.
NOT_REPEATED = {"csrfmiddlewaretoken"}
RETRY_AFTER_SECONDS = 30


class RequestSizeMiddleware:
    """Refuses a body larger than settings.REQUEST_MAX_BYTES from its Content-Length, before
    a byte of it is read: Django limits the form fields it parses, not uploaded files, which it
    would stream to disk in full only for the view to refuse them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if declared_length(request) > settings.REQUEST_MAX_BYTES:
            logger.warning(
                "Refused a body of %s bytes for %s", declared_length(request), request.path
            )
            return too_large(status=413)
        return self.get_response(request)


def declared_length(request: HttpRequest) -> int:
    length = request.META.get("CONTENT_LENGTH") or "0"
    return int(length) if length.isascii() and length.isdigit() else 0


def too_large(status: int) -> HttpResponse:
    return HttpResponse(loader.render_to_string("400.html", {"too_large": True}), status=status)


class DatabaseOutageMiddleware:
    """A view that cannot reach the database answers 503 with a page that says so and gives
    back what was typed, instead of "Server Error (500)". Errors raised before the view (the
    session or the user loaded in a middleware) reach `server_error` below, which does the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.error("The database cannot be reached: %s", exception, exc_info=exception)
        return database_unavailable(request)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503: the database cannot be reached. A POST's fields come back in a form that sends them
    again to the same address, so nothing typed is lost; HTMX gets a short message."""
    is_htmx = request.headers.get("HX-Request") == "true"
    context = {"retry_url": request.get_full_path(), "is_post": request.method == "POST"}
    if request.method == "POST" and not is_htmx:
        context.update(repeatable_post(request))
    template = "503.html#message" if is_htmx else "503.html"
    response = HttpResponse(loader.render_to_string(template, context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def repeatable_post(request: HttpRequest) -> dict:
    """The posted fields to show and to send again. Only a POST that passed the CSRF check is
    offered again with a fresh token: otherwise a forged post would become a real one with one
    click. Passwords and files are never echoed back; the page says to give them again."""
    fields = [
        (name, values)
        for name, values in request.POST.lists()
        if name not in NOT_REPEATED and "password" not in name.lower()
    ]
    return {
        # Shown: what was typed or chosen (empty fields are noise); sent again: everything.
        "posted": [
            (name.replace("_", " ").capitalize(), values)
            for name, values in fields
            if any(value.strip() for value in values)
        ],
        "repost": [(name, value) for name, values in fields for value in values],
        "csrf_token": get_token(request) if csrf_passed(request) else "",
        "password_left_out": any("password" in name.lower() for name in request.POST),
        "files_left_out": bool(request.FILES),
    }


class CsrfCheck(CsrfViewMiddleware):
    """Django's CSRF check, without its failure page (rendered with the request's context
    processors, which need the database)."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        return HttpResponse(status=403)


def csrf_passed(request: HttpRequest) -> bool:
    """Whether the POST passed the CSRF check. An outage noticed in a middleware (the session
    loaded before any view) comes before the check, so it is made here; it needs no database."""
    if getattr(request, "csrf_processing_done", False):
        return True
    return CsrfCheck(lambda request: None).process_view(request, None, (), {}) is None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400. A submission over the size limits says so, and how to get back to what was typed."""
    if isinstance(exception, TOO_LARGE):
        return too_large(status=400)
    return HttpResponse(loader.render_to_string("400.html", {"too_large": False}), status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 when the cause is the database (an outage noticed by a middleware, before
    any view ran). Must never fail itself: each step falls back to a plainer one."""
    try:
        if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
            return database_unavailable(request)
    except Exception:
        logger.exception("The database-outage page failed")
    try:
        return defaults.server_error(request)
    except Exception:
        logger.exception("The 500 page failed")
        return HttpResponseServerError("<h1>Server Error (500)</h1>", content_type="text/html")
