"""What residents reach without logging in: the web form (/report/), its confirmation, and the
status page of a request (/status/<number>/<secret>/, or asked for at /status/).

Short views: the spam checks and the form (residents.forms), the rate limits
(residents.limits), then Open311's service through residents.services. Everything else of the
application needs a login."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.login import client_address
from open311.documents import service_notice
from open311.models import WebReport
from residents.forms import ReportForm, Sending, StatusLookupForm, next_stamp, sending
from residents.limits import lookup_retry_after, report_retry_after
from residents.links import sent_token, status_url, web_report_id_from
from residents.reads import request_status
from residents.services import public_report_create, status_lookup_failed


@login_not_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST if request.method == "POST" else None)
    sent_by = None
    if request.method == "POST":
        sent_by = sending(request.POST)
        if sent_by is Sending.BY_A_BOT:
            # The same neutral answer for the trap and for haste: a bot learns neither.
            return render(request, "residents/report_refused.html", status=400)
        address = client_address(request)
        wait = report_retry_after(client_address=address, now=timezone.now())
        if wait is not None:
            return _too_many(request, wait)
        if form.is_valid() and sent_by is Sending.STALE:
            form.add_error(None, _("This form was open for a long time: check it and send it."))
        elif form.is_valid():
            try:
                web_report = public_report_create(
                    report=form.report(), client_address=address, language=get_language()
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return redirect("residents:report_sent", token=sent_token(web_report.pk))
    stamp = next_stamp(request.POST, sent_by)
    return render(request, "residents/report_form.html", {"form": form, "stamp": stamp})


@login_not_required
@require_GET
@never_cache
def report_sent(request: HttpRequest, token: str) -> HttpResponse:
    """After the form (POST, redirect, GET): the number, the status page's link, what next."""
    web_report_id = web_report_id_from(token)
    found = WebReport.objects.select_related("request__problem_code")
    web_report = found.filter(pk=web_report_id).first() if web_report_id else None
    if web_report is None:
        return redirect("residents:report")
    number = web_report.request.number
    context = {
        "number": number,
        "status_link": request.build_absolute_uri(status_url(number, web_report.token)),
        "code": web_report.token,
        "notice": service_notice(web_report.request.problem_code),
        "emailed": bool(web_report.request.caller_email),
    }
    return render(request, "residents/report_sent.html", context)


@login_not_required
@require_GET
def status_lookup(request: HttpRequest) -> HttpResponse:
    """A small form for the number and the code, for whoever has them without the link."""
    form = StatusLookupForm(request.GET if request.GET else None)
    if form.is_valid():
        return redirect("residents:status", form.cleaned_data["number"], form.cleaned_data["code"])
    return render(request, "residents/status_lookup.html", {"form": form})


@login_not_required
@require_GET
@never_cache
def status(request: HttpRequest, number: str, secret: str) -> HttpResponse:
    address, now = client_address(request), timezone.now()
    wait = lookup_retry_after(client_address=address, now=now)
    if wait is not None:
        return _too_many(request, wait)
    found = request_status(number, secret)
    if found is None:
        status_lookup_failed(client_address=address, now=now)
        # One page for every wrong pair: it does not even repeat the address asked for.
        context = {"language_next": reverse("residents:status_lookup")}
        return render(request, "residents/status_unknown.html", context, status=404)
    return render(request, "residents/status.html", {"status": found})


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    minutes = -(-wait // 60)
    response = render(request, "residents/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(wait)
    return response
