from datetime import datetime, timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.access import require
from reports import figures, rollup
from reports.access import can_read_reports, has_desk_dashboard, has_team_dashboard
from reports.charts import bar_chart, column_chart
from reports.forms import FEEDBACK_BY, FeedbackForm, HandlingForm, VolumeForm
from reports.periods import Period
from reports.satisfaction import (
    TREND_GRAINS,
    FeedbackRow,
    feedback_figures,
    feedback_total,
)
from reports.tables import AVERAGE, COUNT, DAY, RATE, SECONDS, Column, Table
from requests_app.models import Customer, CustomerRequest, Status

REPORTS = {
    "volume": gettext_lazy("Request volume"),
    "handling": gettext_lazy("Handling time and first-contact resolution"),
    "backlog": gettext_lazy("Backlog"),
    "work-orders": gettext_lazy("Work orders"),
    "knowledge-base": gettext_lazy("Knowledge base"),
    "feedback": gettext_lazy("Customer feedback"),
}


MEDIAN_NOTE = gettext_lazy(
    "Handling time runs from the start of the contact to its first save as finished. Medians "
    "are exact to within 5 seconds."
)
PER_GRAIN = {
    "day": gettext_lazy("Requests per day"),
    "week": gettext_lazy("Requests per week"),
    "month": gettext_lazy("Requests per month"),
}


@require(can_read_reports)
def report_index(request: HttpRequest) -> HttpResponse:
    return redirect("reports:report", name="volume")


@require(can_read_reports)
def report(request: HttpRequest, name: str) -> HttpResponse:
    """One report: its options, charts and tables; `?download=<table>` gives that table as
    CSV."""
    builders = {
        "volume": volume_report,
        "handling": handling_report,
        "backlog": backlog_report,
        "work-orders": work_order_report,
        "knowledge-base": knowledge_report,
        "feedback": feedback_report,
    }
    if name not in builders:
        raise Http404
    context = builders[name](request)
    period = context.get("period")
    download = request.GET.get("download")
    if download:
        table = next((table for table in context["tables"] if table.key == download), None)
        if table is None:
            raise Http404
        return table.csv(csv_filename(name, table.key, period))
    query = request.GET.copy()
    query.pop("download", None)
    return render(
        request,
        "reports/report.html",
        {
            "reports": REPORTS,
            "name": name,
            "title": REPORTS[name],
            "query": query.urlencode(),
            **context,
        },
    )


def csv_filename(report: str, table: str, period: Period | None) -> str:
    """The report, the table's words the report's name does not already say, the days:
    "volume-2026-03-01-2026-03-30.csv", not "volume-volume-…"."""
    words = report.split("-")
    words += [word for word in table.split("-") if word not in words]
    if period:
        words += [period.first_day.isoformat(), period.last_day.isoformat()]
    return "-".join(words) + ".csv"


def counted_as_of() -> dict:
    """For the reports that add up the day counts: how current they are ("Figures as of
    16:42"; the day and time when not today), or that they are not counted yet."""
    as_of = rollup.figures_as_of()
    if as_of is None:
        return {"counted_as_of": _("Figures not counted yet: the task worker counts them.")}
    local = timezone.localtime(as_of)
    when = date_format(
        local, "TIME_FORMAT" if local.date() == timezone.localdate() else "SHORT_DATETIME_FORMAT"
    )
    return {"counted_as_of": _("Figures as of %(time)s.") % {"time": when}}


def period_label(period: Period) -> str:
    first = date_format(period.first_day, "SHORT_DATE_FORMAT")
    last = date_format(period.last_day, "SHORT_DATE_FORMAT")
    return first if period.first_day == period.last_day else f"{first} – {last}"


