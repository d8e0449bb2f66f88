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
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, F, FloatField, Func, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from knowledgebase.access import readable_articles
from knowledgebase.models import Article, ArticleKind, FailedSearch, SearchWord, Topic

# PostgreSQL text-search configuration per article language; others are searched unstemmed.
CONFIGS = {"en": "english", "de": "german", "nb": "norwegian"}

# A misspelt word (one no article uses) also matches the known words most similar to it (pg_trgm
# similarity): at most three, at least TYPO_SIMILARITY, and near the best of them. Measured on
# the benchmark's 40,000 words: "aplliance" → "appliance" 0.54, "colection" → "collection"
# 0.75 (then "construction" 0.35, dropped), "pakring" → "parking" 0.33, "ligth" → "light" 0.33;
# docs/benchmarks.md, "Knowledge base search (issue 4)".
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


def _config_literal(language: str) -> str:
    return f"'{CONFIGS.get(language, 'simple')}'::regconfig"


def _config_sql(column: str) -> str:
    """The text-search configuration for the language in `column`, as SQL."""
    whens = " ".join(
        f"WHEN '{code}' THEN {_config_literal(code)}"
        for code, _name in settings.LANGUAGES
        if re.fullmatch(r"[a-zA-Z-]+", code)
    )
    return f"(CASE {column} {whens} ELSE 'simple'::regconfig END)"


_LABELS_SQL = f"""
    (CASE WHEN kind = '{ArticleKind.PHONE_NUMBERS}' AND jsonb_typeof(phone_numbers) = 'array'
    THEN coalesce((SELECT string_agg(entry ->> 'label', ' ')
                   FROM jsonb_array_elements(phone_numbers) entry), '')
    ELSE '' END)"""

# The keywords right after the title, which they stand beside in weight and for ts_rank_cd's
# cover density (a search for a title word and a keyword is a short cover). Empty keywords
# leave the positions of what follows as they were.
VECTOR_SQL = f"""
    setweight(to_tsvector({_config_sql("language")}, coalesce(title, '')), 'A')
    || setweight(to_tsvector({_config_sql("language")}, coalesce(keywords, '')), 'A')
    || setweight(to_tsvector({_config_sql("language")}, coalesce(summary, '')), 'B')
    || setweight(to_tsvector({_config_sql("language")},
                             coalesce(body, '') || ' ' || {_LABELS_SQL}), 'C')"""

_TABLE = Article._meta.db_table

# What a snippet is cut from: summary, text, and the numbers to read out.
_SNIPPET_SOURCE_SQL = f"""
    translate(concat_ws(' · ', nullif({_TABLE}.summary, ''), nullif({_TABLE}.body, ''),
        CASE WHEN {_TABLE}.kind = '{ArticleKind.PHONE_NUMBERS}'
             AND jsonb_typeof({_TABLE}.phone_numbers) = 'array'
        THEN (SELECT string_agg(concat_ws(': ', entry ->> 'label', entry ->> 'number'), '; ')
              FROM jsonb_array_elements({_TABLE}.phone_numbers) entry) END),
      '{START}{STOP}', '')"""

# ts_rank_cd's weights for D, C (text), B (summary), A (title and keywords), and normalisation
# 1 | 32: divided by 1 + the logarithm of the article's length, so a long text repeating a word
# does not beat a title, then scaled to below 1 (rank / (rank + 1)), so that it only orders
# articles that have the same number of the words searched for.
_RANK_WEIGHTS = "{0.05, 0.1, 0.2, 1.0}"
_RANK_NORMALISATION = 1 | 32

# One passage from the best match on: ts_headline's fragment mode drops the end of short texts
# ("Recycling centre North: 030 123456" loses its number).
_HEADLINE_OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, ShortWord=2"


