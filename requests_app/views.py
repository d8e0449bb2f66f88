from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from callcenter.access import require
from callcenter.concurrency import rebind_at_current_version, save_or_conflict
from callcenter.htmx import render_page
from callcenter.inputs import parse_id
from callcenter.pages import render_list
from hierarchy.models import ProblemCode
from knowledgebase.access import can_read_article
from knowledgebase.models import Article
from knowledgebase.rendering import render_markdown
from knowledgebase.search import search_articles, search_words, worth_searching_live
from knowledgebase.services import failed_search_record
from requests_app.access import (
    can_change_request_settings,
    can_discard,
    can_reopen,
    can_take_requests,
)
from requests_app.filters import RequestFilter
from requests_app.forms import CustomerForm, NewRequestForm, RequestForm, RequestTypeSettingForm
from requests_app.models import (
    Customer,
    CustomerRequest,
    RequestType,
    RequestTypeSetting,
    Status,
)
from requests_app.sections import customer_sections, request_sections
from requests_app.services import (
    customer_save,
    request_consult,
    request_discard,
    request_is_blank,
    request_save,
    request_searched_knowledge,
    request_start,
    request_start_for_customer,
    request_type_setting_save,
)
from requests_app.timeline import timeline
from workorders.models import ACTIVE, WorkOrder
from workorders.services import Report, work_order_duplicates

KNOWLEDGE_HITS = 10
CALLER_FIELDS = ("caller_phone", "caller_email", "caller_name")

REQUEST_CONFLICT = gettext_lazy(
    "Someone else saved this request while you were working on it. Your input is still in the "
    "form; compare it with theirs below, then save again to keep yours."
)
CUSTOMER_CONFLICT = gettext_lazy(
    "Someone else saved this customer meanwhile. Your input is still in the form: save again "
    "to keep it, or reload the page to see theirs."
)
SETTING_CONFLICT = gettext_lazy(
    "Someone else changed this setting meanwhile; it now reads as they saved it. Save again to "
    "keep your choice."
)


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
    form = RequestForm(
        data, instance=customer_request, may_reopen=may_reopen(request.user, customer_request)
    )
    if request.method == "POST" and form.is_valid():
        attempt = save_or_conflict(
            form,
            lambda: save_request(request, customer_request, form),
            REQUEST_CONFLICT,
            rebind=lambda current, message: rebind_at_current_version(
                partial(RequestForm, may_reopen=may_reopen(request.user, current)),
                form.data,
                current,
                message,
            ),
        )
        if attempt.saved is not None:
            messages.success(request, saved_message(attempt.saved))
            return redirect(attempt.saved)
        # After a conflict, the page shows the request as the other agent saved it.
        customer_request = attempt.current or customer_request
        return request_page(
            request, customer_request, attempt.form, differences=attempt.differences
        )
    return request_page(request, customer_request, form)


def may_reopen(user, customer_request: CustomerRequest) -> bool:
    """A supervisor may reopen a closed request, but not a discarded one (request_save)."""
    return can_reopen(user) and customer_request.discarded_at is None


def saved_message(saved: CustomerRequest) -> str:
    """One line with all the agent tells the caller: the request's number, and for an action
    request its work order and the date it is done by."""
    work_order = saved.work_order
    if work_order is None:
        return _("Request %(number)s was saved.") % {"number": saved}
    if work_order.due_at is None:
        return _("Request %(number)s was saved · work order %(work_order)s.") % {
            "number": saved,
            "work_order": work_order.number,
        }
    due = date_format(timezone.localtime(work_order.due_at), "DATE_FORMAT")
    return _(
        "Request %(number)s was saved · work order %(work_order)s · tell the caller: done by "
        "%(due)s."
    ) % {"number": saved, "work_order": work_order.number, "due": due}


@require_POST
@require(can_take_requests)
def discard_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Discard a request with nothing typed (the Discard button, or Esc twice). The button sits
    in the request form and posts all of it: what is in the form counts as typed, saved or not."""
    customer_request = get_object_or_404(CustomerRequest, pk=pk)
    if not can_discard(request.user, customer_request):
        raise Http404
    try:
        request_discard(request=customer_request, user=request.user, typed=request.POST)
    except ValidationError as error:
        form = RequestForm(
            request.POST if "version" in request.POST else None,
            instance=customer_request,
            may_reopen=may_reopen(request.user, customer_request),
        )
        form.is_valid()
        form._errors = ErrorDict()  # nothing is being saved: only the refusal to show
        form.add_error(None, error)
        return request_page(request, customer_request, form)
    messages.success(
        request,
        _("Request %(number)s was discarded: it counts as a contact, but is no longer listed.")
        % {"number": customer_request.number},
    )
    return redirect("dashboard")


def with_picked_caller(request: HttpRequest):
    """The posted form, with the caller the agent picked from the lookup (if any): the request
    points at the customer, and caller fields left empty take the customer's details."""
    data = request.POST.copy()
    picked = parse_id(request.POST.get("pick_customer"))
    customer = Customer.objects.filter(pk=picked).first() if picked else None
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


