from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from callcenter.access import require
from callcenter.concurrency import save_or_conflict
from callcenter.display import display_value
from callcenter.htmx import render_page
from callcenter.inputs import parse_id
from callcenter.pages import render_list
from callcenter.spreadsheets import csv_response
from hierarchy.access import can_browse_catalogue, can_maintain_catalogue
from hierarchy.catalogue_csv import COLUMNS, CatalogueImportError, catalogue_import, export_rows
from hierarchy.filters import ProblemCodeFilter, StandardWorkOrderFilter
from hierarchy.forms import CatalogueImportForm, ProblemCodeLookupForm
from hierarchy.levels import LEVELS, Level, level_or_404
from hierarchy.models import CatalogueItem, Department, ProblemCode, StandardWorkOrder
from hierarchy.services import (
    catalogue_item_create,
    catalogue_item_set_active,
    catalogue_item_update,
)
from hierarchy.widgets import (
    SAFE_NAME,
    ProblemCodePicker,
    category_choices,
    picker_browse,
    picker_results,
    provider_choices,
)

PAGE_SIZE = 50


# The tree ----------------------------------------------------------------------------------------


def children_of(level: Level, item: CatalogueItem):
    """The entries one level below `item`, each with the number of entries below it."""
    children = getattr(item, level.children_name).all()
    child = level.child
    if child.children_name and child.slug != "problem-code":
        children = children.annotate(child_count=Count(child.children_name))
    return children.order_by(child.model.name_field)


@require(can_browse_catalogue)
def tree(request: HttpRequest) -> HttpResponse:
    departments = Department.objects.annotate(child_count=Count("providers")).order_by("name")
    return render(
        request,
        "hierarchy/tree.html",
        {
            "nodes": departments,
            "node_level": LEVELS["department"],
            "can_maintain": can_maintain_catalogue(request.user),
        },
    )


@require(can_browse_catalogue)
def tree_children(request: HttpRequest, level: str, pk: int) -> HttpResponse:
    level = level_or_404(level)
    if not level.in_tree or level.child is None:
        raise Http404
    item = get_object_or_404(level.model, pk=pk)
    if not request.htmx:
        return redirect(item)
    return render(
        request,
        "hierarchy/tree.html#nodes",
        {
            "nodes": children_of(level, item),
            "node_level": level.child,
            "parent": item,
            "can_maintain": can_maintain_catalogue(request.user),
        },
    )


# One entry ---------------------------------------------------------------------------------------


def described_fields(item: CatalogueItem, level: Level) -> list[tuple[str, object]]:
    return [
        (item._meta.get_field(name).verbose_name, display_value(item, name))
        for name in level.form_class._meta.fields
        if name != level.model.parent_field
    ]


@require(can_browse_catalogue)
def item_detail(request: HttpRequest, level: str, pk: int) -> HttpResponse:
    level = level_or_404(level)
    item = get_object_or_404(level.model.objects.with_ancestors(), pk=pk)
    context = {
        "level": level,
        "item": item,
        "ancestors": [(LEVELS[slug], node) for slug, node in ancestors_by_level(level, item)],
        "fields": described_fields(item, level),
        "children": children_of(level, item) if level.children_name else None,
        "can_maintain": can_maintain_catalogue(request.user),
    }
    return render(request, "hierarchy/item_detail.html", context)


def ancestors_by_level(level: Level, item: CatalogueItem) -> list[tuple[str, CatalogueItem]]:
    pairs = []
    parent_level, node = level.parent, item.parent
    while parent_level is not None:
        pairs.insert(0, (parent_level.slug, node))
        parent_level, node = parent_level.parent, node.parent
    return pairs


def saved(request: HttpRequest, level: Level, item: CatalogueItem, message: str) -> HttpResponse:
    messages.success(request, message % {"level": level.verbose_name.capitalize(), "item": item})
    if request.htmx:
        return HttpResponseClientRedirect(item.get_absolute_url())
    return redirect(item)


def form_page(request: HttpRequest, level: Level, form, **context) -> HttpResponse:
    return render_page(
        request, "hierarchy/item_form.html", {"level": level, "form": form, **context}, "form"
    )