_WORDS_SQL = f"""
    INSERT INTO {SearchWord._meta.db_table} (word)
    SELECT DISTINCT lexeme FROM {_TABLE},
        unnest(to_tsvector('simple', concat_ws(' ', title, keywords, summary, body, {_LABELS_SQL})))
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
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} SET search_vector = {VECTOR_SQL} WHERE id = %s "
            "RETURNING search_vector",
            [article.pk],
        )
        row = cursor.fetchone()
        # Words are only added: one no article uses any more costs a search nothing.
        cursor.execute(_WORDS_SQL.format(where=f"{_TABLE}.id = %s"), [article.pk])
    # A later full save() of this instance writes the new vector back, not a stale one.
    article.search_vector = row[0] if row else None


def article_index_all() -> int:
    """Rebuild every article's search vector and the word list, and refresh the planner's
    statistics (after a bulk load)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_TABLE} SET search_vector = {VECTOR_SQL}")
        count = cursor.rowcount
        cursor.execute(_WORDS_SQL.format(where="true"))
        # Without statistics the planner scans the words instead of using their trigram index.
        cursor.execute(f"ANALYZE {SearchWord._meta.db_table}, {_TABLE}")
    return count


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


# Control characters (PostgreSQL refuses a NUL in text) are not words: they separate them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def record_search(text: str, hits: list[SearchHit], user) -> None:
    """Count a search that found nothing, for supervisors: one upsert, nothing if it found.

    A write: call it for a search the user submitted (a POST), never for a GET."""
    max_length = FailedSearch._meta.get_field("text").max_length
    normalised = " ".join(CONTROL_CHARACTERS.sub(" ", text or "").split()).lower()[:max_length]
    if not normalised or hits:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = FailedSearch._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "
            "(text, count, first_searched_at, last_searched_at, last_searched_by_id) "
            "VALUES (%s, 1, %s, %s, %s) ON CONFLICT (text) DO UPDATE SET "
            f"count = {table}.count + 1, last_searched_at = excluded.last_searched_at, "
            "last_searched_by_id = excluded.last_searched_by_id",
            [normalised, now, now, getattr(user, "pk", None)],
        )


# PostgreSQL ---------------------------------------------------------------------------------


def _search_postgresql(
    scope: QuerySet, words: list[str], language: str | None, limit: int
) -> list[SearchHit]:
    codes = [language] if language else [code for code, _name in settings.LANGUAGES]
    with transaction.atomic(), connection.cursor() as cursor:
        query = _Query(words, _meant_words(cursor, words), codes)
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


