"""Knowledge-base search: the one search the knowledge-base page and the request form share.

A question in plain words finds its answer: "when is bulky waste collected" finds the article
on bulky waste. Words that carry no meaning in an article's language (stop words: "when",
"is") ask nothing of it; any other word counts, and the articles with the most of the words
come first. An article's keywords (synonyms a supervisor adds: "refrigerator" on appliance
pickup) are searched as its title is.

PostgreSQL
    An article's title and keywords (weight A), summary (B), text and phone-number labels (C)
    are kept in `Article.search_vector`, parsed in the article's own language (English, German
    or Norwegian stemming and stop words), and every word an article uses is kept in
    `SearchWord`. A search word matches the stemmed words that start with it, in articles of
    their language ("Müll" finds "Müllabfuhr", "collections" finds "collected"). A word no
    article uses ("bulkey") also matches the few known words most like it by trigram
    similarity ("bulky"), and a compound typed whole ("Müllabfuhr", "søppelhenting") also
    matches the known words it starts with ("Müll", "søppel"). The articles with every word
    come first, ranked by ts_rank_cd (the exact words counting twice, a title or keyword far
    above the text); when they are fewer than asked for, those with some of the words follow,
    the most words first.

SQLite (the embedded default)
    Every article with a word that starts with one of the searched words, in any letter case,
    but for the stop words of its language (PostgreSQL's lists, in knowledgebase/stopwords/):
    the most words first, then those with the words in their title or keywords. No stemming,
    no compounds and no typo tolerance.

Keeping the index current: every code path that writes an article's row calls
`article_index(article)` after its last save and before its transaction commits. Today those
are the services in knowledgebase/services.py (article_create, article_update, article_publish,
article_archive, article_restore). There is no trigger: a write path that forgot the call would
leave that article findable by its old words until its next save. `article_index_all()`
rebuilds every vector and the word list (after bulk loads).
"""

import json
import operator
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import (
    SearchConfig,
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
)
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import Exact
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from knowledgebase.access import readable_articles
from knowledgebase.models import Article, ArticleKind, SearchWord, Topic

# PostgreSQL text-search configuration per article language; others are searched unstemmed.
CONFIGS = {"en": "english", "de": "german", "nb": "norwegian"}

# A misspelt word (one no article uses) also matches the known words most similar to it (pg_trgm
# similarity): at most three, at least TYPO_SIMILARITY, and near the best of them. Measured on
# the benchmark's 40,000 words: "aplliance" → "appliance" 0.54, "colection" → "collection"
# 0.75 (then "construction" 0.35, dropped), "pakring" → "parking" 0.33, "ligth" → "light" 0.33;
# docs/benchmarks.md, "Knowledge base search".
TYPO_SIMILARITY = 0.3
TYPO_MARGIN = 0.75
MAX_ALTERNATIVES = 3
# A compound is split into a known first part and a rest, each at least this long:
# "müll|abfuhr", "søppel|henting", but not "park|ing".
MIN_PART = 4

MAX_WORDS = 8
# A search ranks articles with some of its words only among those with a word in at most this
# many articles (an estimate): ranking 2,000 articles takes about 10 ms.
MAX_RANKED = 2_000
MAX_WORD_LENGTH = 40
MAX_LIMIT = 100
SNIPPET_CHARS = 220

WORD = re.compile(r"[^\W_]+")
# ts_headline marks matches with these; the article text is cleared of them first, the result
# is escaped, and only then do they become <mark> tags.
START, STOP = "\u27e6", "\u27e7"


@dataclass(frozen=True)
class SearchHit:
    article: Article
    rank: float  # higher is better; comparable within one search only
    snippet: SafeString  # escaped text with the matched words in <mark></mark>


# The text-search configuration of the article's language, per row (SearchConfig casts it to
# regconfig): English, German or Norwegian stemming and stop words, 'simple' for others.
ARTICLE_CONFIG = Case(
    *[
        When(Exact(F("language"), Value(code, output_field=TextField())), then=Value(config))
        for code, config in CONFIGS.items()
    ],
    default=Value("simple"),
    output_field=TextField(),
)

# Raw SQL: a phone-numbers article's labels live in a JSON array, which Django's expressions
# cannot unnest into one text.
_LABELS = RawSQL(
    f"""(CASE WHEN kind = '{ArticleKind.PHONE_NUMBERS}' AND jsonb_typeof(phone_numbers) = 'array'
    THEN coalesce((SELECT string_agg(entry ->> 'label', ' ')
                   FROM jsonb_array_elements(phone_numbers) entry), '')
    ELSE '' END)""",
    [],
    output_field=TextField(),
)

