"""An article's revisions show the words that changed, not a unified diff's `@@ -1 +1 @@`."""

import pytest
from django.urls import reverse

from knowledgebase.services import article_update
from knowledgebase.views import word_diff
from tests.factories import article

pytestmark = pytest.mark.django_db


def test_a_changed_word_is_shown_removed_and_added_in_its_sentence():
    assert word_diff(
        "Bulky waste is collected on Mondays.", "Bulky waste is collected on Fridays."
    ) == [
        ("equal", "Bulky waste is collected on "),
        ("delete", "Mondays"),
        ("insert", "Fridays"),
        ("equal", "."),
    ]


def test_added_words_and_line_breaks_are_kept():
    assert word_diff("Call 0800.\nAsk for Ada.", "Call 0800 today.\nAsk for Ada.") == [
        ("equal", "Call 0800"),
        ("insert", " today"),
        ("equal", ".\nAsk for Ada."),
    ]


def test_long_unchanged_text_is_cut_to_the_words_around_the_change():
    words = " ".join(f"w{number}" for number in range(200))
    segments = word_diff(words, words.replace("w100", "changed"))
    before, _removed, _added, after = segments
    assert before[1].startswith("…") and before[1].endswith("w99 ")
    assert after[1].startswith(" w101") and after[1].endswith("…")
    assert "w50" not in before[1] and "w150" not in after[1]


def test_the_revisions_page_marks_changed_words_without_diff_markup(client, supervisor):
    written = article(supervisor, "Bulky waste", body="Collected on Mondays, at 7 o'clock.")
    article_update(
        article=written,
        values={"body": "Collected on Fridays, at 7 o'clock."},
        relations={},
        expected_version=written.version,
        user=supervisor,
    )
    client.force_login(supervisor)
    page = client.get(reverse("knowledgebase:article_revisions", args=[written.pk])).content
    page = page.decode()
    assert '<del><span class="visually-hidden">removed: </span>Mondays</del>' in page
    assert '<ins><span class="visually-hidden">added: </span>Fridays</ins>' in page
    assert "@@" not in page
    assert "Collected on " in page