def volume_report(request: HttpRequest) -> dict:
    form = VolumeForm.from_query(request.GET)
    period = form.chosen()
    grain, by = form.option("grain"), form.option("by")
    table = figures.volume(period, grain, by)
    bucket_title = str(figures.GRAINS[grain])
    # A period without a request says so, instead of a table of zeros.
    rows = [[bucket, *counts, total] for bucket, counts, total in table.rows] if table.total else []
    labels = [date_format(bucket, "SHORT_DATE_FORMAT") for bucket, _counts, _total in table.rows]
    return {
        "form": form,
        "period": period,
        **counted_as_of(),
        "charts": [
            column_chart(
                f"{PER_GRAIN[grain]} · {period_label(period)}",
                labels,
                [total for _bucket, _counts, total in table.rows],
                bucket_title,
                _("Requests"),
                _("No requests in this period."),
            ),
            bar_chart(
                _("Requests by %(by)s") % {"by": table.by_label} + f" · {period_label(period)}",
                table.columns,
                table.column_totals,
                _("Requests"),
                table.by_label,
                _("No requests in this period."),
            ),
        ],
        "tables": [
            Table(
                "volume",
                _("Requests by %(by)s") % {"by": table.by_label},
                [
                    Column(bucket_title, DAY),
                    *[Column(value, COUNT) for value in table.columns],
                    Column(_("Total"), COUNT),
                ],
                rows,
                footer=[_("Total"), *table.column_totals, table.total] if rows else None,
            )
        ],
    }


def handling_columns(first: str) -> list[Column]:
    return [
        Column(first),
        Column(_("Requests"), COUNT),
        Column(_("Finished"), COUNT),
        Column(_("Average handling time"), SECONDS),
        Column(_("Median handling time"), SECONDS),
        Column(_("First-contact resolution"), RATE),
    ]


def handling_row(row: figures.HandlingRow) -> list:
    return [
        row.label,
        row.requests,
        row.finished,
        row.average_seconds,
        row.median_seconds,
        row.first_contact_rate,
    ]


def handling_report(request: HttpRequest) -> dict:
    form = HandlingForm.from_query(request.GET)
    period = form.chosen()
    total = figures.handling_total(period)
    by_type = figures.handling(period, "type")
    by_agent = figures.handling(period, "agent")
    return {
        "form": form,
        "period": period,
        **counted_as_of(),
        "charts": [
            bar_chart(
                _("Requests per agent") + f" · {period_label(period)}",
                [row.label for row in by_agent],
                [row.requests for row in by_agent],
                _("Requests"),
                _("Agent"),
                _("No requests in this period."),
            )
        ],
        "tables": [
            Table(
                "types",
                _("By request type"),
                handling_columns(_("Request type")),
                [handling_row(row) for row in by_type],
                footer=handling_row(total),
                notes=[MEDIAN_NOTE],
            ),
            Table(
                "agents",
                _("By agent"),
                handling_columns(_("Agent")),
                [handling_row(row) for row in by_agent],
                footer=handling_row(total),
                notes=[MEDIAN_NOTE],
            ),
        ],
    }


def backlog_report(request: HttpRequest) -> dict:
    backlog = figures.backlog()
    totals = [sum(row[1][index] for row in backlog.rows) for index in range(len(backlog.ages))]
    return {
        "as_of": timezone.now(),
        "charts": [
            column_chart(
                _("Open and follow-up requests by age"),
                backlog.ages,
                totals,
                _("Age"),
                _("Requests"),
                _("No request is open or waiting for a follow-up."),
            )
        ],
        "tables": [
            Table(
                "backlog",
                _("Open and follow-up requests by age"),
                [
                    Column(_("Status")),
                    *[Column(age, COUNT) for age in backlog.ages],
                    Column(_("Total"), COUNT),
                ],
                [[status, *counts, total] for status, counts, total in backlog.rows],
                footer=[_("Total"), *totals, sum(totals)],
                notes=[_("Overdue follow-ups: %(count)s") % {"count": backlog.overdue_follow_ups}],
            )
        ],
    }


def work_order_report(request: HttpRequest) -> dict:
    form = HandlingForm.from_query(request.GET)
    period = form.chosen()
    rows = figures.work_orders_by_provider(period)
    return {
        "form": form,
        "period": period,
        "charts": [
            bar_chart(
                _("Work orders overdue now, by provider"),
                [row.provider for row in rows],
                [row.overdue for row in rows],
                _("Work orders"),
                _("Service provider"),
                _("No work order is overdue."),
            )
        ],
        "tables": [
            Table(
                "providers",
                _("Work orders by provider"),
                [
                    Column(_("Service provider")),
                    Column(_("Opened"), COUNT),
                    Column(_("Completed"), COUNT),
                    Column(_("Completed on time"), COUNT),
                    Column(_("On time"), RATE),
                    Column(_("Overdue now"), COUNT),
                ],
                [
                    [
                        row.provider,
                        row.opened,
                        row.completed,
                        row.on_time,
                        row.on_time_rate,
                        row.overdue,
                    ]
                    for row in rows
                ],
            )
        ],
    }


