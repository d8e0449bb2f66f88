"""The demo knowledge base: call scripts, phone numbers and links in English, German and
Norwegian, tagged with the demo catalogue's problem codes, one Markdown file per article in
demo/articles/, written through knowledgebase.services.

A file starts with a header of `key: value` lines between two `---` lines:

    ---
    title: Appliance pickup
    kind: script                  (script, phone numbers, external link, article link)
    language: en                  (en, de, nb; en if left out)
    topics: Waste and recycling / Household collection, Parking
    problem codes: APPL, BULK
    keywords: fridge, freezer     (the words callers use, in the article's language)
    summary: One line for the lists.
    url: https://...              (an external link's address)
    link to: Appliance pickup     (an article link's target, by title)
    status: draft                 (left unpublished; published if left out)
    ---

and the rest is the article's text: a script's Markdown, or a phone-number article's numbers,
one `- label: number` line each. Demo content is data, not interface text: nothing here is
marked for translation.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from hierarchy.models import ProblemCode
from knowledgebase.models import Article, ArticleKind, Topic
from knowledgebase.services import article_create, article_publish, topic_create

ARTICLES = Path(__file__).with_name("articles")
KINDS = {
    "script": ArticleKind.SCRIPT,
    "phone numbers": ArticleKind.PHONE_NUMBERS,
    "external link": ArticleKind.EXTERNAL_LINK,
    "article link": ArticleKind.ARTICLE_LINK,
}
HEADER = {
    "title",
    "kind",
    "language",
    "topics",
    "problem codes",
    "keywords",
    "summary",
    "url",
    "link to",
    "status",
}
REQUIRED = {"title", "kind", "topics"}
FENCE = "---"
TOPIC_SEPARATOR = " / "


class ArticleFileError(ValueError):
    """A demo article file that cannot be read; the message names the file and line."""


@dataclass
class DemoArticle:
    name: str  # the file's name, for messages
    title: str
    kind: str
    language: str = "en"
    topics: list[list[str]] = field(default_factory=list)  # each a path from the top
    codes: list[str] = field(default_factory=list)
    keywords: str = ""
    summary: str = ""
    body: str = ""
    phone_numbers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    link_to: str = ""
    draft: bool = False


def read_article(path: Path) -> DemoArticle:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise ArticleFileError(f"{path.name}, line 1: the header must start with '{FENCE}'.")
    try:
        end = next(n for n, line in enumerate(lines[1:], 1) if line.strip() == FENCE)
    except StopIteration:
        raise ArticleFileError(f"{path.name}: the header has no closing '{FENCE}'.") from None
    header: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], 2):
        key, colon, value = line.partition(":")
        key = key.strip().lower()
        if not colon or key not in HEADER:
            raise ArticleFileError(
                f"{path.name}, line {number}: expected 'key: value' with one of the keys "
                f"{', '.join(sorted(HEADER))}."
            )
        if key in header:
            raise ArticleFileError(f"{path.name}, line {number}: '{key}' is given twice.")
        header[key] = value.strip()
    missing = sorted(REQUIRED - {key for key, value in header.items() if value})
    if missing:
        raise ArticleFileError(f"{path.name}: the header lacks {', '.join(missing)}.")
    if header["kind"] not in KINDS:
        raise ArticleFileError(
            f"{path.name}: kind '{header['kind']}' is none of {', '.join(KINDS)}."
        )
    text = "\n".join(lines[end + 1 :]).strip("\n")
    article = DemoArticle(
        name=path.name,
        title=header["title"],
        kind=KINDS[header["kind"]],
        language=header.get("language") or "en",
        topics=[_split(topic, TOPIC_SEPARATOR) for topic in _split(header["topics"], ",")],
        codes=_split(header.get("problem codes", ""), ","),
        keywords=header.get("keywords", ""),
        summary=header.get("summary", ""),
        url=header.get("url", ""),
        link_to=header.get("link to", ""),
        draft=header.get("status", "") == "draft",
    )
    if article.kind == ArticleKind.PHONE_NUMBERS:
        article.phone_numbers = _phone_numbers(path, lines[end + 1 :], first_line=end + 2)
    else:
        article.body = text + "\n" if text else ""
    return article


def _split(text: str, separator: str) -> list[str]:
    return [part.strip() for part in text.split(separator) if part.strip()]


def _phone_numbers(path: Path, lines: list[str], first_line: int) -> list[dict[str, str]]:
    numbers = []
    for number, line in enumerate(lines, first_line):
        if not line.strip():
            continue
        label, colon, phone = line.strip().removeprefix("- ").rpartition(":")
        if not line.strip().startswith("- ") or not colon or not label.strip():
            raise ArticleFileError(f"{path.name}, line {number}: expected '- label: number'.")
        numbers.append({"label": label.strip(), "number": phone.strip()})
    return numbers


def read_articles(folder: Path = ARTICLES) -> list[DemoArticle]:
    """Every article of the folder, by file name, the links after the articles they link to."""
    articles = [read_article(path) for path in sorted(folder.glob("*.md"))]
    return sorted(articles, key=lambda article: article.kind == ArticleKind.ARTICLE_LINK)


@transaction.atomic
def load_demo_articles(user: AbstractBaseUser, folder: Path = ARTICLES) -> int:
    """Create the demo topics and articles, unless there are articles already; return how many
    articles were created. Codes missing from the catalogue are left out of the tags."""
    if Article.objects.exists():
        return 0
    articles = read_articles(folder)
    topics: dict[tuple[str, ...], Topic] = {}
    wanted = {code for article in articles for code in article.codes}
    codes = {
        problem_code.code: problem_code
        for problem_code in ProblemCode.objects.filter(code__in=wanted).select_related("category")
    }
    created: dict[str, Article] = {}
    for article in articles:
        created[article.title] = _create(article, user, topics, codes, created)
    return len(created)


def _topic(path: list[str], topics: dict[tuple[str, ...], Topic]) -> Topic:
    """The topic at this path, made with its parents where the demo made none yet."""
    key = tuple(path)
    if key not in topics:
        parent = _topic(path[:-1], topics) if len(path) > 1 else None
        existing = Topic.objects.filter(name=path[-1], parent=parent).first()
        topics[key] = existing or topic_create(name=path[-1], parent=parent)
    return topics[key]


def _create(
    article: DemoArticle,
    user: AbstractBaseUser,
    topics: dict[tuple[str, ...], Topic],
    codes: dict[str, ProblemCode],
    created: dict[str, Article],
) -> Article:
    if article.link_to and article.link_to not in created:
        raise ArticleFileError(f"{article.name}: links to '{article.link_to}', which is not there.")
    problem_codes = [codes[code] for code in article.codes if code in codes]
    saved = article_create(
        values={
            "kind": article.kind,
            "title": article.title,
            "summary": article.summary,
            "keywords": article.keywords,
            "language": article.language,
            "body": article.body,
            "phone_numbers": article.phone_numbers,
            "external_url": article.url,
            "link_target": created.get(article.link_to),
        },
        relations={
            "topics": [_topic(path, topics) for path in article.topics],
            "categories": list({code.category for code in problem_codes}),
            "problem_codes": problem_codes,
        },
        user=user,
    )
    if article.draft:
        return saved
    return article_publish(article=saved, user=user)
