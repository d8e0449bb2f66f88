"""The repository speaks only of what it holds:

1. every relative link and image in its Markdown files leads to a file in it;
2. nothing cites a tracker's issue numbers or the notes the project was planned in, which are not
   in the repository: code and docs name the feature instead, and the design is docs/design.md.

The files are those git tracks; outside a checkout, those found on disk but not built,
installed or written at run time. Each offence is reported as file:line.
"""

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
# Outside a checkout: what git would not list (built, installed or run-time files).
NOT_OURS = {".git", ".venv", "node_modules", "var", "staticfiles", "__pycache__", "test-results"}
# `[text](target)` and `![alt](target)`; the text may run over lines, a title may follow.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*([^)\s]+)")
SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")  # http:, https:, mailto:, ...
CITATION = re.compile(r"\b[Ii]ssues? #?\d+|\b(?:DESIGN|TELEPHONY|STYLE|TOOLING)\.md\b")
# Translation catalogues carry old source strings until the next makemessages; vendored files
# are other projects' text.
NOT_CHECKED = ("locale/", "static/vendor/", "tests/test_docs.py")


def repository_files() -> list[str]:
    """The repository's files, as paths relative to ROOT with forward slashes."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]
    except (OSError, subprocess.CalledProcessError):
        return [
            path.relative_to(ROOT).as_posix()
            for path in ROOT.rglob("*")
            if path.is_file() and not NOT_OURS & set(path.relative_to(ROOT).parts)
        ]


def text_of(name: str) -> str | None:
    data = (ROOT / name).read_bytes()
    return None if b"\0" in data else data.decode("utf-8", errors="replace")


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def test_every_relative_link_in_the_docs_leads_to_a_file_in_the_repository():
    files = repository_files()
    known = set(files) | {folder.as_posix() for name in files for folder in Path(name).parents}
    broken = []
    for name in (name for name in files if name.endswith(".md")):
        text = text_of(name) or ""
        for link in LINK.finditer(text):
            target = unquote(link.group(1).split("#")[0].split("?")[0])
            if not target or SCHEME.match(target):
                continue
            path = (ROOT / name).parent.joinpath(target).resolve()
            if not path.is_relative_to(ROOT) or path.relative_to(ROOT).as_posix() not in known:
                broken.append(f"{name}:{line_of(text, link.start())}: {link.group(1)}")
    assert not broken, "Links to files the repository does not have:\n" + "\n".join(broken)


def test_nothing_cites_issue_numbers_or_notes_outside_the_repository():
    citations = []
    for name in repository_files():
        if name.startswith(NOT_CHECKED) or (text := text_of(name)) is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if found := CITATION.search(line):
                citations.append(f"{name}:{number}: {found.group()}")
    assert not citations, (
        "Name the feature instead of the issue, and link docs/design.md for the design:\n"
        + "\n".join(citations)
    )
