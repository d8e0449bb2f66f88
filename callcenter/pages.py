"""Pages of long lists: one page of rows and whether there is another, never a count of every
matching row (counting them all on every page view is what makes large help desks slow)."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _

from callcenter.htmx import render_page
from callcenter.inputs import parse_id

PAGE_SIZE = 25
# Beyond this a list is searched, not paged through; the offset would cost the database more.
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page:
    """What includes/pagination.html and includes/list.html show: the rows, the page's number,
    whether another page follows, and a notice when the page asked for does not exist."""

    object_list: list
    number: int
    has_next: bool
    notice: str = ""

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_without_count(queryset, page_number: str | None, size: int = PAGE_SIZE) -> Page:
    """One page of rows, and whether there are more, without counting every matching row.
    A page number that is not one (letters, "²", zero, beyond MAX_PAGE) shows the first page,
    saying so in `notice`; so does a page past the end of the list."""
    number = parse_id(page_number)
    notice = ""
    if page_number not in (None, "") and (number is None or number > MAX_PAGE):
        number, notice = 1, _("That page number does not exist: this is the first page.")
    number = number or 1
    rows = list(queryset[(number - 1) * size : number * size + 1])
    if not rows and number > 1:
        number, notice = 1, _("The list has fewer pages than that: this is the first page.")
        rows = list(queryset[: size + 1])
    return Page(object_list=rows[:size], number=number, has_next=len(rows) > size, notice=notice)


def query_without_page(query: QueryDict) -> str:
    """The list's query string for its page links, which add their own page number."""
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


def render_list(
    request: HttpRequest,
    template: str,
    rows,
    context: dict | None = None,
    *,
    size: int = PAGE_SIZE,
    partial: str | None = "results",
) -> HttpResponse:
    """A list page: the requested page of `rows` as `page`, the query its page links keep as
    `query`; over HTMX only its `partial` (the results a filter form replaces)."""
    return render_page(
        request,
        template,
        {
            "page": page_without_count(rows, request.GET.get("page"), size),
            "query": query_without_page(request.GET),
            **(context or {}),
        },
        partial,
    )