def knowledge_report(request: HttpRequest) -> dict:
    form = HandlingForm.from_query(request.GET)
    period = form.chosen()
    used = figures.most_used_articles(period)
    failed = figures.failed_searches(period)
    return {
        "form": form,
        "period": period,
        "charts": [],
        "tables": [
            Table(
                "articles",
                _("Most used articles"),
                [Column(_("Article")), Column(_("Language")), Column(_("Requests"), COUNT)],
                [[row["article__title"], row["language"], row["uses"]] for row in used],
            ),
            Table(
                "failed-searches",
                _("Searches that found nothing"),
                [Column(_("Searched for")), Column(_("Times"), COUNT)],
                [[search.text, search.count] for search in failed],
                notes=[_("Times are counted since the search first found nothing.")],
            ),
        ],
    }


FEEDBACK_NOTES = [
    gettext_lazy(
        "CSAT: the share of satisfaction answers of 4 or 5 (of 5). Effort (CES): the average "
        "answer to “How easy was it to get your issue handled?”, from 1, very difficult, to 7, "
        "very easy. NPS: promoters (9 or 10) less detractors (0 to 6), in percent of the "
        "recommendation answers."
    ),
    gettext_lazy(
        "Invitations and answers count by when the customer was asked (the request's finish); "
        "the response rate is answers per invitation sent. First-contact resolution counts the "
        "requests started in the period."
    ),
]


CSAT_PER = {
    "week": gettext_lazy("CSAT per week, in percent"),
    "month": gettext_lazy("CSAT per month, in percent"),
}
FEEDBACK_PER = {
    "week": gettext_lazy("Feedback per week"),
    "month": gettext_lazy("Feedback per month"),
}


def feedback_columns(first: str, kind: str = "text") -> list[Column]:
    return [
        Column(first, kind),
        Column(_("Invitations"), COUNT),
        Column(_("Answers"), COUNT),
        Column(_("Response rate"), RATE),
        Column(_("CSAT"), RATE),
        Column(_("Effort (CES)"), AVERAGE),
        Column(_("NPS"), RATE),
        Column(_("First-contact resolution"), RATE),
    ]


def feedback_cells(label, row: FeedbackRow) -> list:
    return [
        label,
        row.asked,
        row.answers,
        row.response_rate,
        row.csat,
        row.ces,
        row.nps,
        row.first_contact_rate,
    ]


def percent(value: float | None) -> int:
    return round(value * 100) if value is not None else 0


def feedback_report(request: HttpRequest) -> dict:
    form = FeedbackForm.from_query(request.GET)
    period = form.chosen()
    by, grain = form.option("by"), form.option("grain")
    groups, trend = feedback_figures(period, by, grain)
    total = trend.total()
    by_label = FEEDBACK_BY[by]
    per = TREND_GRAINS[grain]
    labels = [date_format(start, "SHORT_DATE_FORMAT") for start, _row in trend.rows]
    return {
        "form": form,
        "period": period,
        **counted_as_of(),
        "links": [(reverse("feedback:comment_list"), _("Customer comments"))],
        "charts": [
            column_chart(
                f"{CSAT_PER[grain]} · {period_label(period)}",
                labels,
                [percent(row.csat) for _start, row in trend.rows],
                str(per),
                _("CSAT (%)"),
                _("No feedback in this period."),
            ),
            bar_chart(
                _("Answers by %(by)s") % {"by": str(by_label).lower()}
                + f" · {period_label(period)}",
                [row.label for row in groups],
                [row.answers for row in groups],
                _("Answers"),
                str(by_label),
                _("No feedback in this period."),
            ),
        ],
        "tables": [
            Table(
                "feedback",
                _("Feedback by %(by)s") % {"by": by_label},
                feedback_columns(str(by_label)),
                [feedback_cells(row.label, row) for row in groups] if total.asked else [],
                footer=feedback_cells(_("Total"), total) if total.asked else None,
                notes=FEEDBACK_NOTES,
            ),
            Table(
                "trend",
                str(FEEDBACK_PER[grain]),
                feedback_columns(str(per), DAY),
                [feedback_cells(start, row) for start, row in trend.rows] if total.asked else [],
                footer=feedback_cells(_("Total"), total) if total.asked else None,
            ),
        ],
    }


# Dashboards --------------------------------------------------------------------------------------


