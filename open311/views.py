"""Open311 GeoReport v2 at /open311/v2/ (no login; posting needs an API key), and the
administrators' page of API keys.

Plain Django views, no framework: the specification's element names (<services><service>,
<service_requests><request>, <errors><error>) are written by open311.documents, the format is
the URL's suffix, and the rate limit is counted from the saved reports (open311.limits)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.login import client_address
from callcenter.access import require
from callcenter.inputs import parse_id
from open311 import documents, reads
from open311.access import can_keep_questions, can_manage_keys, manageable_keys, questionable_codes
from open311.forms import ApiKeyForm, PostedReportForm, QuestionForm
from open311.limits import retry_after
from open311.models import WebReport
from open311.services import (
    api_key_create,
    api_key_for,
    api_key_revoke,
    service_attribute_delete,
    service_attribute_save,
    web_request_create,
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this interface last changed in a way a client could notice.
CHANGESET = "2026-12-01T00:00:00Z"


def public(view):
    """An endpoint of the public interface: no login, no CSRF token (apps post with a key)."""
    return csrf_exempt(login_not_required(view))


@public
@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", args=["json"]))
    document = {
        "changeset": CHANGESET,
        "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base.removesuffix("discovery.json"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return documents.respond(fmt, "discovery", document)


@public
@require_GET
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    services = [documents.service_entry(code) for code in reads.public_services()]
    return documents.respond(fmt, "services", services)


@public
@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    service = reads.public_service(code)
    if service is None:
        return documents.errors(fmt, 404, [f"service_code {code!r} was not found."])
    return documents.respond(fmt, "service_definition", documents.service_definition(service))


@public
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    try:
        found = reads.RequestFilter.from_query(request.GET, timezone.now())
    except reads.FilterError as error:
        return documents.errors(fmt, 400, [str(error)])
    codes = reads.public_codes()
    writer = documents.RequestWriter(codes)
    rows = [writer.entry(row) for row in found.apply(reads.visible_requests(codes))]
    return documents.respond(fmt, "service_requests", rows)


@public
@require_GET
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    codes = reads.public_codes()
    found = reads.visible_requests(codes).filter(number=reads.searchable(number)).first()
    if found is None:
        return documents.errors(fmt, 404, [f"service_request_id {number!r} was not found."])
    entry = documents.RequestWriter(codes).entry(found)
    return documents.respond(fmt, "service_requests", [entry])


@public
@require_GET
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    found = WebReport.objects.select_related("request").filter(token=reads.searchable(token))
    report = found.first()
    if report is None:
        return documents.errors(fmt, 404, [f"token {token!r} was not found."])
    return documents.respond(fmt, "service_requests", [documents.token_entry(report)])


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    params = _posted(request)
    api_key = api_key_for(params.get("api_key", "").strip())
    if api_key is None:
        return documents.errors(fmt, 403, ["api_key is missing, unknown or revoked."])
    address = client_address(request)
    wait = retry_after(api_key=api_key, client_address=address, now=timezone.now())
    if wait is not None:
        response = documents.errors(fmt, 429, [f"Too many requests: try again in {wait} s."])
        response["Retry-After"] = str(wait)
        return response
    form = PostedReportForm(params, answers=_answers(params))
    if not form.is_valid():
        return documents.errors(fmt, 400, _messages(form.errors.get_json_data()))
    try:
        report = web_request_create(report=form.report(), api_key=api_key, client_address=address)
    except ValidationError as error:
        return documents.errors(fmt, 400, _messages(_error_data(error)))
    return documents.respond(fmt, "service_requests", [documents.created_entry(report)], 201)


def _posted(request: HttpRequest) -> QueryDict:
    """The form body's parameters, and the query string's where the body has none of a name
    (some apps send the key, or everything, in the query string)."""
    params = request.GET.copy()
    for name in request.POST:
        params.setlist(name, request.POST.getlist(name))
    return params


def _answers(params: QueryDict) -> dict[str, list[str]]:
    """attribute[code]=value, and attribute[code][]=value for each value of a list."""
    answers: dict[str, list[str]] = {}
    for name in params:
        if name.startswith("attribute[") and "]" in name:
            code = name[len("attribute[") : name.index("]")]
            answers.setdefault(code, []).extend(params.getlist(name))
    return answers


def _messages(data: dict) -> list[str]:
    """ "lat: Ensure this value is less than or equal to 90." for each error; errors of no
    single field as they are."""
    return [
        error["message"] if name == "__all__" else f"{name}: {error['message']}"
        for name, errors in data.items()
        for error in errors
    ]


def _error_data(error: ValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {
            name: [{"message": message} for message in messages]
            for name, messages in error.message_dict.items()
        }
    return {"__all__": [{"message": message} for message in error.messages]}


# API keys ------------------------------------------------------------------------------------


# A new key travels from its creation to the page that shows it in the session, which that page
# takes it out of: shown once, and a reload neither shows it again nor makes another key.
NEW_KEY = "open311_new_key"


@require(can_manage_keys)
@never_cache
def key_list(request: HttpRequest) -> HttpResponse:
    """The keys, the key just created (once), and a form for a new one."""
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            api_key, key = api_key_create(name=form.cleaned_data["name"], user=request.user)
        except ValidationError as error:
            form.add_error("name", error.message_dict.get("name", error.messages))
        else:
            request.session[NEW_KEY] = {"pk": api_key.pk, "key": key}
            return redirect("open311:key_list")
    keys = manageable_keys(request.user).select_related("created_by", "revoked_by")
    created = request.session.pop(NEW_KEY, None) if request.method == "GET" else None
    return render(
        request,
        "open311/key_list.html",
        {
            "keys": keys,
            "form": form,
            "created_key": keys.filter(pk=created["pk"]).first() if created else None,
            "created_text": created["key"] if created else "",
        },
    )


@require(can_manage_keys)
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    api_key = get_object_or_404(manageable_keys(request.user), pk=pk)
    api_key_revoke(api_key=api_key, user=request.user)
    messages.success(request, _("The key “%(name)s” is revoked.") % {"name": api_key.name})
    return redirect("open311:key_list")


# The questions of public services -----------------------------------------------------------


@require(can_keep_questions)
def question_codes(request: HttpRequest) -> HttpResponse:
    codes = (
        questionable_codes(request.user)
        .select_related("category")
        .annotate(questions=Count("open311_attributes"))
        .order_by("code")
    )
    return render(request, "open311/question_codes.html", {"codes": codes})


@require(can_keep_questions)
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    """A public service's questions, a form to add or change one (by its code), and a button
    to remove each."""
    code = get_object_or_404(questionable_codes(request.user), pk=pk)
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and request.POST.get("remove"):
        attribute = get_object_or_404(code.open311_attributes, pk=parse_id(request.POST["remove"]))
        service_attribute_delete(attribute=attribute)
        messages.success(request, _("The question “%(code)s” is removed.") % {"code": attribute})
        return redirect("open311:questions", pk=code.pk)
    if request.method == "POST" and form.is_valid():
        try:
            service_attribute_save(problem_code=code, **form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("The question “%(code)s” is saved.") % {"code": form.cleaned_data["code"]},
            )
            return redirect("open311:questions", pk=code.pk)
    return render(
        request,
        "open311/questions.html",
        {"code": code, "attributes": code.open311_attributes.all(), "form": form},
    )
