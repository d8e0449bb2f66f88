import difflib
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callcenter.access import require
from callcenter.concurrency import save_or_conflict
from callcenter.htmx import render_page
from callcenter.pages import page_without_count, query_without_page, render_list
from knowledgebase.access import (
    can_publish_articles,
    can_read_article,
    can_read_articles,
    can_write_articles,
    readable_articles,
)
from knowledgebase.filters import ArticleFilter
from knowledgebase.forms import ArticleForm, TopicForm
from knowledgebase.models import Article, ArticleKind, ArticleStatus, FailedSearch, Topic
from knowledgebase.rendering import render_markdown
from knowledgebase.search import search_articles, worth_searching_live
from knowledgebase.services import (
    article_archive,
    article_create,
    article_publish,
    article_restore,
    article_update,
    failed_search_delete,
    failed_search_record,
    topic_create,
)
from knowledgebase.usage import USAGE_DAYS, article_uses, most_used_articles

MOST_USED = 100


def readable_or_404(request: HttpRequest, pk: int) -> Article:
    article = get_object_or_404(
        Article.objects.select_related("link_target", "updated_by").prefetch_related(
            "topics", "categories", "problem_codes"
        ),
        pk=pk,
    )
    if not can_read_article(request.user, article):
        raise Http404
    return article


@require(can_read_articles)
def article_list(request: HttpRequest) -> HttpResponse:
    """Articles by filter; with search words, the ranked search with highlighted snippets.
    Filtering as the reader types is a GET; submitting the form is a POST (article_search),
    which comes back here with its errors when the filters are not valid."""
    posted = request.method == "POST"
    data = request.POST.copy() if posted else request.GET
    if posted:
        data.pop("csrfmiddlewaretoken", None)  # not into the page links
    articles = ArticleFilter(
        data if posted else data or None,
        queryset=readable_articles(request.user).defer("search_vector").order_by("title"),
        user=request.user,
    )
    if posted and articles.form.is_valid():
        return article_search(request, articles.form.cleaned_data)
    context = {
        "filter": articles,
        "query": query_without_page(data),
        "can_write": can_write_articles(request.user),
    }
    text = data.get("q", "").strip()
    if text and request.htmx and not worth_searching_live(text):
        context["hits"], context["keep_typing"] = [], True
    elif text and articles.form.is_valid():
        context["hits"] = search_hits(request, text, articles.form.cleaned_data)
    else:
        context["page"] = page_without_count(articles.qs, data.get("page"))
    return render_page(request, "knowledgebase/article_list.html", context, "results")


def search_hits(request: HttpRequest, text: str, filters: dict) -> list:
    hits = search_articles(
        text,
        user=request.user,
        language=filters.get("language") or None,
        topic=filters.get("topic"),
    )
    return [
        hit
        for hit in hits
        if (not filters.get("kind") or hit.article.kind == filters["kind"])
        and (not filters.get("status") or hit.article.status == filters["status"])
    ]


def article_search(request: HttpRequest, filters: dict) -> HttpResponse:
    """A search the reader submitted (Enter or the button): one that finds nothing is counted
    for the supervisors, then the results page, a GET that can be bookmarked, shows it (303).
    Only this POST counts: not every keystroke of live filtering, nor a link from elsewhere."""
    text = filters.get("q", "").strip()
    if text:
        failed_search_record(text=text, hits=search_hits(request, text, filters), user=request.user)
    query = QueryDict(mutable=True)
    for name in filters:
        if request.POST.get(name, "").strip():
            query[name] = request.POST[name]
    url = reverse("knowledgebase:article_list")
    return HttpResponseRedirect(f"{url}?{query.urlencode()}" if query else url, status=303)


@require(can_read_articles)
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = readable_or_404(request, pk)
    writer = can_write_articles(request.user)
    if article.kind == ArticleKind.ARTICLE_LINK and not writer:
        # Following a link-article opens what it points at.
        return redirect(article.link_target)
    return render(
        request,
        "knowledgebase/article_detail.html",
        {
            "article": article,
            "body": render_markdown(article.body),
            "can_write": writer,
            "can_publish": can_publish_articles(request.user),
            "uses": article_uses(article) if writer else None,
            "usage_days": USAGE_DAYS,
        },
    )


def form_page(request, form, article: Article | None = None, **context) -> HttpResponse:
    return render(
        request,
        "knowledgebase/article_form.html",
        {"form": form, "article": article, **context},
    )