@require(can_maintain_catalogue)
def item_create(request: HttpRequest, level: str) -> HttpResponse:
    level = level_or_404(level)
    initial = {}
    if level.parent and parse_id(request.GET.get("parent")):
        initial[level.model.parent_field] = request.GET["parent"]
    form = level.form_class(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = catalogue_item_create(
                model=level.model, values=form.changed_values(), user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return saved(request, level, item, _("%(level)s “%(item)s” was created."))
    return form_page(request, level, form)


@require(can_maintain_catalogue)
def item_edit(request: HttpRequest, level: str, pk: int) -> HttpResponse:
    level = level_or_404(level)
    item = get_object_or_404(level.model, pk=pk)
    form = level.form_class(request.POST if request.method == "POST" else None, instance=item)
    if request.method == "POST" and form.is_valid():
        attempt = save_or_conflict(
            form,
            lambda: catalogue_item_update(
                item=item,
                values=form.changed_values(),
                expected_version=form.cleaned_data["version"],
                user=request.user,
            ),
            lambda current: saved_meanwhile(level, current),
        )
        if attempt.saved is not None:
            return saved(request, level, attempt.saved, _("%(level)s “%(item)s” was saved."))
        return form_page(
            request,
            level,
            attempt.form,
            item=attempt.current or item,
            differences=attempt.differences,
        )
    return form_page(request, level, form, item=item)


def saved_meanwhile(level: Level, current: CatalogueItem) -> str:
    return _(
        "%(user)s saved this %(level)s while you were editing it. Your changes are still in "
        "the form; compare them with theirs below, then save again to keep yours."
    ) % {"user": current.updated_by or _("Someone"), "level": level.verbose_name}


@require_POST
@require(can_maintain_catalogue)
def item_set_active(request: HttpRequest, level: str, pk: int) -> HttpResponse:
    level = level_or_404(level)
    item = get_object_or_404(level.model, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        item = catalogue_item_set_active(item=item, active=active, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        message = _("“%(item)s” was reactivated.") if active else _("“%(item)s” was deactivated.")
        messages.success(request, message % {"item": item})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect(item)


# Lists -------------------------------------------------------------------------------------------


@require(can_browse_catalogue)
def code_list(request: HttpRequest) -> HttpResponse:
    codes = ProblemCodeFilter(
        request.GET or None, queryset=ProblemCode.objects.with_path().order_by("code")
    )
    return render_list(
        request,
        "hierarchy/code_list.html",
        codes.qs,
        {"filter": codes, "can_maintain": can_maintain_catalogue(request.user)},
        size=PAGE_SIZE,
    )


@require(can_maintain_catalogue)
def standard_work_order_list(request: HttpRequest) -> HttpResponse:
    orders = StandardWorkOrderFilter(
        request.GET or None,
        queryset=StandardWorkOrder.objects.annotate(code_count=Count("problem_codes")).order_by(
            "title"
        ),
    )
    return render_list(
        request,
        "hierarchy/standard_work_order_list.html",
        orders.qs,
        {"filter": orders},
        size=PAGE_SIZE,
    )


# Problem code lookup and picker ------------------------------------------------------------------


@require(can_browse_catalogue)
def code_lookup(request: HttpRequest) -> HttpResponse:
    form = ProblemCodeLookupForm(request.GET or None)
    code = form.cleaned_data["problem_code"] if form.is_valid() else None
    context = {"form": form, "code": code}
    if code is not None:
        context["promise"] = code.promise_dates(timezone.now())
    partial = "details" if request.htmx and request.htmx.target == "code-details" else None
    return render_page(request, "hierarchy/code_lookup.html", context, partial)


def picker_names(request: HttpRequest) -> tuple[str, str] | None:
    """The field name and element id the picker was rendered with, if they are well-formed."""
    name, picker_id = request.GET.get("field", ""), request.GET.get("id", "")
    if SAFE_NAME.match(name) and SAFE_NAME.match(picker_id):
        return name, picker_id
    return None


@require(can_browse_catalogue)
def picker_search(request: HttpRequest) -> HttpResponse:
    names = picker_names(request)
    if names is None:
        return HttpResponseBadRequest(_("The picker's field name is missing or malformed."))
    name, picker_id = names
    selected = ProblemCodePicker.selected_code(request.GET.get(name))
    query = request.GET.get(f"{name}_q", "")[:100]
    return render(
        request,
        "hierarchy/widgets/problem_code_picker.html#choices",
        {"widget": picker_results(name, picker_id, selected=selected, query=query)},
    )


@require(can_browse_catalogue)
def picker_browse_view(request: HttpRequest) -> HttpResponse:
    names = picker_names(request)
    if names is None:
        return HttpResponseBadRequest(_("The picker's field name is missing or malformed."))
    name, picker_id = names
    department = (
        Department.objects.usable()
        .filter(pk=parse_id(request.GET.get(f"{name}_department")))
        .first()
    )
    provider = (
        provider_choices(department)
        .filter(pk=parse_id(request.GET.get(f"{name}_provider")))
        .first()
    )
    category = (
        category_choices(provider).filter(pk=parse_id(request.GET.get(f"{name}_category"))).first()
    )
    selected = ProblemCodePicker.selected_code(request.GET.get(name))
    widget = {
        **picker_browse(name, picker_id, department, provider, category),
        **picker_results(name, picker_id, selected=selected, category=category),
        "oob": True,
    }
    return render(
        request, "hierarchy/widgets/problem_code_picker.html#browse_update", {"widget": widget}
    )


# Import and export --------------------------------------------------------------------------------


@require(can_maintain_catalogue)
def catalogue_import_view(request: HttpRequest) -> HttpResponse:
    is_post = request.method == "POST"
    form = CatalogueImportForm(
        request.POST if is_post else None, request.FILES if is_post else None
    )
    problems: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            summary = catalogue_import(form.cleaned_data["file"], user=request.user)
        except CatalogueImportError as error:
            problems = error.errors
            form.add_error(
                "file",
                ngettext(
                    "Nothing was imported: the file has %(count)s problem, listed below.",
                    "Nothing was imported: the file has %(count)s problems, listed below.",
                    len(problems),
                )
                % {"count": len(problems)},
            )
        else:
            messages.success(request, summary.message())
            return redirect("hierarchy:catalogue_import")
    return render(request, "hierarchy/catalogue_import.html", {"form": form, "problems": problems})


@require(can_maintain_catalogue)
def catalogue_export_view(request: HttpRequest) -> HttpResponse:
    filename = f"catalogue-{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, COLUMNS, export_rows())