# What Article.search_vector holds. The keywords right after the title, which they stand
# beside in weight and for ts_rank_cd's cover density (a search for a title word and a keyword
# is a short cover). Empty keywords leave the positions of what follows as they were.
SEARCH_VECTOR = (
    SearchVector("title", config=ARTICLE_CONFIG, weight="A")
    + SearchVector("keywords", config=ARTICLE_CONFIG, weight="A")
    + SearchVector("summary", config=ARTICLE_CONFIG, weight="B")
    + SearchVector("body", _LABELS, config=ARTICLE_CONFIG, weight="C")
)

_TABLE = Article._meta.db_table

# What a snippet is cut from: summary, text, and the numbers to read out. Raw SQL for the JSON
# array again, and for translate(), which clears the text of the headline's markers.
_SNIPPET_SOURCE = RawSQL(
    f"""translate(concat_ws(' · ', nullif({_TABLE}.summary, ''), nullif({_TABLE}.body, ''),
        CASE WHEN {_TABLE}.kind = '{ArticleKind.PHONE_NUMBERS}'
             AND jsonb_typeof({_TABLE}.phone_numbers) = 'array'
        THEN (SELECT string_agg(concat_ws(': ', entry ->> 'label', entry ->> 'number'), '; ')
              FROM jsonb_array_elements({_TABLE}.phone_numbers) entry) END),
      '{START}{STOP}', '')""",
    [],
    output_field=TextField(),
)

# ts_rank_cd's weights for D, C (text), B (summary), A (title and keywords), and normalisation
# 1 | 32: divided by 1 + the logarithm of the article's length, so a long text repeating a word
# does not beat a title, then scaled to below 1 (rank / (rank + 1)), so that it only orders
# articles that have the same number of the words searched for.
RANK_WEIGHTS = [0.05, 0.1, 0.2, 1.0]
RANK_NORMALISATION = 1 | 32

# Raw SQL: the word list is filled from the vectors' lexemes (unnest of a tsvector), by
# INSERT … SELECT … ON CONFLICT, none of which Django's ORM writes.
_WORDS_SQL = f"""
    INSERT INTO {SearchWord._meta.db_table} (word)
    SELECT DISTINCT lexeme FROM {_TABLE},
        unnest(to_tsvector('simple', concat_ws(' ', title, keywords, summary, body, {{labels}})))
    WHERE {{where}} AND length(lexeme) BETWEEN 3 AND 40 AND lexeme ~ '^[[:alpha:]]+$'
      AND NOT EXISTS (SELECT FROM {SearchWord._meta.db_table} known WHERE known.word = lexeme)
    ON CONFLICT (word) DO NOTHING"""


def article_index(article: Article) -> None:
    """Bring the article's search vector and the word list up to date with its saved row.

    Call it after the article's last save, inside the same transaction, so that the index is
    never older than the text. Nothing to do on SQLite.
    """
    if connection.vendor != "postgresql":
        return
    Article.objects.filter(pk=article.pk).update(search_vector=SEARCH_VECTOR)
    # Words are only added: one no article uses any more costs a search nothing.
    _add_words(f"{_TABLE}.id = %s", [article.pk])
    # A later full save() of this instance writes the new vector back, not a stale one.
    article.search_vector = (
        Article.objects.filter(pk=article.pk).values_list("search_vector", flat=True).first()
    )


def article_index_all() -> int:
    """Rebuild every article's search vector and the word list, and refresh the planner's
    statistics (after a bulk load)."""
    if connection.vendor != "postgresql":
        return 0
    count = Article.objects.update(search_vector=SEARCH_VECTOR)
    _add_words("true", [])
    with connection.cursor() as cursor:
        # Without statistics the planner scans the words instead of using their trigram index.
        cursor.execute(f"ANALYZE {SearchWord._meta.db_table}, {_TABLE}")
    return count


def _add_words(where: str, params: list) -> None:
    labels_sql, labels_params = _LABELS.sql, _LABELS.params
    with connection.cursor() as cursor:
        cursor.execute(_WORDS_SQL.format(labels=labels_sql, where=where), [*labels_params, *params])


