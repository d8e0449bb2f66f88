"""Knowledge-base articles in an e-mail reply: which ones the reply box offers, and each as
plain text (an e-mail from the desk is plain text; the articles are Markdown)."""

import re
from html.parser import HTMLParser

from knowledgebase.access import can_read_article
from knowledgebase.models import Article
from knowledgebase.rendering import render_markdown
from requests_app.models import CustomerRequest

# More than an agent chooses between in a select.
OFFERED = 30


def reply_articles(user, request: CustomerRequest) -> list[Article]:
    """The articles the agent consulted on the request, then the published ones for its
    problem code: those the user may read, each once."""
    consulted = [
        use.article
        for use in request.consulted_articles.select_related("article__link_target").order_by(
            "consulted_at", "pk"
        )
    ]
    for_code = []
    if request.problem_code_id:
        for_code = list(
            Article.objects.published()
            .filter(problem_codes=request.problem_code_id)
            .select_related("link_target")
            .order_by("title")[:OFFERED]
        )
    offered = {}
    for article in [*consulted, *for_code]:
        if article.pk not in offered and can_read_article(user, article):
            offered[article.pk] = article
    return list(offered.values())[:OFFERED]


def article_text(article: Article) -> str:
    """The article as plain text: its title, summary, phone numbers or link, and its body with
    the Markdown's structure kept as text (paragraphs, "- " for list items, "1." for numbered
    ones, a link's address after its words)."""
    if article.kind == "article_link" and article.link_target is not None:
        return article_text(article.link_target)
    parts = [article.title]
    if article.summary:
        parts.append(article.summary)
    for entry in article.phone_numbers or []:
        if isinstance(entry, dict):
            parts.append(f"{entry.get('label', '')}: {entry.get('number', '')}".strip(": "))
    if article.external_url:
        parts.append(article.external_url)
    if article.body:
        parts.append(markdown_text(article.body))
    return "\n\n".join(part.strip() for part in parts if part.strip())


def markdown_text(markdown: str) -> str:
    """Markdown as plain text, through the knowledge base's own (sanitised) HTML."""
    converter = _PlainText()
    converter.feed(str(render_markdown(markdown)))
    converter.close()
    text = "".join(converter.out)
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _PlainText(HTMLParser):
    BLOCKS = {"p", "h2", "h3", "h4", "pre", "blockquote", "table", "ul", "ol", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list] = []  # per open list: [kind, next number]
        self.href: str | None = None
        self.link_words: list[str] = []
        self.tables = 0
        self.cells = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS and not self.lists:
            self.out.append("\n\n")
        if tag in ("ul", "ol"):
            self.lists.append([tag, 1])
        elif tag == "li" and self.lists:
            kind = self.lists[-1]
            indent = "  " * (len(self.lists) - 1)
            if kind[0] == "ol":
                self.out.append(f"\n{indent}{kind[1]}. ")
                kind[1] += 1
            else:
                self.out.append(f"\n{indent}- ")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "table":
            self.tables += 1
        elif tag == "tr":
            self.out.append("\n")
            self.cells = 0
        elif tag in ("td", "th"):
            self.out.append(" | " if self.cells else "")
            self.cells += 1
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.link_words = []
        elif tag == "hr":
            self.out.append("----")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self.out.append("\n\n")
        elif tag == "table":
            self.tables = max(0, self.tables - 1)
            self.out.append("\n\n")
        elif tag == "a":
            words = "".join(self.link_words).strip()
            if self.href and self.href not in (words, "mailto:" + words, "tel:" + words):
                self.out.append(f" ({self.href.removeprefix('mailto:')})")
            self.href = None
        elif tag in self.BLOCKS and not self.lists:
            self.out.append("\n\n")

    def handle_data(self, data):
        if (self.lists or self.tables) and not data.strip() and "\n" in data:
            return  # the newlines between a list's or a table's tags are layout, not text
        if self.lists or self.tables:
            data = re.sub(r"\s+", " ", data)
        self.out.append(data)
        if self.href is not None:
            self.link_words.append(data)