def dashboard(request: HttpRequest) -> HttpResponse:
    """Each user's day at a glance: their own desk, the team's (supervisors), the headline
    figures (managers)."""
    user = request.user
    now = timezone.now()
    today = timezone.localdate()
    context = {"now": now}
    if has_desk_dashboard(user):
        context["desk"] = desk_figures(user, now, today)
        context["my_month"] = month_figures(today, _("My month"), agent=user)
    if has_team_dashboard(user):
        context["team"] = team_figures(now, today)
    if can_read_reports(user):
        context["headline"] = headline_figures(today)
        context["month"] = month_figures(today, _("This month and last month"))
        context.update(counted_as_of())
    if len(context) == 1:
        return redirect("hierarchy:tree")
    return render(request, "reports/dashboard.html", context)


def desk_figures(user, now, today) -> dict:
    end_of_today = Period(today, today).end
    mine = CustomerRequest.objects.filter(agent=user)
    return {
        "open": mine.filter(status__in=[Status.OPEN, Status.FOLLOW_UP])
        .select_related("customer", "problem_code")
        .order_by("-started_at")[:10],
        "open_count": mine.filter(status__in=[Status.OPEN, Status.FOLLOW_UP]).count(),
        "follow_ups": CustomerRequest.objects.follow_ups_of(user).filter(
            follow_up_due__lt=end_of_today
        )[:10],
        "today": figures.requests_in(Period(today, today)).filter(agent=user).count(),
        "recent_callers": recent_callers(user),
    }


def recent_callers(user, limit: int = 8, scanned: int = 50) -> list[tuple[Customer, datetime]]:
    """The customers of the agent's latest requests, each once, the latest first, with when
    they last called. Reads the agent's newest requests through their (agent, started) index
    and stops after `scanned` of them: cheap however many requests the agent has taken."""
    latest = (
        CustomerRequest.objects.filter(agent=user, customer__isnull=False)
        .order_by("-started_at")
        .values_list("customer_id", "started_at")[:scanned]
    )
    last_call: dict[int, datetime] = {}
    for customer_id, started_at in latest:
        last_call.setdefault(customer_id, started_at)
        if len(last_call) == limit:
            break
    customers = Customer.objects.in_bulk(list(last_call))
    return [(customers[pk], when) for pk, when in last_call.items() if pk in customers]


def team_figures(now, today) -> dict:
    hourly = figures.volume_by_hour(today)
    return {
        "open_count": CustomerRequest.objects.filter(status=Status.OPEN).count(),
        "follow_up_count": CustomerRequest.objects.filter(status=Status.FOLLOW_UP).count(),
        "overdue_count": CustomerRequest.objects.filter(
            status=Status.FOLLOW_UP, follow_up_due__lt=now
        ).count(),
        "hourly": hourly,
        "chart": column_chart(
            _("Requests per hour today"),
            [f"{hour:02d}" for hour in hourly.hours],
            hourly.today,
            _("Hour"),
            _("Requests"),
            _("No requests yet today."),
        ),
        "hours": list(zip(hourly.hours, hourly.today, hourly.last_week, strict=True)),
    }


def month_figures(today, title: str, agent=None) -> Table:
    """This month's requests, first-contact resolution and customer feedback (one agent's, if
    given), beside the whole of last month's."""
    this_month = Period(today.replace(day=1), today)
    last_day = this_month.first_day - timedelta(days=1)
    last_month = Period(last_day.replace(day=1), last_day)
    rows = []
    for label, period in ((_("This month"), this_month), (_("Last month"), last_month)):
        row = feedback_total(period, agent)
        rows.append(
            [
                label,
                row.requests,
                row.first_contact_rate,
                row.answers,
                row.csat,
                row.ces,
                row.nps,
            ]
        )
    columns = [
        Column(""),
        Column(_("Requests"), COUNT),
        Column(_("First-contact resolution"), RATE),
        Column(_("Feedback answers"), COUNT),
        Column(_("CSAT"), RATE),
        Column(_("Effort (CES)"), AVERAGE),
        Column(_("NPS"), RATE),
    ]
    return Table("month", title, columns, rows, notes=[FEEDBACK_NOTES[0]])


def headline_figures(today) -> Table:
    """Today's and this month's requests, handling time and first-contact resolution."""
    rows = [
        handling_row(figures.handling_total(period))
        for period in (Period(today, today), Period(today.replace(day=1), today))
    ]
    rows[0][0], rows[1][0] = _("Today"), _("This month")
    return Table("headline", _("Headline figures"), handling_columns(""), rows)