def search_articles(
    text: str,
    *,
    user,
    language: str | None = None,
    topic=None,
    category=None,
    problem_code=None,
    published_only: bool = False,
    limit: int = 20,
) -> list[SearchHit]:
    """The articles the user may read that match the text, best first.

    topic (with its sub-topics), category and problem_code are instances or primary keys.
    published_only leaves out the drafts and archived articles a writer may read (the request
    form shows what may be told to a caller).
    Without words to search for, the filtered articles are listed by title (empty without a
    filter either).
    """
    limit = max(1, min(limit, MAX_LIMIT))
    if language and language not in dict(settings.LANGUAGES):
        return []
    scope = readable_articles(user)
    if published_only:
        scope = scope.published()
    if language:
        scope = scope.filter(language=language)
    if topic is not None:
        scope = scope.filter(
            pk__in=Article.topics.through.objects.filter(
                topic_id__in=topic_and_descendants(topic)
            ).values("article_id")
        )
    if category is not None:
        scope = scope.filter(categories=category)
    if problem_code is not None:
        scope = scope.filter(problem_codes=problem_code)
    if scope.query.is_empty():
        return []
    words = search_words(text)
    if not words:
        if topic is None and category is None and problem_code is None:
            return []
        return [
            SearchHit(article, 0.0, _python_snippet(article, []))
            for article in scope.defer("search_vector").order_by("title", "pk")[:limit]
        ]
    if connection.vendor == "postgresql":
        return _search_postgresql(scope, words, language, limit)
    return _search_simple(scope, words, limit)


# A live search (as the agent types) waits for a word of three letters: "co" alone is a prefix
# of most words, and ranking most articles takes 80 ms at 50,000 (docs/benchmarks.md).
LIVE_MIN_LETTERS = 3


def worth_searching_live(text: str) -> bool:
    return any(len(word) >= LIVE_MIN_LETTERS for word in search_words(text))


def search_words(text: str) -> list[str]:
    """The words searched for: letters and digits, lower case, each once, at most eight."""
    words = []
    for word in WORD.findall((text or "").lower()):
        word = word[:MAX_WORD_LENGTH]
        if len(word) >= 2 and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def topic_and_descendants(topic) -> set[int]:
    """The topic's id and those of all topics below it (topics are few: one query)."""
    root = getattr(topic, "pk", topic)
    children = defaultdict(list)
    for pk, parent_id in Topic.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found, pending = {root}, [root]
    while pending:
        for child in children[pending.pop()]:
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


# PostgreSQL ---------------------------------------------------------------------------------
#
# In Django's terms: the vector (SearchVector, with weights and the article's configuration),
# the queries (SearchQuery, raw: prefixes and alternatives), the ranking (SearchRank, cover
# density), the snippet (SearchHeadline) and the typo alternatives (TrigramSimilarity and the
# TrigramSimilar lookup). SQL of our own only where Django has no expression, or one too
# costly, each said where it is: the labels of a phone-numbers article (a JSON array), the
# word list (INSERT … SELECT from the vectors' lexemes), which searched words are stop words
# (numnode), a query parsed in each article's own language (_InOwnLanguage), the planner's
# statistics of the vectors' words (pg_stats), and two settings local to the search's
# transaction (set_config, SET LOCAL).


def _search_postgresql(
    scope: QuerySet, words: list[str], language: str | None, limit: int
) -> list[SearchHit]:
    codes = [language] if language else [code for code, _name in settings.LANGUAGES]
    with transaction.atomic(), connection.cursor() as cursor:
        stop_in = _stop_in(cursor, words, codes)
        if all(stop_in[word] == set(codes) for word in words):
            return []  # "the", "und": nothing to search for in any language
        query = _Query(words, _meant_words(cursor, words), stop_in, codes)
        hits = list(query.every_word(scope)[:limit])
        # Articles with only some of the words fill the list, most words first. Ranking them
        # is the costly part (a common word matches thousands), so only when those with every
        # word do not fill it.
        if len(words) > 1 and len(hits) < limit:
            rest = scope.exclude(pk__in=[article.pk for article in hits])
            narrowing = query.narrowing_words(cursor)
            # The narrowing words hold the candidates to a few thousand, which the GIN index
            # finds; PostgreSQL misjudges a union of prefixes as a tenth of the table and reads
            # all of it instead (120 ms at 50,000 articles, 2,600 found). Until the commit.
            cursor.execute("SET LOCAL enable_seqscan = off")
            hits += query.some_words(rest, narrowing)[: limit - len(hits)]
    return [
        SearchHit(article, float(article.search_rank), _marked(article.search_snippet))
        for article in hits
    ]


