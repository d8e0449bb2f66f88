"""Pages of long lists."""

PAGE_SIZE = 25


def page_without_count(queryset, page_number: str | None, size: int = PAGE_SIZE) -> dict:
    """One page of rows, and whether there are more, without counting every matching row."""
    number = int(page_number) if page_number and page_number.isdigit() else 1
    number = max(number, 1)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return {
        "object_list": rows[:size],
        "number": number,
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
