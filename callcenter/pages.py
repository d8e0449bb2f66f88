"""Pages of long lists."""

from django.utils.translation import gettext as _

from callcenter.inputs import parse_id

PAGE_SIZE = 25
# Beyond this a list is searched, not paged through; the offset would cost the database more.
MAX_PAGE = 10_000


def page_without_count(queryset, page_number: str | None, size: int = PAGE_SIZE) -> dict:
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
    return {
        "object_list": rows[:size],
        "number": number,
        "notice": notice,
        "has_previous": number > 1,
        "has_next": len(rows) > size,
        "previous_page_number": number - 1,
        "next_page_number": number + 1,
    }


def query_without_page(query) -> str:
    """The list's query string for its page links, which add their own page number."""
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()