def save_request(request: HttpRequest, customer_request: CustomerRequest, form: RequestForm):
    """Save the request; request_save links the caller to their customer, or makes one."""
    return request_save(
        request=customer_request,
        values=form.values(),
        expected_version=form.cleaned_data["version"],
        user=request.user,
        reason=form.cleaned_data["reason"],
        work_order_choice=form.work_order(),
    )


def request_page(request, customer_request: CustomerRequest, form: RequestForm, **context):
    return render_page(
        request,
        "requests_app/request_edit.html",
        {
            "customer_request": customer_request,
            "form": form,
            # Read only by the whole page, not by the form's fragment over HTMX.
            "timeline": SimpleLazyObject(
                lambda: timeline(request, CustomerRequest.objects.filter(pk=customer_request.pk))
            ),
            "can_reopen": can_reopen(request.user),
            **code_articles(request, customer_request, customer_request.problem_code_id),
            "consulted": consulted_articles(customer_request),
            "discardable": can_discard(request.user, customer_request)
            and request_is_blank(customer_request),
            # A new request opens with the focus in "Phone"; after a save the confirmation has
            # it, after a refused save the error summary (callcenter.js).
            "fresh": customer_request.version == 1
            and not form.is_bound
            and customer_request.status == Status.OPEN,
            **call_time(customer_request),
            "matches": refused_caller_matches(form),
            "sections": request_sections(request, customer_request),
            **work_order_outlook(
                customer_request,
                form["problem_code"].value(),
                form["work_address"].value(),
                form["work_order_choice"].value(),
            ),
            **context,
        },
        "form",
    )


def call_time(customer_request: CustomerRequest) -> dict:
    """The seconds since the call started (until it was finished), and as mm:ss; the page's
    script counts on from them."""
    end = customer_request.finished_at or timezone.now()
    seconds = max(0, int((end - customer_request.started_at).total_seconds()))
    return {"call_seconds": seconds, "call_time": f"{seconds // 60:02d}:{seconds % 60:02d}"}


def work_order_outlook(customer_request, problem_code_id, address, choice) -> dict:
    """What saving will do for an action request without a work order: link to the open one
    for the problem at the place (shown, so the agent can tell the caller), or create one from
    the problem code's standard work order."""
    if customer_request.work_order_id:
        return {}
    code_id = parse_id(problem_code_id)
    code = (
        ProblemCode.objects.select_related("standard_work_order").filter(pk=code_id).first()
        if code_id
        else None
    )
    duplicates = work_order_duplicates(Report(code, address or ""))
    return {
        "duplicates": duplicates,
        "new_from": code,
        "promise": code.promise_dates(timezone.now()) if code else None,
        "work_order_choice": choice or (str(duplicates[0].pk) if duplicates else ""),
    }


@require(can_take_requests)
def request_work_order_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The work-order part of an action request, again for the code and address just typed."""
    customer_request = get_object_or_404(CustomerRequest, pk=pk)
    context = work_order_outlook(
        customer_request,
        request.GET.get("problem_code"),
        request.GET.get("work_address"),
        request.GET.get("work_order_choice"),
    )
    context["reason"] = request.GET.get("work_order_reason", "")
    return render(
        request,
        "requests_app/request_edit.html#work_order_check",
        {"customer_request": customer_request, **context},
    )


# The knowledge base from the request -------------------------------------------------------------


def code_articles(request: HttpRequest, customer_request: CustomerRequest, problem_code_id):
    """The published articles tagged with the problem code, for an action request, as
    in_languages groups them."""
    if not problem_code_id:
        return {}
    hits = search_articles("", user=request.user, problem_code=problem_code_id, published_only=True)
    first, others = in_languages(hits, request, customer_request)
    return {"code_hits": first, "code_other_hits": others}


def in_languages(hits: list, request: HttpRequest, customer_request: CustomerRequest):
    """The hits in the agent's language or the caller's preferred one, and the others (shown
    folded under "Other languages"); each in the search's order."""
    languages = {request.LANGUAGE_CODE}
    if customer_request.customer_id:
        languages.add(customer_request.customer.preferred_language)
    first = [hit for hit in hits if hit.article.language in languages]
    return first, [hit for hit in hits if hit.article.language not in languages]


def hit_groups(hits: list, request: HttpRequest, customer_request: CustomerRequest) -> dict:
    first, others = in_languages(hits, request, customer_request)
    return {"hits": first, "other_hits": others}