@require(can_write_articles)
def article_new(request: HttpRequest) -> HttpResponse:
    initial = {
        "kind": request.GET.get("kind", ArticleKind.SCRIPT),
        "language": request.LANGUAGE_CODE,
    }
    form = ArticleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            article = article_create(
                values=form.values(), relations=form.relations(), user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(title)s” was saved as a draft.") % {"title": article})
            return redirect(article)
    return form_page(request, form)


@require(can_write_articles)
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    form = ArticleForm(request.POST if request.method == "POST" else None, instance=article)
    if request.method == "POST" and form.is_valid():
        attempt = save_or_conflict(
            form,
            lambda: article_update(
                article=article,
                values=form.values(),
                relations=form.relations(),
                expected_version=form.cleaned_data["version"],
                user=request.user,
            ),
            saved_meanwhile,
            compare=None,
        )
        if attempt.saved is not None:
            messages.success(request, _("“%(title)s” was saved.") % {"title": attempt.saved})
            return redirect(attempt.saved)
        form = attempt.form
    return form_page(request, form, article)


def saved_meanwhile(current: Article) -> str:
    return _(
        "%(user)s saved this article while you were editing it. Your text is still in the form: "
        "save again to keep it, or open the article to see theirs."
    ) % {"user": current.updated_by}


@require_POST
@require(can_publish_articles)
def article_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    publish = request.POST.get("status") == ArticleStatus.PUBLISHED
    try:
        if publish:
            article = article_publish(article=article, user=request.user)
        else:
            article = article_archive(article=article, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        message = _("“%(title)s” is published.") if publish else _("“%(title)s” is archived.")
        messages.success(request, message % {"title": article})
    return redirect(article)


# Words and the spaces between them, each its own token, so that a diff of tokens shows which
# words changed and joining them gives back the text exactly.
TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
# Unchanged words kept on either side of a change; longer unchanged stretches are cut with "…".
CONTEXT_TOKENS = 12


def revision_changes(older: dict, newer: dict) -> list[dict]:
    """Per field, the words removed and added from one revision to the next."""
    changes = []
    for field in newer:
        before, after = str(older.get(field) or ""), str(newer.get(field) or "")
        if before != after:
            label = Article._meta.get_field(field.removesuffix("_id")).verbose_name
            changes.append({"field": label, "segments": word_diff(before, after)})
    return changes


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """(kind, text) segments, kind "equal", "delete" or "insert": the words that changed, in
    the unchanged words around them."""
    old, new = TOKENS.findall(before), TOKENS.findall(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    segments = []
    opcodes = matcher.get_opcodes()
    for index, (tag, old_start, old_end, new_start, new_end) in enumerate(opcodes):
        if tag == "equal":
            segments.append(("equal", shortened(old[old_start:old_end], index, len(opcodes))))
            continue
        if tag in ("delete", "replace"):
            segments.append(("delete", "".join(old[old_start:old_end])))
        if tag in ("insert", "replace"):
            segments.append(("insert", "".join(new[new_start:new_end])))
    return segments


def shortened(tokens: list[str], index: int, count: int) -> str:
    """An unchanged stretch, cut to the words next to the changes before and after it."""
    keep_start = CONTEXT_TOKENS if index > 0 else 0
    keep_end = CONTEXT_TOKENS if index < count - 1 else 0
    if len(tokens) <= keep_start + keep_end + 1:
        return "".join(tokens)
    head = "".join(tokens[:keep_start])
    tail = "".join(tokens[len(tokens) - keep_end :]) if keep_end else ""
    return f"{head}…{tail}"


@require(can_write_articles)
def article_revisions(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    revisions = list(article.revisions.select_related("changed_by").order_by("-number"))
    entries = [
        {
            "revision": revision,
            "changes": revision_changes(
                revisions[index + 1].content if index + 1 < len(revisions) else {},
                revision.content,
            ),
        }
        for index, revision in enumerate(revisions)
    ]
    return render(
        request, "knowledgebase/article_revisions.html", {"article": article, "entries": entries}
    )


@require_POST
@require(can_write_articles)
def article_restore_revision(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    revision = get_object_or_404(article.revisions, number=number)
    try:
        article_restore(article=article, revision=revision, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Revision %(number)s is the article's text again.") % {"number": number}
        )
    return redirect(article)


@require(can_read_articles)
def topic_list(request: HttpRequest) -> HttpResponse:
    writer = can_write_articles(request.user)
    form = TopicForm(request.POST if request.method == "POST" and writer else None)
    if request.method == "POST":
        if not writer:
            raise Http404
        if form.is_valid():
            try:
                topic = topic_create(**form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Topic “%(name)s” was added.") % {"name": topic})
                return redirect("knowledgebase:topic_list")
    topics = sorted(Topic.objects.select_related("parent"), key=lambda topic: topic.path_label())
    return render(
        request,
        "knowledgebase/topic_list.html",
        {"topics": topics, "form": form if writer else None},
    )


# How the knowledge base is used --------------------------------------------------------------


@require(can_write_articles)
def article_usage(request: HttpRequest) -> HttpResponse:
    """The articles agents opened from requests in the last 30 days, most used first."""
    return render(
        request,
        "knowledgebase/article_usage.html",
        {"articles": most_used_articles()[:MOST_USED], "days": USAGE_DAYS, "limit": MOST_USED},
    )


@require(can_write_articles)
def failed_searches(request: HttpRequest) -> HttpResponse:
    """What agents searched for and did not find: what to write next."""
    searches = FailedSearch.objects.select_related("last_searched_by").order_by(
        "-count", "-last_searched_at"
    )
    return render_list(request, "knowledgebase/failed_searches.html", searches)


@require_POST
@require(can_write_articles)
def failed_search_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a search off the list (once an article answers it); it comes back if it fails
    again."""
    search = get_object_or_404(FailedSearch, pk=pk)
    failed_search_delete(search=search)
    messages.success(request, _("“%(text)s” was taken off the list.") % {"text": search})
    return redirect("knowledgebase:failed_searches")
