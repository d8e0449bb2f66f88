"""What the status page shows of a request: what Open311 publishes of it (open311.reads and
open311.documents: open or closed, the status notes, the promise, the reporter's own words),
to whoever has its number and its report's token. Nothing else of the request is read."""

import hmac
from dataclasses import dataclass
from datetime import datetime

from hierarchy.models import ProblemCode
from open311.documents import CLOSED, RequestWriter
from open311.models import WebReport
from open311.reads import searchable, visible_requests

# Compared with a wrong code for an unknown number, so that both take the same time.
NO_TOKEN = "0" * 32


@dataclass(frozen=True)
class RequestStatus:
    number: str
    is_open: bool
    notes: str
    problem: str
    agency: str
    notice: str
    address: str
    description: str
    reported_at: datetime
    updated_at: datetime
    expected_at: datetime | None


def request_status(number: str, secret: str) -> RequestStatus | None:
    """The request's status, or None when the number and the secret (its report's token) do
    not belong together: an unknown number and a wrong secret are one answer, so a guess
    learns nothing of the number."""
    number = searchable(number)[:40]
    report = (
        WebReport.objects.filter(request__number=number)
        .values("token", "request__problem_code_id")
        .first()
    )
    token = report["token"] if report else NO_TOKEN
    matches = hmac.compare_digest(token.encode(), searchable(secret).encode())
    if report is None or not matches:
        return None
    codes = {
        code.pk: code
        for code in ProblemCode.objects.filter(
            is_public=True, pk=report["request__problem_code_id"]
        ).select_related("category__provider__department")
    }
    # A request an agent has since made internal (another type, a code not public) is no more
    # published by Open311, and so not here.
    row = visible_requests(codes).filter(number=number).first()
    if row is None:
        return None
    writer = RequestWriter(codes)
    code = codes[row["problem_code_id"]]
    agency, notice = writer.of_code(code)
    return RequestStatus(
        number=row["number"],
        is_open=row["status"] not in CLOSED,
        notes=writer.status_notes(row),
        problem=code.name,
        agency=agency,
        notice=notice or "",
        address=row["work_address"],
        description=row["web_report__description"] or "",
        reported_at=row["started_at"],
        updated_at=row["updated_at"],
        expected_at=writer.expected(row, code),
    )