VECTOR = F("search_vector")
_TEXT = TextField()


def _tsquery(text: str, code: str) -> SearchQuery:
    """The tsquery text (prefixes `word:*` and alternatives joined by |) parsed in the language's
    configuration. (The values' type is given: Django would make a field for each.)"""
    return SearchQuery(
        Value(text, output_field=_TEXT),
        config=SearchConfig(Value(CONFIGS.get(code, "simple"), output_field=_TEXT)),
        search_type="raw",
    )


def _stop_in(cursor, words: list[str], codes: list[str]) -> dict[str, set[str]]:
    """Per word, the languages it is a stop word in: where its configuration leaves nothing of
    it. Raw SQL: numnode() has no Django expression, and this asks of no table. PostgreSQL's
    stop lists are files of its installation, so what it said of a word is kept for the
    process (up to _STOP_CACHE_SIZE words, then afresh): most searches ask it nothing."""
    unknown = [word for word in words if word not in _stop_cache]
    if unknown:
        configs = list(dict.fromkeys(CONFIGS.values()))
        flags = ", ".join(["numnode(to_tsquery(%s::regconfig, word || ':*')) = 0"] * len(configs))
        cursor.execute(
            f"SELECT word, ARRAY[{flags}] FROM unnest(%s::text[]) AS searched(word)",
            [*configs, unknown],
        )
        if len(_stop_cache) > _STOP_CACHE_SIZE:
            _stop_cache.clear()
        for word, stops in cursor.fetchall():
            _stop_cache[word] = {c for c, stop in zip(configs, stops, strict=True) if stop}
    return {
        word: {code for code in codes if CONFIGS.get(code, "simple") in _stop_cache[word]}
        for word in words
    }


# Per searched word, the text-search configurations it is a stop word in.
_stop_cache: dict[str, set[str]] = {}
_STOP_CACHE_SIZE = 10_000


class _InOwnLanguage(SearchQuery):
    """A raw SearchQuery (prefixes and alternatives) parsed in each article's own language's
    configuration: a text per language (`texts`, by code), NULL for other languages.

    SQL of our own: Django's SearchQuery takes one configuration, and one chosen per row
    (config=ARTICLE_CONFIG) parses the query again for every article read, while a CASE with a
    to_tsquery per language is folded into constants as PostgreSQL plans. Built of Django's
    Case, When and SearchQuery it is the same SQL, but a search needs several, and Django's
    handling of their nodes cost 2 to 5 ms a search (of about 15); this is one node."""

    def __init__(self, texts: dict[str, str]):
        self.texts = texts
        super().__init__(F("language"), search_type="raw")

    def as_sql(self, compiler, connection, function=None, template=None):
        language, params = compiler.compile(self.source_expressions[0])
        whens = []
        for code, text in self.texts.items():
            whens.append("WHEN %s THEN to_tsquery(%s::regconfig, %s)")
            params = [*params, code, CONFIGS.get(code, "simple"), text]
        if not whens:
            return "NULL::tsquery", []
        return f"(CASE {language} {' '.join(whens)} ELSE NULL END)", params


class _Matches(Func):
    """Whether the article's vector matches the text for its language (`texts`, by code),
    parsed in that language's configuration; NULL in other languages. For the reason of
    _InOwnLanguage, and written as a CASE of matches rather than a match of a CASE: PostgreSQL
    guesses that the latter finds next to nothing and reads the whole table (120 ms instead of
    30 for "streetlight"). Not a test it answers by index: any_language is the index's test."""

    output_field = BooleanField()

    def __init__(self, texts: dict[str, str]):
        self.texts = texts
        super().__init__(F("language"), VECTOR)

    def as_sql(self, compiler, connection, function=None, template=None):
        language, params = compiler.compile(self.source_expressions[0])
        vector, vector_params = compiler.compile(self.source_expressions[1])
        whens = []
        for code, text in self.texts.items():
            whens.append(f"WHEN %s THEN {vector} @@ to_tsquery(%s::regconfig, %s)")
            params = [*params, code, *vector_params, CONFIGS.get(code, "simple"), text]
        if not whens:
            return "NULL::boolean", []
        return f"(CASE {language} {' '.join(whens)} ELSE NULL END)", params