def consulted_articles(customer_request: CustomerRequest) -> list:
    return list(customer_request.consulted_articles.select_related("article", "consulted_by"))


@require(can_take_requests)
def request_knowledge_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The knowledge-base search in the request form: published articles only. As the agent
    types (GET) it only shows what it finds. A submitted search (POST: Enter or the Search
    button) is noted on the request, which counts toward "search before resolving", and one that
    found nothing is counted for the supervisors."""
    customer_request = get_object_or_404(CustomerRequest.objects.select_related("customer"), pk=pk)
    if request.method != "POST":
        return live_knowledge_search(request, customer_request)
    text = request.POST.get("kb_q", "").strip()
    hits = search_articles(text, user=request.user, published_only=True, limit=KNOWLEDGE_HITS)
    if search_words(text):
        request_searched_knowledge(customer_request)
        failed_search_record(text=text, hits=hits, user=request.user)
    context = {**hit_groups(hits, request, customer_request), "searched": text, "submitted": True}
    if not request.htmx:
        return typed_request_page(request, customer_request, **context)
    return render(
        request,
        "requests_app/knowledge_panel.html#search_hits",
        {"customer_request": customer_request, **context},
    )


def live_knowledge_search(request: HttpRequest, customer_request: CustomerRequest) -> HttpResponse:
    text = request.GET.get("kb_q", "").strip()
    context = {"customer_request": customer_request}
    if worth_searching_live(text):
        hits = search_articles(text, user=request.user, published_only=True, limit=KNOWLEDGE_HITS)
        context.update(hit_groups(hits, request, customer_request), searched=text)
    else:
        context.update(keep_typing=bool(text))
    return render(request, "requests_app/knowledge_panel.html#search_hits", context)


@require(can_take_requests)
def request_code_articles(request: HttpRequest, pk: int) -> HttpResponse:
    """The articles for the problem code the agent just picked."""
    customer_request = get_object_or_404(CustomerRequest.objects.select_related("customer"), pk=pk)
    code = parse_id(request.GET.get("problem_code"))
    return render(
        request,
        "requests_app/knowledge_panel.html#code_hits",
        {
            "customer_request": customer_request,
            **code_articles(request, customer_request, code),
        },
    )


@require(can_take_requests)
def request_consult_article(request: HttpRequest, pk: int, article_pk: int) -> HttpResponse:
    """Open an article from the request (POST): recorded on the request as consulted (the first
    time) and shown in the form's panel; a link-article opens its target. A GET (an old link,
    or one from another site) records nothing: it opens the article's own page."""
    customer_request = get_object_or_404(CustomerRequest.objects.select_related("customer"), pk=pk)
    article = get_object_or_404(
        Article.objects.published().select_related("link_target"), pk=article_pk
    )
    if not can_read_article(request.user, article):
        raise Http404
    if request.method != "POST":
        return redirect(article)
    shown = request_consult(request=customer_request, article=article, user=request.user)
    context = {
        "opened": shown,
        "opened_body": render_markdown(shown.body),
        "consulted": consulted_articles(customer_request),
    }
    if not request.htmx:
        return typed_request_page(
            request, customer_request, **context, **kept_search(request, customer_request)
        )
    return render(
        request,
        "requests_app/knowledge_panel.html#opened_article",
        {"customer_request": customer_request, **context},
    )


def typed_request_page(request: HttpRequest, customer_request: CustomerRequest, **context):
    """The request page after a search or an article opened without JavaScript. Their buttons
    sit in the request form and post all of it here (formaction), so the page comes back with
    everything the agent typed: not saved, and not checked either (errors wait for Save)."""
    reopens = may_reopen(request.user, customer_request)
    if "version" in request.POST:
        form = RequestForm(request.POST, instance=customer_request, may_reopen=reopens)
        form._errors = ErrorDict()  # nothing is being saved: no error to show yet
    else:
        form = RequestForm(instance=customer_request, may_reopen=reopens)
    return request_page(request, customer_request, form, **context)


def kept_search(request: HttpRequest, customer_request: CustomerRequest) -> dict:
    """The search the agent had made, shown again beside the article opened (without
    recording it again)."""
    text = request.POST.get("kb_q", "").strip()
    if not search_words(text):
        return {}
    hits = search_articles(text, user=request.user, published_only=True, limit=KNOWLEDGE_HITS)
    return {**hit_groups(hits, request, customer_request), "searched": text}


