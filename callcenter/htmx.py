from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest, template: str, context: dict, partial: str | None = None
) -> HttpResponse:
    """The whole page, or only its named partial when HTMX asks for it (not on history restore)."""
    if partial and request.htmx and not request.htmx.history_restore_request:
        template = f"{template}#{partial}"
    return render(request, template, context)
