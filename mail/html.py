"""The HTML of received e-mail: read as plain text when a message has no text part, and shown
only sanitised (nh3): no scripts, no styles, no images (a remote image tells the sender that,
when and where the message was read), links that open nowhere but a new tab."""

import re
from html.parser import HTMLParser

import nh3
from django.utils.safestring import SafeString, mark_safe

# What a sanitised message may keep: text structure, links and tables; no img, style, form,
# iframe, object or script, and no style or class attributes.
SHOWN_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "ins",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
SHOWN_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}
SHOWN_SCHEMES = {"http", "https", "mailto"}


def sanitised_html(html: str) -> SafeString:
    """The message's HTML as it may be shown on our pages."""
    cleaned = nh3.clean(
        html,
        tags=SHOWN_TAGS,
        attributes=SHOWN_ATTRIBUTES,
        url_schemes=SHOWN_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 has just cleaned it


# Elements whose content is not text a person reads.
HIDDEN = {"script", "style", "head", "title", "template", "noscript", "svg", "object", "iframe"}
# Elements that stand apart as paragraphs, and those that start a new line.
PARAGRAPHS = {
    "address",
    "article",
    "blockquote",
    "div",
    "dl",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
}
LINES = {"br", "dd", "dt", "li", "tr"}


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.preformatted = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
        elif tag == "pre":
            self.preformatted += 1
        self._break(tag)

    def handle_startendtag(self, tag, attrs):
        self._break(tag)

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "pre":
            self.preformatted = max(0, self.preformatted - 1)
        if tag in PARAGRAPHS:
            self.parts.append("\n\n")

    def _break(self, tag):
        if tag in PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in LINES:
            self.parts.append("\n")
        elif tag in {"td", "th"}:
            self.parts.append(" ")

    def handle_data(self, data):
        if self.hidden:
            return
        # Outside <pre>, line ends in the source are spaces, as a browser shows them.
        self.parts.append(data if self.preformatted else re.sub(r"\s+", " ", data))


def text_from_html(html: str) -> str:
    """The words of an HTML message as plain text: tags gone, scripts and styles with their
    content, entities read, paragraphs apart, a line for each list item or table row."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.parts)
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