class _Headline(SearchHeadline):
    """SearchHeadline with our options, given to ts_headline as one constant: Django's
    SearchHeadline quotes each option through the database driver at every search, which
    took 0.8 ms of a 15 ms search for these five constants."""

    # One passage from the best match on: ts_headline's fragment mode drops the end of short
    # texts ("Recycling centre North: 030 123456" loses its number).
    OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, ShortWord=2"

    def as_sql(self, compiler, connection, function=None, template=None):
        sql, params = Func.as_sql(
            self, compiler, connection, function=function, template=template, options=", %s"
        )
        return sql, [*params, self.OPTIONS]


class _Query:
    """One search in Django's terms: the words, per word the known words it may stand for, and
    the languages each is a stop word in."""

    def __init__(
        self,
        words: list[str],
        meant: dict[str, list[str]],
        stop_in: dict[str, set[str]],
        codes: list[str],
    ):
        self.words = words
        self.codes = codes
        self.stop_in = stop_in
        # Per word: the word as a prefix, or a known word it may stand for.
        self.terms = {word: " | ".join([f"{word}:*", *meant[word]]) for word in words}
        self.exact_any = " | ".join(f"{word}:*" for word in words)
        self.meant_any = " | ".join(self.terms.values())

    def any_language(self, text: str) -> Q:
        """What the GIN index answers: the text in any language's configuration."""
        queries = [_tsquery(text, code) for code in self.codes]
        return Q(search_vector=reduce(operator.or_, queries))

    def every_word(self, scope: QuerySet) -> QuerySet:
        """The articles with every word (but stop words of their language), ranked."""
        # Per language, every word that is not a stop word there. A language whose words are
        # all stop words is left out: it finds nothing.
        every = {
            code: " & ".join(
                f"({self.terms[w]})" for w in self.words if code not in self.stop_in[w]
            )
            for code in self.codes
        }
        found = Q(_Matches({code: text for code, text in every.items() if text}))
        # A word that is a stop word in some language cannot narrow by index; the others do.
        indexed = [f"({self.terms[w]})" for w in self.words if not self.stop_in[w]]
        if indexed:
            found &= self.any_language(" & ".join(indexed))
        return self._ranked(scope.filter(found), Value(len(self.words)))

    def narrowing_words(self, cursor) -> list[str]:
        """The words that each match at most MAX_RANKED articles, by the planner's statistics
        of the vectors' most common words (as fresh as the last ANALYZE), or else the one that
        matches the fewest. A word in thousands of articles ("day", "caller") then counts only
        beside a rarer one: ranking every article that says "day" (17,500 of 50,000) took
        0.4 s and found nothing better than "refrigerator" alone. Stop words of some language
        narrow nothing there, so they are not chosen; all words are when nothing else is left.
        Raw SQL: the statistics are in pg_stats, which no model maps.
        """
        candidates = [word for word in self.words if not self.stop_in[word]]
        if not candidates:
            return self.words
        queries = " || ".join(["to_tsquery(%s::regconfig, terms)"] * len(self.codes))
        cursor.execute(
            f"""WITH known AS MATERIALIZED (
                    SELECT array_to_tsvector(ARRAY[stat.lexeme]) AS lexeme, stat.share
                    FROM pg_stats, unnest(most_common_elems::text::text[],
                                          most_common_elem_freqs) AS stat(lexeme, share)
                    WHERE schemaname = current_schema() AND tablename = %s
                      AND attname = 'search_vector' AND stat.lexeme IS NOT NULL
                ), searched AS MATERIALIZED (
                    SELECT word, {queries} AS query
                    FROM unnest(%s::text[], %s::text[]) AS searched(word, terms)
                )
                SELECT searched.word, coalesce(sum(known.share), 0)
                    * (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass)
                FROM searched LEFT JOIN known ON known.lexeme @@ searched.query
                GROUP BY searched.word""",
            [
                _TABLE,
                *(CONFIGS.get(code, "simple") for code in self.codes),
                candidates,
                [f"{word}:*" for word in candidates],
                _TABLE,
            ],
        )
        articles = dict(cursor.fetchall())
        narrowing = [word for word in candidates if articles[word] <= MAX_RANKED]
        return narrowing or [min(candidates, key=articles.get)]

    def some_words(self, scope: QuerySet, narrowing: list[str]) -> QuerySet:
        """The articles with any of the narrowing words as typed, those with the most of all
        the words first. A word's typo alternatives count only beside a word found as typed:
        "wasp nest" is not a question about waste."""
        some = " | ".join(f"{word}:*" for word in narrowing)
        found = self.any_language(some) & Q(_Matches(dict.fromkeys(self.codes, some)))
        counts = [
            # A stop word is found nowhere in its language: no need to read the vector.
            Cast(
                Coalesce(
                    _Matches(
                        {c: self.terms[word] for c in self.codes if c not in self.stop_in[word]}
                    ),
                    Value(False),
                ),
                IntegerField(),
            )
            for word in self.words
        ]
        return self._ranked(scope.filter(found), reduce(operator.add, counts))

    def _ranked(self, scope: QuerySet, words_found) -> QuerySet:
        """Ranked by the number of words found, then by ts_rank_cd (below 1): the exact words
        counting twice, a title or keyword far above the text."""
        meant = self._in_own_language(self.meant_any)
        rank = self._rank(self._in_own_language(self.exact_any))
        if self.meant_any != self.exact_any:
            rank = (rank + self._rank(meant)) / Value(2.0)
        return (
            scope.defer("search_vector")
            .annotate(
                search_rank=ExpressionWrapper(
                    words_found + Coalesce(rank, Value(0.0)), output_field=FloatField()
                ),
                # Costly: PostgreSQL computes it after the sort and limit, for the hits only.
                search_snippet=_Headline(_SNIPPET_SOURCE, meant, config=ARTICLE_CONFIG),
            )
            .order_by("-search_rank", "title", "pk")
        )

    def _in_own_language(self, text: str) -> _InOwnLanguage:
        return _InOwnLanguage(dict.fromkeys(self.codes, text))

    @staticmethod
    def _rank(query: _InOwnLanguage) -> SearchRank:
        return SearchRank(
            VECTOR,
            query,
            weights=RANK_WEIGHTS,
            normalization=RANK_NORMALISATION,
            cover_density=True,
        )


