"""The web reports in a request's and a customer's timeline (registered with
requests_app.timeline in Open311Config.ready()): what an app posted through Open311, or a
resident sent from the city's web form (residents), as it came: their own words, the place,
the questions answered, the photo's address."""

from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _

from open311.models import LIST_DATATYPES, ServiceAttribute, WebReport
from requests_app.models import Channel
from requests_app.timeline import Entry, Scope, Who, not_after


def web_report_entries(http_request: HttpRequest, scope: Scope) -> list[Entry]:
    reports = list(
        not_after(WebReport.objects.filter(request__in=scope.requests), scope, "created_at")
        .select_related("request", "api_key")
        .order_by("-created_at", "-id")[: scope.limit]
    )
    questions = _questions({report.request.problem_code_id for report in reports})
    template = get_template("open311/web_report_entry.html")
    return [
        Entry(
            when=report.created_at,
            channel=Channel.WEB,
            kind=_("Web form") if report.from_public_form else _("Report from an app"),
            who=report.request.caller_name or _("a resident"),
            who_is=Who.CUSTOMER,
            body=template.render(
                {
                    "report": report,
                    "answers": _answers(report, questions.get(report.request.problem_code_id, {})),
                },
                http_request,
            ),
            anchor=f"web-report-{report.pk}",
            request_ids=(report.request_id,),
        )
        for report in reports
    ]


def _questions(problem_code_ids: set) -> dict[int, dict[str, ServiceAttribute]]:
    """The questions of the reports' services, by problem code and attribute code: one query."""
    found: dict[int, dict[str, ServiceAttribute]] = {}
    if problem_code_ids - {None}:
        for attribute in ServiceAttribute.objects.filter(problem_code__in=problem_code_ids):
            found.setdefault(attribute.problem_code_id, {})[attribute.code] = attribute
    return found


def _answers(report: WebReport, questions: dict[str, ServiceAttribute]) -> list[tuple[str, str]]:
    """Each answer with its question, a list's keys by their names; an answer to a question
    the service no longer asks by its code."""
    answers = []
    for code, answer in report.attributes.items():
        attribute = questions.get(code)
        keys = answer if isinstance(answer, list) else [answer]
        if attribute is None:
            answers.append((code, ", ".join(str(key) for key in keys)))
            continue
        if attribute.datatype in LIST_DATATYPES:
            names = attribute.value_names()
            answer = ", ".join(names.get(str(key), str(key)) for key in keys)
        answers.append((attribute.description, str(answer)))
    return answers
