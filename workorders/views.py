from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.access import require
from callcenter.concurrency import save_or_conflict
from callcenter.htmx import render_page
from callcenter.pages import render_list
from workorders.access import can_change_work_orders, can_see_callers, can_view_work_orders
from workorders.filters import WorkOrderFilter
from workorders.forms import WorkOrderForm
from workorders.models import WorkOrder
from workorders.services import work_order_update

CONFLICT = gettext_lazy(
    "Someone else saved this work order while you were working on it. Your input is still in "
    "the form; compare, then save again to keep yours."
)


@require(can_view_work_orders)
def work_order_list(request: HttpRequest) -> HttpResponse:
    work_orders = WorkOrderFilter(request.GET or None, queryset=WorkOrder.objects.for_list())
    return render_list(
        request, "workorders/work_order_list.html", work_orders.qs, {"filter": work_orders}
    )


@require(can_view_work_orders)
def work_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    work_order = get_object_or_404(WorkOrder.objects.for_list(), pk=pk)
    can_change = can_change_work_orders(request.user)
    show_callers = can_see_callers(request.user)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    form = None
    context = {}
    if can_change:
        data = request.POST if request.method == "POST" else None
        form = WorkOrderForm(data, instance=work_order)
    if request.method == "POST" and form.is_valid():
        attempt = save_or_conflict(
            form,
            lambda: work_order_update(
                work_order=work_order,
                values=form.values(),
                expected_version=form.cleaned_data["version"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            ),
            CONFLICT,
        )
        if attempt.saved is not None:
            saved = attempt.saved
            messages.success(request, _("Work order %(number)s was saved.") % {"number": saved})
            return redirect(saved)
        # After a conflict, the page shows the work order as the other person saved it.
        form, work_order = attempt.form, attempt.current or work_order
        context["differences"] = attempt.differences
    linked = list(linked_requests(work_order, show_callers))
    return render_page(
        request,
        "workorders/work_order_detail.html",
        {
            "work_order": work_order,
            "form": form,
            "linked_requests": linked,
            "reported": reported_description(work_order),
            "caller": first_caller(linked) if show_callers else None,
            "show_callers": show_callers,
            "history": work_order.changes.select_related("changed_by")[:50],
            **context,
        },
        "form",
    )


def linked_requests(work_order: WorkOrder, show_callers: bool):
    """The requests linked to the work order; their callers' details only for those who may see
    them (the rest are not even read)."""
    linked = work_order.requests.select_related("agent").order_by("started_at")
    if show_callers:
        return linked.select_related("customer")
    return linked.only("pk", "number", "status", "started_at", "work_order", "agent")


def reported_description(work_order: WorkOrder) -> str:
    """What the first caller who described the problem said: the crew's best account of it."""
    described = work_order.requests.exclude(description="").order_by("started_at", "pk")
    return described.values_list("description", flat=True).first() or ""


def first_caller(linked: list) -> dict | None:
    """The contact of the first caller who left one, for the crew to call back or meet."""
    for report in linked:
        customer = report.customer
        contact = {
            "name": report.caller_name or (customer.name if customer else ""),
            "phone": report.caller_phone,
            "email": report.caller_email or (customer.email if customer else ""),
        }
        if any(contact.values()):
            return contact
    return None