def _meant_words(cursor, words: list[str]) -> dict[str, list[str]]:
    """Per search word, the known words it may stand for: for a word no article uses, the most
    similar known words (a typo); for a long word, the known words it starts with (a compound).
    One query, and one more for the words no article uses."""
    meant = {word: [] for word in words}
    long_enough = [word for word in words if len(word) >= MIN_PART]
    parts = defaultdict(list)
    for word in words:
        for end in range(MIN_PART, len(word) - MIN_PART + 1):
            parts[word[:end]].append(word)
    if not long_enough:
        return meant
    known = set(
        SearchWord.objects.filter(word__in=[*long_enough, *parts]).values_list("word", flat=True)
    )
    for part in sorted(known & parts.keys()):
        for word in parts[part]:
            meant[word].append(part)
    unknown = [word for word in long_enough if word not in known]
    if not unknown:
        return meant
    # The TrigramSimilar lookup's threshold (pg_trgm's %), for this transaction: Django sets
    # no database settings.
    cursor.execute(
        "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(TYPO_SIMILARITY)]
    )
    alike = [
        SearchWord.objects.filter(TrigramSimilar(F("word"), word))
        .annotate(
            searched=Value(word, output_field=_TEXT), similarity=TrigramSimilarity("word", word)
        )
        .order_by("-similarity", "word")
        .values_list("searched", "word", "similarity")[:MAX_ALTERNATIVES]
        for word in unknown
    ]
    rows = list(alike[0].union(*alike[1:], all=True) if len(alike) > 1 else alike[0])
    best = defaultdict(float)
    for searched, _known, similarity in rows:
        best[searched] = max(best[searched], similarity)
    for searched, alternative, similarity in rows:
        if similarity >= best[searched] * TYPO_MARGIN and alternative not in meant[searched]:
            meant[searched].append(alternative)
    return meant


def _marked(headline: str) -> SafeString:
    """ts_headline's text, escaped, its markers turned into <mark> tags."""
    plain = _plain(headline or "")
    if plain.count(START) != plain.count(STOP):
        plain = plain.replace(START, "").replace(STOP, "")
    html = escape(plain).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped just above; only our <mark> tags added


# SQLite -------------------------------------------------------------------------------------

_SEPARATOR = "\x1f"


def _load_stop_words() -> dict[str, frozenset[str]]:
    """Per language, the words PostgreSQL's configuration for it ignores (knowledgebase/
    stopwords/<language>.txt), casefolded as the searched words are."""
    folder = Path(__file__).with_name("stopwords")
    stop_words = {}
    for language in CONFIGS:
        lines = (folder / f"{language}.txt").read_text(encoding="utf-8").splitlines()
        stop_words[language] = frozenset(
            line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
        )
    return stop_words