class _Query:
    """The SQL of one search: the words, and per word the known words it may stand for."""

    def __init__(self, words: list[str], meant: dict[str, list[str]], codes: list[str]):
        self.words = words
        self.codes = codes
        # Per word: the word as a prefix, or a known word it may stand for.
        self.terms = {word: " | ".join([f"{word}:*", *meant[word]]) for word in words}
        self.exact_any = " | ".join(f"{word}:*" for word in words)
        self.meant_any = " | ".join(self.terms.values())
        # Per word, the languages it is a stop word in (known once narrowing_words has run).
        self.stop_in: dict[str, set[str]] = {word: set() for word in words}

    def per_language(
        self, template: str, tsquery_text: str, otherwise: dict[str, str] | None = None
    ) -> tuple[str, list]:
        """CASE over the article's language: `template` with that language's tsquery, or the
        SQL `otherwise` gives for the language."""
        whens, params = [], []
        for code in self.codes:
            if otherwise and code in otherwise:
                whens.append(f"WHEN '{code}' THEN {otherwise[code]}")
                continue
            query = f"to_tsquery({_config_literal(code)}, %s)"
            whens.append(f"WHEN '{code}' THEN {template.format(q=query)}")
            params += [tsquery_text] * template.count("{q}")
        return f"(CASE {_TABLE}.language {' '.join(whens)} ELSE NULL END)", params

    def any_language(self, tsquery_text: str) -> tuple[str, list]:
        """What the GIN index answers: the text in any language's stemming."""
        queries = " || ".join(f"to_tsquery({_config_literal(code)}, %s)" for code in self.codes)
        return f"{_TABLE}.search_vector @@ ({queries})", [tsquery_text] * len(self.codes)

    def every_word(self, scope: QuerySet) -> QuerySet:
        """The articles with every word (but stop words of their language), ranked."""
        tests, params = [], []
        for word in self.words:
            exact = f"{word}:*"
            # The numnode tests are constants PostgreSQL folds while planning: a word that is a
            # stop word in some language cannot narrow the search by index and is left to the
            # next test.
            stop_tests = [f"numnode(to_tsquery({_config_literal(c)}, %s)) = 0" for c in self.codes]
            indexed, indexed_params = self.any_language(self.terms[word])
            tests.append(f"({' OR '.join(stop_tests)} OR {indexed})")
            params += [exact] * len(self.codes) + indexed_params
            # What the article must satisfy: the word in its own language's stemming, unless
            # it is a stop word there.
            own, own_params = self.per_language("numnode({q}) = 0", exact)
            own_match, own_match_params = self.per_language(
                f"{_TABLE}.search_vector @@ {{q}}", self.terms[word]
            )
            tests.append(f"({own} OR {own_match})")
            params += own_params + own_match_params
        # Words that are all stop words in the article's language find nothing there.
        some_word, some_params = self.per_language(
            "numnode({q}) > 0", " & ".join(f"{word}:*" for word in self.words)
        )
        tests.append(some_word)
        params += some_params
        return self._ranked(
            scope.filter(RawSQL(" AND ".join(tests), params, output_field=BooleanField())),
            (str(len(self.words)), []),
        )

    def narrowing_words(self, cursor) -> list[str]:
        """The words that each match at most MAX_RANKED articles, by the planner's statistics
        of the vectors' most common words (as fresh as the last ANALYZE), or else the one that
        matches the fewest. A word in thousands of articles ("day", "caller") then counts only
        beside a rarer one: ranking every article that says "day" (17,500 of 50,000) took
        0.4 s and found nothing better than "refrigerator" alone. Stop words of some language
        narrow nothing there, so they are not chosen; all words are when nothing else is left.
        """
        terms = [f"{word}:*" for word in self.words]
        queries = " || ".join(f"to_tsquery({_config_literal(c)}, terms)" for c in self.codes)
        stop = ", ".join(
            f"numnode(to_tsquery({_config_literal(c)}, terms)) = 0" for c in self.codes
        )
        cursor.execute(
            f"""WITH known AS MATERIALIZED (
                    SELECT array_to_tsvector(ARRAY[stat.lexeme]) AS lexeme, stat.share
                    FROM pg_stats, unnest(most_common_elems::text::text[],
                                          most_common_elem_freqs) AS stat(lexeme, share)
                    WHERE schemaname = current_schema() AND tablename = %s
                      AND attname = 'search_vector' AND stat.lexeme IS NOT NULL
                ), searched AS MATERIALIZED (
                    SELECT word, {queries} AS query, ARRAY[{stop}] AS stop
                    FROM unnest(%s::text[], %s::text[]) AS searched(word, terms)
                )
                SELECT searched.word, searched.stop, coalesce(sum(known.share), 0)
                    * (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass)
                FROM searched LEFT JOIN known ON known.lexeme @@ searched.query
                GROUP BY searched.word, searched.stop""",
            [_TABLE, self.words, terms, _TABLE],
        )
        articles = {}
        for word, stop, count in cursor.fetchall():
            self.stop_in[word] = {c for c, is_stop in zip(self.codes, stop, strict=True) if is_stop}
            if not self.stop_in[word]:
                articles[word] = count
        narrowing = [
            word for word in self.words if articles.get(word, MAX_RANKED + 1) <= MAX_RANKED
        ]
        if narrowing:
            return narrowing
        counted = [word for word in self.words if word in articles]
        return [min(counted, key=articles.get)] if counted else self.words

    def some_words(self, scope: QuerySet, narrowing: list[str]) -> QuerySet:
        """The articles with any of the narrowing words as typed, those with the most of all
        the words first. A word's typo alternatives count only beside a word found as typed:
        "wasp nest" is not a question about waste."""
        some = " | ".join(f"{word}:*" for word in narrowing)
        indexed, indexed_params = self.any_language(some)
        own, own_params = self.per_language(f"{_TABLE}.search_vector @@ {{q}}", some)
        found = RawSQL(f"{indexed} AND {own}", indexed_params + own_params, BooleanField())
        counts, params = [], []
        for word in self.words:
            # A stop word is found nowhere in its language: no need to read the vector.
            test, test_params = self.per_language(
                f"{_TABLE}.search_vector @@ {{q}}",
                self.terms[word],
                otherwise=dict.fromkeys(self.stop_in[word], "false"),
            )
            counts.append(f"coalesce({test}, false)::int")
            params += test_params
        return self._ranked(scope.filter(found), (" + ".join(counts), params))

    def _ranked(self, scope: QuerySet, words_found: tuple[str, list]) -> QuerySet:
        """Ranked by the number of words found, then by ts_rank_cd (below 1): the exact words
        counting twice, a title or keyword far above the text."""
        exact_query, exact_params = self.per_language("{q}", self.exact_any)
        meant_query, meant_params = self.per_language("{q}", self.meant_any)

        def rank(query: str) -> str:
            return (
                f"ts_rank_cd('{_RANK_WEIGHTS}', {_TABLE}.search_vector, {query},"
                f" {_RANK_NORMALISATION})"
            )

        count_sql, count_params = words_found
        if self.meant_any != self.exact_any:
            rank_sql = f"({rank(exact_query)} + {rank(meant_query)}) / 2"
            rank_params = exact_params + meant_params
        else:
            rank_sql, rank_params = rank(exact_query), exact_params
        return (
            scope.defer("search_vector")
            .annotate(
                search_rank=RawSQL(
                    f"({count_sql}) + coalesce({rank_sql}, 0)",
                    count_params + rank_params,
                    output_field=FloatField(),
                ),
                # Costly: PostgreSQL computes it after the sort and limit, for the hits only.
                search_snippet=RawSQL(
                    f"ts_headline({_config_sql(_TABLE + '.language')}, {_SNIPPET_SOURCE_SQL},"
                    f" {meant_query}, %s)",
                    [*meant_params, _HEADLINE_OPTIONS],
                    output_field=TextField(),
                ),
            )
            .order_by("-search_rank", "title", "pk")
        )