def request_type_settings_page(
    request: HttpRequest, *, form_class, for_type, save, saved: str, next_url: str, template: str
) -> HttpResponse:
    """A page of settings with one form per request type, each saved on its own by
    save(request_type, cleaned_data) against the version the form was read at: a change someone
    else saved meanwhile is shown, not overwritten. `saved` says so after a save (%(type)s)."""
    posted = request.POST.get("request_type") if request.method == "POST" else None
    forms = {
        request_type: form_class(
            request.POST if request_type == posted else None, instance=for_type(request_type)
        )
        for request_type in RequestType.values
    }
    form = forms.get(posted)
    if form is not None and form.is_valid():
        attempt = save_or_conflict(
            form, lambda: save(posted, form.cleaned_data), SETTING_CONFLICT, compare=None
        )
        if attempt.saved is not None:
            messages.success(request, saved % {"type": attempt.saved})
            return redirect(next_url)
        forms[posted] = attempt.form
    return render(request, template, {"forms": forms.values()})


@require(can_change_request_settings)
def request_settings(request: HttpRequest) -> HttpResponse:
    """What each request type asks of agents; one form per type, each saved on its own."""
    return request_type_settings_page(
        request,
        form_class=RequestTypeSettingForm,
        for_type=RequestTypeSetting.for_type,
        save=lambda request_type, data: request_type_setting_save(
            request_type=request_type,
            knowledge_search_required=data["knowledge_search_required"],
            expected_version=data["version"],
            user=request.user,
        ),
        saved=_("The setting for “%(type)s” requests was saved."),
        next_url="requests_app:request_settings",
        template="requests_app/request_settings.html",
    )


# Finding requests --------------------------------------------------------------------------------


@require(can_take_requests)
def request_list(request: HttpRequest) -> HttpResponse:
    requests = RequestFilter(request.GET or None, queryset=CustomerRequest.objects.for_list())
    return render_list(
        request,
        "requests_app/request_list.html",
        requests.qs,
        {"filter": requests, "new_request_form": NewRequestForm()},
    )


@require(can_take_requests)
def my_follow_ups(request: HttpRequest) -> HttpResponse:
    follow_ups = CustomerRequest.objects.follow_ups_of(request.user)
    return render_list(request, "requests_app/follow_up_list.html", follow_ups)


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


def refused_caller_matches(form: RequestForm) -> list:
    """After a save refused because several customers have the caller's number or address:
    those customers, each with a "Use" button, so the agent chooses without typing again."""
    fields = [name for name in CALLER_FIELDS if form.has_error(name, "several_callers")]
    found = {}
    for name in fields:
        for customer in Customer.objects.matching(form[name].value() or ""):
            found.setdefault(customer.pk, customer)
    return [(customer, customer.recent_requests()) for customer in found.values()]


@require(can_take_requests)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.prefetch_related("phones"), pk=pk)
    interactions = customer.requests.select_related("agent", "problem_code").order_by(
        "-started_at", "-id"
    )
    return render_list(
        request,
        "requests_app/customer_detail.html",
        interactions,
        {
            "customer": customer,
            "open_work_orders": open_work_orders_of(customer),
            "channel_form": NewRequestForm(),
            "sections": customer_sections(request, customer),
            # Read only by the whole page, not by the next page of interactions over HTMX.
            "timeline": SimpleLazyObject(
                lambda: timeline(request, customer.requests.all(), customer)
            ),
        },
        partial="interactions",
    )


def open_work_orders_of(customer: Customer, limit: int = 20) -> list[WorkOrder]:
    """The work orders still to be done for the customer's requests (through the requests'
    customer index), the soonest due first."""
    reported = customer.requests.filter(work_order__isnull=False).values("work_order_id")
    return list(
        WorkOrder.objects.for_list()
        .filter(pk__in=reported, status__in=ACTIVE)
        .order_by("due_at", "pk")[:limit]
    )


@require_POST
@require(can_take_requests)
def customer_new_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A new contact from the customer's page: the request starts linked to them."""
    customer = get_object_or_404(Customer, pk=pk)
    form = NewRequestForm(request.POST)
    channel = form.cleaned_data["channel"] if form.is_valid() else form.fields["channel"].initial
    customer_request = request_start_for_customer(
        agent=request.user, customer=customer, channel=channel
    )
    return redirect(customer_request)


@require(can_take_requests)
def customer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk) if pk else None
    form = CustomerForm(request.POST if request.method == "POST" else None, instance=customer)
    if request.method == "POST" and form.is_valid():
        attempt = save_or_conflict(
            form,
            lambda: customer_save(
                values=form.values(),
                phones=form.phones(),
                customer=customer,
                expected_version=form.cleaned_data["version"],
            ),
            CUSTOMER_CONFLICT,
            compare=None,
        )
        if attempt.saved is not None:
            messages.success(request, _("“%(name)s” was saved.") % {"name": attempt.saved})
            return redirect(attempt.saved)
        form = attempt.form
    return render(request, "requests_app/customer_form.html", {"form": form, "customer": customer})
