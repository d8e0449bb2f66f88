import pytest

from knowledgebase.rendering import render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<div onmouseover="alert(1)">hover</div>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<svg onload="alert(1)"></svg>',
]


@pytest.mark.parametrize("markdown_text", HOSTILE)
def test_nothing_that_runs_reaches_the_browser(markdown_text):
    html = render_markdown(markdown_text).lower()
    for danger in ["<script", "onerror", "onload", "onmouseover", "javascript:", "<iframe",
                   "<style", "data:text", "<svg"]:  # fmt: skip
        assert danger not in html


def test_ordinary_markdown_survives():
    html = render_markdown(
        "Say: **Thank you for calling.**\n\n- Ask for the address\n- Read the dates\n\n"
        "[Recycling](https://city.example/recycling) or call [115](tel:115)"
    )
    assert "<strong>Thank you for calling.</strong>" in html
    assert "<li>Ask for the address</li>" in html
    assert 'href="https://city.example/recycling"' in html
    assert 'href="tel:115"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