def _meant_words(cursor, words: list[str]) -> dict[str, list[str]]:
    """Per search word, the known words it may stand for: for a word no article uses, the most
    similar known words (a typo); for a long word, the known words it starts with (a compound).
    One query."""
    meant = {word: [] for word in words}
    long_enough = [word for word in words if len(word) >= MIN_PART]
    parts = defaultdict(list)
    for word in words:
        for end in range(MIN_PART, len(word) - MIN_PART + 1):
            parts[word[:end]].append(word)
    if not long_enough:
        return meant
    vocabulary = SearchWord._meta.db_table
    cursor.execute(
        "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(TYPO_SIMILARITY)]
    )
    cursor.execute(
        f"""SELECT searched.word, alike.word, alike.similarity
            FROM unnest(%s::text[]) AS searched(word)
            CROSS JOIN LATERAL (
                SELECT candidate.word, similarity(candidate.word, searched.word) AS similarity
                FROM {vocabulary} candidate
                WHERE candidate.word %% searched.word AND NOT EXISTS (
                    SELECT FROM {vocabulary} known WHERE known.word = searched.word)
                ORDER BY 2 DESC, candidate.word
                LIMIT %s) AS alike
            UNION ALL
            SELECT NULL, word, 1 FROM {vocabulary} WHERE word = ANY(%s::text[])""",
        [long_enough, MAX_ALTERNATIVES, list(parts)],
    )
    rows = cursor.fetchall()
    best = defaultdict(float)
    for searched, _known, similarity in rows:
        if searched:
            best[searched] = max(best[searched], similarity)
    for searched, known, similarity in rows:
        if searched and similarity < best[searched] * TYPO_MARGIN:
            continue
        for word in [searched] if searched else parts[known]:
            if known not in meant[word]:
                meant[word].append(known)
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
