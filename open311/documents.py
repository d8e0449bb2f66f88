"""GeoReport v2's documents, named and nested as the specification names them, in JSON and in
XML: each answer is built once as plain values (dicts in the specification's order, lists),
then written in the format the URL asked for."""

import json
from datetime import datetime
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.inputs import without_control_characters
from hierarchy.models import KEYWORD_FIELDS, ProblemCode, normalise_keywords
from open311.models import ServiceAttribute, WebReport
from requests_app.models import Status
from workorders.models import WorkOrderStatus

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element of each item of a list, by the list's element (XML only; JSON has arrays).
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
CLOSED = {Status.RESOLVED, Status.CLOSED}


def respond(fmt: str, root: str, document, status: int = 200) -> HttpResponse:
    """The document as JSON, or as XML under the element `root` (a list's items each under
    the element ITEMS names for `root`)."""
    if fmt == "json":
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    else:
        parts = ['<?xml version="1.0" encoding="utf-8"?>\n']
        _write(parts, root, document)
        body = "".join(parts)
    return HttpResponse(body, content_type=CONTENT_TYPES[fmt], status=status)


def errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    document = [{"code": status, "description": text} for text in descriptions]
    return respond(fmt, "errors", document, status=status)


def _write(parts: list[str], name: str, value) -> None:
    """<name>value</name>, appended to parts (a thousand requests' 17,000 elements are written
    three times faster as text than through ElementTree)."""
    if isinstance(value, dict):
        parts.append(f"<{name}>")
        for child, item in value.items():
            _write(parts, child, item)
        parts.append(f"</{name}>")
    elif isinstance(value, list):
        parts.append(f"<{name}>")
        for item in value:
            _write(parts, ITEMS[name], item)
        parts.append(f"</{name}>")
    elif value is None:
        parts.append(f"<{name}/>")
    else:
        parts.append(f"<{name}>{_text(value)}</{name}>")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    # XML 1.0 cannot carry control characters at all, escaped or not.
    return escape(without_control_characters(str(value)))


# Services ------------------------------------------------------------------------------------


def service_entry(code: ProblemCode) -> dict:
    return {
        "service_code": code.code,
        "service_name": code.name,
        "description": code.description,
        "metadata": bool(code.open311_attributes.all()),
        "type": "realtime",
        "keywords": keywords(code),
        "group": code.category.name,
    }


def keywords(code: ProblemCode) -> str:
    """Every language's keywords, each once: apps search them in whatever language they speak."""
    return normalise_keywords(", ".join(getattr(code, name) for name in KEYWORD_FIELDS.values()))


def service_definition(code: ProblemCode) -> dict:
    return {
        "service_code": code.code,
        "attributes": [attribute_entry(attribute) for attribute in code.open311_attributes.all()],
    }


def attribute_entry(attribute: ServiceAttribute) -> dict:
    return {
        "variable": True,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description or None,
        "order": attribute.order,
        "description": attribute.description,
        "values": [{"key": value["key"], "name": value["name"]} for value in attribute.values],
    }


def service_notice(code: ProblemCode) -> str:
    """What the reporter can expect, from the code's promised turnarounds."""
    hours, days = code.temporary_fix_hours, code.permanent_fix_days
    if hours and days:
        return _("A temporary fix within %(hours)s hours, the repair within %(days)s days.") % {
            "hours": hours,
            "days": days,
        }
    if days:
        return _("Expected to be dealt with within %(days)s days.") % {"days": days}
    if hours:
        return _("A temporary fix within %(hours)s hours.") % {"hours": hours}
    return ""


# Requests ------------------------------------------------------------------------------------


class RequestWriter:
    """Requests as GET requests shows them, from the rows of open311.reads.visible_requests.
    A thousand rows share a few dozen codes and a handful of statuses: what comes from them is
    worked out once each, and the time zone is looked up once."""

    def __init__(self, codes: dict[int, ProblemCode]):
        self.codes = codes
        self.zone = timezone.get_current_timezone()
        self._of_code: dict[int, tuple[str, str | None]] = {}
        self._notes: dict[tuple, str] = {}

    def entry(self, row: dict) -> dict:
        code = self.codes[row["problem_code_id"]]
        agency, notice = self.of_code(code)
        published = row["web_report__id"] is not None
        point = "web_report" if row["web_report__latitude"] is not None else "work_order"
        return {
            "service_request_id": row["number"],
            "status": "closed" if row["status"] in CLOSED else "open",
            "status_notes": self.status_notes(row),
            "service_name": code.name,
            "service_code": code.code,
            # Only what the reporter published: an agent's notes may name people.
            "description": row["web_report__description"] if published else None,
            "agency_responsible": agency,
            "service_notice": notice,
            "requested_datetime": self.moment(row["started_at"]),
            "updated_datetime": self.moment(row["updated_at"]),
            "expected_datetime": self.moment(self.expected(row, code)),
            "address": row["work_address"] or None,
            "address_id": None,
            "zipcode": None,
            "lat": _number(row[f"{point}__latitude"]),
            "long": _number(row[f"{point}__longitude"]),
            "media_url": row["web_report__media_url"] or None,
        }

    def of_code(self, code: ProblemCode) -> tuple[str, str | None]:
        if code.pk not in self._of_code:
            department = code.category.provider.department.name
            self._of_code[code.pk] = (department, service_notice(code) or None)
        return self._of_code[code.pk]

    def moment(self, value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(self.zone).isoformat(timespec="seconds")

    @staticmethod
    def expected(row: dict, code: ProblemCode) -> datetime | None:
        """The promise: the work order's due date, else what the code's turnaround promises."""
        if row["work_order__due_at"] is not None:
            return row["work_order__due_at"]
        promise = code.promise_dates(row["started_at"])
        return promise["permanent"] or promise["temporary"]

    def status_notes(self, row: dict) -> str:
        """The desk's status, and the work order's while the work is under way."""
        work_order = row["work_order__number"] if row["status"] not in CLOSED else None
        key = (row["status"], work_order, row["work_order__status"])
        if key not in self._notes:
            notes = Status(row["status"]).label
            if work_order is None:
                self._notes[key] = str(notes)
            else:
                self._notes[key] = _("%(status)s. Work order %(number)s: %(work)s.") % {
                    "status": notes,
                    "number": work_order,
                    "work": WorkOrderStatus(row["work_order__status"]).label.lower(),
                }
        return self._notes[key]


def _number(value) -> float | None:
    return None if value is None else float(value)


# Creation and tokens -------------------------------------------------------------------------


def created_entry(report: WebReport) -> dict:
    return {
        "service_request_id": report.request.number,
        "token": report.token,
        "service_notice": service_notice(report.request.problem_code) or None,
        "account_id": report.account_id or None,
    }


def token_entry(report: WebReport) -> dict:
    return {"service_request_id": report.request.number, "token": report.token}
