from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callcenter.access import require
from callcenter.concurrency import EditConflict, form_differences, rebind_at_current_version
from callcenter.htmx import render_page
from requests_app.access import can_reopen, can_take_requests
from requests_app.filters import RequestFilter
from requests_app.forms import CustomerForm, NewRequestForm, RequestForm
from requests_app.models import Customer, CustomerRequest
from requests_app.services import customer_save, request_save, request_start

PAGE_SIZE = 25
CALLER_FIELDS = ("caller_phone", "caller_email", "caller_name")


# Starting and saving a request -------------------------------------------------------------------


@require_POST
@require(can_take_requests)
def request_new(request: HttpRequest) -> HttpResponse:
    """Save first: the contact is on record before the agent types anything."""
    form = NewRequestForm(request.POST)
    channel = form.cleaned_data["channel"] if form.is_valid() else form.fields["channel"].initial
    customer_request = request_start(agent=request.user, channel=channel)
    return redirect(customer_request)


@require(can_take_requests)
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer_request = get_object_or_404(
        CustomerRequest.objects.select_related("customer", "agent", "problem_code"), pk=pk
    )
    data = with_picked_caller(request) if request.method == "POST" else None
    form = RequestForm(data, instance=customer_request)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_request(request, customer_request, form)
        except EditConflict as conflict:
            return conflict_page(request, form, conflict.current)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Request %(number)s was saved.") % {"number": saved})
            return redirect(saved)
    return request_page(request, customer_request, form)


def with_picked_caller(request: HttpRequest):
    """The posted form, with the caller the agent picked from the lookup (if any): the request
    points at the customer, and caller fields left empty take the customer's details."""
    data = request.POST.copy()
    picked = request.POST.get("pick_customer", "")
    customer = Customer.objects.filter(pk=picked).first() if picked.isdigit() else None
    if customer is not None:
        data["customer"] = customer.pk
        phone = customer.phones.first()
        for field, value in [
            ("caller_name", customer.name),
            ("caller_email", customer.email),
            ("caller_phone", str(phone) if phone else ""),
        ]:
            if not data.get(field, "").strip():
                data[field] = value
    return data


@transaction.atomic
def save_request(request: HttpRequest, customer_request: CustomerRequest, form: RequestForm):
    """Save the request, and first the caller as a new contact when the agent asked for it;
    both or neither."""
    values = form.values()
    if "save_contact" in request.POST:
        if not values["caller_name"].strip():
            raise ValidationError(
                {"caller_name": _("Type the caller's name to save them as a new contact.")}
            )
        values["customer"] = customer_save(
            values={"name": values["caller_name"], "email": values["caller_email"]},
            phones=[values["caller_phone"]],
        )
    return request_save(
        request=customer_request,
        values=values,
        expected_version=form.cleaned_data["version"],
        user=request.user,
        reason=form.cleaned_data["reason"],
    )


def conflict_page(request: HttpRequest, form: RequestForm, current: CustomerRequest):
    """Another agent saved first: keep this agent's input, show what the other one saved."""
    differences = form_differences(form, current)
    rebound = rebind_at_current_version(
        RequestForm,
        request.POST,
        current,
        _(
            "Someone else saved this request while you were working on it. Your input is still "
            "in the form; compare it with theirs below, then save again to keep yours."
        ),
    )
    return request_page(request, current, rebound, differences=differences)


def request_page(request, customer_request: CustomerRequest, form: RequestForm, **context):
    history = customer_request.changes.select_related("changed_by")[:50]
    return render_page(
        request,
        "requests_app/request_edit.html",
        {
            "customer_request": customer_request,
            "form": form,
            "history": history,
            "can_reopen": can_reopen(request.user),
            **context,
        },
        "form",
    )


# Finding requests --------------------------------------------------------------------------------


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


@require(can_take_requests)
def request_list(request: HttpRequest) -> HttpResponse:
    requests = RequestFilter(request.GET or None, queryset=CustomerRequest.objects.for_list())
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "requests_app/request_list.html",
        {
            "filter": requests,
            "page": page_without_count(requests.qs, request.GET.get("page")),
            "query": query.urlencode(),
            "new_request_form": NewRequestForm(),
        },
        "results",
    )


@require(can_take_requests)
def my_follow_ups(request: HttpRequest) -> HttpResponse:
    follow_ups = CustomerRequest.objects.follow_ups_of(request.user)
    return render(
        request,
        "requests_app/follow_up_list.html",
        {"page": page_without_count(follow_ups, request.GET.get("page"))},
    )


# Callers -----------------------------------------------------------------------------------------


@require(can_take_requests)
def caller_lookup(request: HttpRequest) -> HttpResponse:
    """Matches for what the agent typed in the caller fields, each with its requests."""
    # Each caller field asks with its own value alone (hx-include="this").
    text = next(
        (request.GET[name] for name in CALLER_FIELDS if request.GET.get(name, "").strip()), ""
    )
    matches = [
        (customer, customer.recent_requests()) for customer in Customer.objects.matching(text)
    ]
    return render(
        request,
        "requests_app/request_edit.html#caller_matches",
        {"matches": matches, "searched": text.strip()},
    )


@require(can_take_requests)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.prefetch_related("phones"), pk=pk)
    interactions = customer.requests.select_related("agent", "problem_code").order_by(
        "-started_at", "-id"
    )
    return render_page(
        request,
        "requests_app/customer_detail.html",
        {"customer": customer, "page": page_without_count(interactions, request.GET.get("page"))},
        "interactions",
    )


@require(can_take_requests)
def customer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk) if pk else None
    form = CustomerForm(request.POST if request.method == "POST" else None, instance=customer)
    if request.method == "POST" and form.is_valid():
        try:
            customer = customer_save(
                values=form.values(),
                phones=form.phones(),
                customer=customer,
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as conflict:
            form = rebind_at_current_version(
                CustomerForm,
                request.POST,
                conflict.current,
                _(
                    "Someone else saved this customer meanwhile. Your input is still in the "
                    "form: save again to keep it, or reload the page to see theirs."
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(name)s” was saved.") % {"name": customer})
            return redirect(customer)
    return render(request, "requests_app/customer_form.html", {"form": form, "customer": customer})