STOP_WORDS = _load_stop_words()


def meaningful_words(words: list[str], language: str) -> list[str]:
    """The words without the stop words of the language: casefolded ("straße" → "strasse")."""
    stop_words = STOP_WORDS.get(language, frozenset())
    return [word for word in (word.casefold() for word in words) if word not in stop_words]


def _search_simple(scope: QuerySet, words: list[str], limit: int) -> list[SearchHit]:
    """Every article with a word that starts with one of the searched words, in any letter case,
    stop words of its language left out; the most words first, then those with them in the
    title or keywords."""
    _register_sqlite_functions()
    matches = (
        scope.defer("search_vector")
        .annotate(
            search_rank=Func(
                F("title"),
                F("keywords"),
                F("summary"),
                F("body"),
                F("phone_numbers"),
                F("language"),
                Value(_SEPARATOR.join(words)),
                function="kb_match",
                output_field=FloatField(),
            )
        )
        .filter(search_rank__gte=0)
        .order_by("-search_rank", "title", "pk")[:limit]
    )
    return [
        SearchHit(
            article,
            article.search_rank,
            _python_snippet(article, meaningful_words(words, article.language)),
        )
        for article in matches
    ]


def _register_sqlite_functions() -> None:
    # SQLite's own LIKE and lower() fold ASCII letters only; "MÜLL" must find "müll".
    connection.ensure_connection()
    connection.connection.create_function("kb_match", 7, _kb_match, deterministic=True)


def _kb_match(title, keywords, summary, body, phone_numbers, language, joined_words) -> float:
    """-1 unless a word of the article starts with a searched word that is not a stop word in
    the article's language; else the number of such searched words, plus (below 1) the share of
    them in its title or keywords. The article's own stop words are not its words either, as in
    PostgreSQL's vectors: "is" does not find the German "ist"."""
    words = meaningful_words(joined_words.split(_SEPARATOR), language)
    labels = " ".join(str(entry.get("label") or "") for entry in _phone_entries(phone_numbers))
    heading = _word_starts(f"{title or ''} {keywords or ''}", language)
    text = heading + _word_starts(f"{summary or ''} {body or ''} {labels}", language)
    found = [word for word in words if f" {word}" in text]
    if not found:
        return -1.0
    return len(found) + sum(f" {word}" in heading for word in found) / (len(words) + 1)


def _word_starts(text: str, language: str) -> str:
    """The text's words but its stop words, casefolded, each after a space: a searched word
    is at a word's start where " " + word is in it."""
    return "".join(f" {word}" for word in meaningful_words(WORD.findall(text), language))


def _phone_entries(value) -> list[dict]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def _python_snippet(article: Article, words: list[str]) -> SafeString:
    """Up to SNIPPET_CHARS of the article around the first match, the words marked."""
    numbers = "; ".join(
        ": ".join(str(entry[key]) for key in ("label", "number") if entry.get(key))
        for entry in _phone_entries(article.phone_numbers)
    )
    source = _plain(" · ".join(part for part in (article.summary, article.body, numbers) if part))
    pattern = (
        re.compile(r"\w*(?:{})\w*".format("|".join(map(re.escape, words))), re.IGNORECASE)
        if words
        else None
    )
    first = pattern.search(source) if pattern else None
    start = 0
    if first and first.start() > SNIPPET_CHARS // 3:
        start = source.rfind(" ", 0, first.start() - SNIPPET_CHARS // 3) + 1
    end = len(source)
    if end - start > SNIPPET_CHARS:
        end = source.rfind(" ", start, start + SNIPPET_CHARS)
        end = end if end > start else start + SNIPPET_CHARS
    window = source[start:end]
    pieces, done = [], 0
    for match in pattern.finditer(window) if pattern else ():
        pieces += [escape(window[done : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        done = match.end()
    pieces.append(escape(window[done:]))
    html = ("… " if start else "") + "".join(pieces) + (" …" if end < len(source) else "")
    return mark_safe(html)  # noqa: S308 - every piece of text escaped just above


def _plain(text: str) -> str:
    """Markdown's emphasis and heading marks out, whitespace collapsed: a snippet is one line."""
    return " ".join(re.sub(r"[*#`]+", "", text).split())
