"""Time the knowledge-base search on a throwaway PostgreSQL test database filled with generated
articles in English, German and Norwegian.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/callcenter_bench \\
        .venv/bin/python bench/kb_search.py --articles 50000

It creates and drops test_<name>; the database DATABASE_URL names is not touched. The search is
timed in-process (knowledgebase.search.search_articles as an agent, from Python to the hits),
not over HTTP. --explain prints PostgreSQL's plan of each query once. Without DATABASE_URL it
runs on SQLite (use a few thousand articles there: the simpler search scans them all).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from callcenter import roles  # noqa: E402
from hierarchy.models import Department, ProblemCode, ServiceCategory, ServiceProvider  # noqa: E402
from knowledgebase.models import Article, ArticleKind, ArticleStatus, Topic  # noqa: E402
from knowledgebase.search import (  # noqa: E402
    article_index,
    article_index_all,
    search_articles,
)

# Subjects per language: a title and the words its articles use.
SUBJECTS = {
    "en": [
        ("Appliance pickup", "fridge freezer washing machine cooker dishwasher appliance"),
        ("Bulky waste collection", "sofa mattress wardrobe furniture bulky items"),
        ("Missed bin collection", "bin wheelie bin collection day crew missed"),
        ("Recycling centre", "glass paper cardboard batteries opening hours recycling"),
        ("Garden waste", "leaves branches compost green bin garden"),
        ("Broken streetlight", "lamp post light dark street outage streetlight"),
        ("Pothole report", "road pavement damage tyre pothole"),
        ("Parking permit", "resident visitor zone vehicle permit parking"),
        ("Towed vehicle", "car pound release fee towing"),
        ("Water bill", "meter reading payment instalment tariff bill"),
        ("Burst water main", "leak flooding pressure water main"),
        ("Noise complaint", "music construction night neighbour noise"),
        ("Graffiti removal", "wall paint private property graffiti"),
        ("Snow clearing", "ice grit winter service footpath snow"),
        ("Dog licence", "dog tax registration tag licence"),
        ("Tree pruning", "branches overhanging storm damage tree"),
        ("Property tax", "assessment due date exemption tax"),
        ("Building permit", "application plans inspection permit"),
        ("Public toilets", "opening hours cleaning accessible toilets"),
        ("Library card", "renewal fines branch library"),
        ("Swimming pool", "timetable tickets lessons pool"),
        ("Pest control", "rats wasps pigeons pest"),
        ("Abandoned vehicle", "car plates untaxed abandoned"),
        ("Street cleaning", "sweeping litter leaves street"),
        ("Fly-tipping", "dumped rubbish evidence fine"),
        ("Hazardous waste", "paint oil chemicals asbestos hazardous"),
        ("Christmas tree collection", "january tree collection kerbside"),
        ("Blocked drain", "gully drain flooding blocked"),
        ("Traffic signal fault", "traffic lights junction signal fault"),
        ("Housing repairs", "heating damp windows tenant repairs"),
        ("Event permit", "street party festival road closure event"),
        ("Electric vehicle charging", "charging point cable tariff electric"),
    ],
    "de": [
        ("Sperrmüllabholung", "Sperrmüll Sofa Matratze Schrank Möbel Abholung"),
        ("Müllabfuhr", "Müll Restmüll Tonne Abfuhrtermin Leerung"),
        ("Müll und Wertstoffe", "Müll Wertstoffe gelber Sack Verpackung"),
        ("Altglascontainer", "Altglas Flaschen Container Einwurfzeiten"),
        ("Biotonne", "Bioabfall Biotonne Kompost Gartenabfälle"),
        ("Wertstoffhof", "Wertstoffhof Öffnungszeiten Elektroschrott Batterien"),
        ("Straßenbeleuchtung", "Straßenlaterne Beleuchtung defekt dunkel"),
        ("Schlagloch melden", "Schlagloch Straße Schaden Fahrbahn"),
        ("Anwohnerparkausweis", "Parkausweis Anwohner Zone Fahrzeug Gebühr"),
        ("Wasserrechnung", "Wasserzähler Abschlag Rechnung Gebühren"),
        ("Rohrbruch", "Wasser Rohrbruch Überschwemmung Druck"),
        ("Lärmbelästigung", "Lärm Nachtruhe Baustelle Nachbarn"),
        ("Graffitientfernung", "Graffiti Wand Farbe Eigentum"),
        ("Winterdienst", "Schnee Glätte Streusalz Gehweg Räumpflicht"),
        ("Hundesteuer", "Hund Steuer Anmeldung Steuermarke"),
        ("Baumschnitt", "Baum Äste Sturmschaden Rückschnitt"),
        ("Grundsteuer", "Grundsteuer Bescheid Fälligkeit Befreiung"),
        ("Baugenehmigung", "Bauantrag Pläne Prüfung Genehmigung"),
        ("Elektroschrott", "Kühlschrank Waschmaschine Elektrogeräte Abholung"),
        ("Schädlingsbekämpfung", "Ratten Wespen Tauben Bekämpfung"),
    ],
    "nb": [
        ("Søppelhenting", "søppel dunk hentedag renovasjon tømming"),
        ("Søppel og avfall", "søppel restavfall sekk plast papir"),
        ("Gjenvinningsstasjon", "gjenvinning åpningstider glass metall batterier"),
        ("Hageavfall", "hageavfall løv greiner kompost"),
        ("Gatelys", "gatelys lyktestolpe mørkt feil"),
        ("Hull i veien", "hull vei skade asfalt"),
        ("Parkeringstillatelse", "beboerparkering sone kjøretøy avgift"),
        ("Vannregning", "vannmåler faktura avgift betaling"),
        ("Vannlekkasje", "lekkasje vannrør oversvømmelse trykk"),
        ("Støyklage", "støy nattero byggeplass naboer"),
        ("Brøyting", "snø is strøing fortau brøyting"),
        ("Hundeavgift", "hund avgift registrering"),
        ("Trefelling", "tre greiner stormskade felling"),
        ("Eiendomsskatt", "eiendomsskatt vedtak forfall fritak"),
        ("Byggesøknad", "søknad tegninger tillatelse byggesak"),
        ("Farlig avfall", "maling olje kjemikalier farlig avfall"),
    ],
}
ASPECTS = {
    "en": ["dates and times", "fees", "how to book", "who to call", "what to say", "exceptions"],
    "de": ["Termine", "Gebühren", "Anmeldung", "Ansprechpartner", "Was sagen", "Ausnahmen"],
    "nb": ["datoer", "priser", "bestilling", "hvem ringer man", "hva man sier", "unntak"],
}
DISTRICTS = {
    language: names.split()
    for language, names in {
        "en": "Northgate Riverside Hillcrest Oakwood Eastfield Westbrook Southend Millbrook "
        "Kingsway Ashford Brookside Elmstead Fairview Greenhill Harbourside Lakeside",
        "de": "Altstadt Nordstadt Südstadt Weststadt Oststadt Lindenau Bergheim Neustadt "
        "Rosenhof Hafen Kirchberg Wiesental",
        "nb": "Sentrum Grünerløkka Frogner Sagene Nordstrand Bjerke Alna Stovner Ullern Tøyen",
    }.items()
}
SENTENCES = {
    "en": [
        "Ask the caller for the address in {district} and a phone number.",
        "The {w1} service runs on {day}s in {district}.",
        "Tell the caller that {w1} and {w2} are handled by the {subject} team.",
        "A {w1} reported before noon is usually dealt with within {n} working days.",
        "If the caller mentions {w2}, log an action request with the right problem code.",
        "There is a fee of {n}0 for each {w1}; residents over 70 pay nothing.",
        "Read out the opening hours: Monday to Friday, 8 to {n} o'clock.",
        "Do not promise a date for {w1} before checking the schedule for {district}.",
        "Callers often ask whether {w2} counts as {w1}; it does, unless it is commercial.",
        "Refer complaints about {w1} to the supervisor on duty.",
    ],
    "de": [
        "Fragen Sie nach der Adresse in {district} und einer Telefonnummer.",
        "Die {w1} ist in {district} jeden {day}.",
        "Sagen Sie dem Anrufer, dass {w1} und {w2} vom Team {subject} bearbeitet werden.",
        "Eine Meldung zu {w1} vor Mittag wird meist innerhalb von {n} Werktagen erledigt.",
        "Wenn der Anrufer {w2} erwähnt, legen Sie ein Anliegen mit dem richtigen Code an.",
        "Für {w1} wird eine Gebühr von {n}0 Euro erhoben.",
        "Lesen Sie die Öffnungszeiten vor: Montag bis Freitag, 8 bis {n} Uhr.",
        "Versprechen Sie keinen Termin für {w1}, bevor Sie den Plan für {district} geprüft haben.",
    ],
    "nb": [
        "Spør innringer om adressen i {district} og et telefonnummer.",
        "{w1} i {district} skjer hver {day}.",
        "Si til innringer at {w1} og {w2} håndteres av {subject}.",
        "En melding om {w1} før klokken tolv blir vanligvis fulgt opp innen {n} virkedager.",
        "Hvis innringer nevner {w2}, registrer en henvendelse med riktig kode.",
        "Det koster {n}00 kroner for {w1}.",
        "Les opp åpningstidene: mandag til fredag, 8 til {n}.",
    ],
}
DAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"],
    "nb": ["mandag", "tirsdag", "onsdag", "torsdag", "fredag"],
}
PHONE_LABELS = {"en": "Office", "de": "Büro", "nb": "Kontor"}
# Names of people and streets: most of a real knowledge base's distinct words are rare ones.
SYLLABLES = [
    *("ka", "lo", "ri", "ben", "tas", "mor", "vel", "din", "sa", "ger"),
    *("hol", "fi", "nor", "ste", "ran", "bu", "ek", "lin", "dal", "mi"),
]
NAME_SENTENCES = {
    "en": "The contact for {name} Road is {person}.",
    "de": "Ansprechpartner für die {name}straße ist {person}.",
    "nb": "Kontaktperson for {name}veien er {person}.",
}

QUERIES = [
    ("appliance pickup", {}),
    ("aplliance", {}),
    ("fridge collection", {}),
    ("when is bulky waste collected", {}),
    ("recyclng centre opening hours", {}),
    ("broken streetlight", {}),
    ("streetlight", {}),
    ("pothole", {}),
    ("parking permit fee", {}),
    ("water bill payment", {}),
    ("noise complaint night", {}),
    ("colection day", {}),
    ("dog licence", {}),
    ("snow clearing footpath", {}),
    ("grafiti", {}),
    ("rats", {}),
    ("Müllabfuhr", {}),
    ("Müll", {}),
    ("Sperrmüll Termin", {}),
    ("Wertstoffhof Öffnungszeiten", {}),
    ("Strassenbeleuchtung", {}),
    ("Hundesteuer", {}),
    ("søppelhenting", {}),
    ("søppel", {}),
    ("gjenvinningsstasjon åpningstider", {}),
    ("gatelys", {}),
    ("brøyting", {}),
    ("appliance", {"problem_code": "P0"}),
    ("collection", {"topic": "Waste"}),
    ("Müll", {"language": "de"}),
]
# Words nearly every article has: the worst case, reported apart from the realistic queries.
GENERIC_QUERIES = [("caller", {}), ("phone number", {})]
# What callers say: questions, typos, and synonyms found by keywords only.
CALLER_QUERIES = [
    ("bulkey waste", {}),
    ("refrigerator", {}),
    ("couch", {}),
    ("pot hole", {}),
    ("refrigerator collection day", {}),
    ("where can I leave my old couch", {}),
    ("wann wird der Sperrmüll abgeholt", {}),
    ("hvem henter kjøleskapet", {}),
]
# Keywords of half the articles on these subjects: words their text does not use.
SUBJECT_KEYWORDS = {
    "Appliance pickup": "refrigerator, white goods, tumble dryer",
    "Bulky waste collection": "couch, settee, bulky items",
    "Pothole report": "pot hole, crater, tarmac",
    "Broken streetlight": "street lamp, lamp post",
    "Fly-tipping": "illegal dumping, dumped waste",
    "Sperrmüllabholung": "Couch, Sperrgut",
    "Elektroschrott": "Gefrierschrank, Elektrogroßgeräte",
    "Søppelhenting": "kjøleskap, hvitevarer, søppeltømming",
    "Hull i veien": "veihull, asfaltskade",
}


def generate(count: int, seed: int, author: User) -> None:
    """Topics, a small catalogue, and `count` articles: 70 % English, 20 % German, 10 %
    Norwegian; 90 % published, 7 % drafts, 3 % archived."""
    rng = random.Random(seed)
    waste = Topic.objects.create(name="Waste")
    topics = [waste] + [
        Topic.objects.create(name=f"Waste {n}", parent=waste) for n in range(5)
    ]  # sub-topics of Waste
    for n in range(20):
        parent = Topic.objects.create(name=f"Topic {n}")
        topics += [parent] + [
            Topic.objects.create(name=f"Topic {n}.{m}", parent=parent) for m in range(3)
        ]
    department = Department.objects.create(name="Bench department")
    provider = ServiceProvider.objects.create(department=department, name="Bench provider")
    categories = [
        ServiceCategory.objects.create(provider=provider, name=f"Category {n}") for n in range(20)
    ]
    codes = [
        ProblemCode.objects.create(category=categories[n % 20], code=f"P{n}", name=f"Problem {n}")
        for n in range(200)
    ]
    now = timezone.now()
    articles = []
    # Its own generator, so the articles are the same as before keywords were added.
    keyword_rng = random.Random(seed + 1)
    for number in range(count):
        language = rng.choices(["en", "de", "nb"], weights=[70, 20, 10])[0]
        subject, words = rng.choice(SUBJECTS[language])
        words = words.split()
        district = rng.choice(DISTRICTS[language])
        kind = rng.choices(
            [ArticleKind.SCRIPT, ArticleKind.PHONE_NUMBERS, ArticleKind.EXTERNAL_LINK],
            weights=[75, 15, 10],
        )[0]
        status = rng.choices(
            [ArticleStatus.PUBLISHED, ArticleStatus.DRAFT, ArticleStatus.ARCHIVED],
            weights=[90, 7, 3],
        )[0]

        def sentence(subject=subject, words=words, district=district, language=language):
            other_subject, other_words = rng.choice(SUBJECTS[language])
            pool = words if rng.random() < 0.8 else other_words.split()
            return rng.choice(SENTENCES[language]).format(
                w1=rng.choice(pool),
                w2=rng.choice(pool),
                subject=subject if pool is words else other_subject,
                district=district,
                day=rng.choice(DAYS[language]),
                n=rng.randint(2, 9),
            )

        def rare_name() -> str:
            return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()

        def names(language=language) -> str:
            return NAME_SENTENCES[language].format(name=rare_name(), person=rare_name())

        title = f"{subject}: {rng.choice(ASPECTS[language])}, {district}"
        body = ""
        phone_numbers = []
        external_url = ""
        if kind == ArticleKind.SCRIPT:
            paragraphs = [
                " ".join(sentence() for _ in range(rng.randint(2, 5)))
                for _ in range(rng.randint(1, 4))
            ]
            body = "\n\n".join(paragraphs) + " " + names()
        elif kind == ArticleKind.PHONE_NUMBERS:
            title = f"{subject}, {district}: {PHONE_LABELS[language]}"
            phone_numbers = [
                {
                    "label": f"{subject} {rng.choice(DISTRICTS[language])}",
                    "number": f"0{rng.randint(20, 99)} {rng.randint(100000, 999999)}",
                }
                for _ in range(rng.randint(1, 4))
            ]
        else:
            external_url = f"https://city.example/{language}/{number}"
            body = f"{sentence()} {names()}"
        articles.append(
            Article(
                kind=kind,
                title=title[:200],
                summary=sentence(),
                keywords=SUBJECT_KEYWORDS.get(subject, "") if keyword_rng.random() < 0.5 else "",
                language=language,
                body=body,
                phone_numbers=phone_numbers,
                external_url=external_url,
                status=status,
                created_by=author,
                updated_by=author,
                published_at=now if status != ArticleStatus.DRAFT else None,
            )
        )
    Article.objects.bulk_create(articles, batch_size=5000)
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    through_topics = Article.topics.through
    through_codes = Article.problem_codes.through
    through_categories = Article.categories.through
    topic_rows, code_rows, category_rows = [], [], []
    for pk in ids:
        for topic in rng.sample(topics, rng.randint(1, 2)):
            topic_rows.append(through_topics(article_id=pk, topic_id=topic.pk))
        if rng.random() < 0.3:
            code = rng.choice(codes)
            code_rows.append(through_codes(article_id=pk, problemcode_id=code.pk))
            category_rows.append(
                through_categories(article_id=pk, servicecategory_id=code.category_id)
            )
    through_topics.objects.bulk_create(topic_rows, batch_size=10000)
    through_codes.objects.bulk_create(code_rows, batch_size=10000)
    through_categories.objects.bulk_create(category_rows, batch_size=10000)


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def resolve(filters: dict) -> dict:
    resolved = dict(filters)
    if "problem_code" in filters:
        resolved["problem_code"] = ProblemCode.objects.get(code=filters["problem_code"])
    if "topic" in filters:
        resolved["topic"] = Topic.objects.get(name=filters["topic"])
    return resolved


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


def run(queries, agent, repeat: int, explain: bool) -> tuple[list[float], list[tuple]]:
    all_times, per_query = [], []
    for text, filters in queries:
        kwargs = resolve(filters)
        hits = search_articles(text, user=agent, **kwargs)  # warm: plans, caches
        if explain:
            with CaptureQueriesContext(connection) as captured:
                search_articles(text, user=agent, **kwargs)
            main = max(captured.captured_queries, key=lambda q: len(q["sql"]))["sql"]
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, VERBOSE) " + main)
                print(f"--- {text} {filters}")
                print("\n".join(row[0] for row in cursor.fetchall()))
        times = [
            timed(lambda t=text, k=kwargs: search_articles(t, user=agent, **k))
            for _ in range(repeat)
        ]
        all_times += times
        first = hits[0].article.title if hits else "-"
        per_query.append((text, filters, len(hits), statistics.median(times), max(times), first))
    return all_times, per_query


def postgresql_sizes(loaded: float, indexed: float, count: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) knowledgebase_article, knowledgebase_searchword")
        cursor.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_index i ON i.indexrelid = c.oid WHERE i.indrelid IN "
            "('knowledgebase_article'::regclass, 'knowledgebase_searchword'::regclass) "
            "ORDER BY c.relname"
        )
        sizes = cursor.fetchall()
        cursor.execute(
            "SELECT pg_total_relation_size('knowledgebase_article'), "
            "pg_total_relation_size('knowledgebase_searchword'), "
            "(SELECT count(*) FROM knowledgebase_searchword)"
        )
        table_size, words_size, words = cursor.fetchone()
    print(
        f"{count} articles generated and inserted in {loaded:.1f} s; vectors and word list "
        f"built in {indexed:.1f} s; articles with indexes {table_size / 2**20:.0f} MB, "
        f"{words} words with indexes {words_size / 2**20:.1f} MB"
    )
    for name, size in sizes:
        print(f"  index {name}: {size / 2**20:.1f} MB")


def index_times(author: User, count: int) -> list[float]:
    """article_index after an edit, as every save runs it: in a transaction, rolled back."""
    times = []
    for article in Article.objects.defer("search_vector").order_by("?")[:count]:
        with transaction.atomic():
            article.body += " Neuwort Kelbarinovastraße."
            article.updated_by = author
            article.save(update_fields=["body", "updated_by"])
            times.append(timed(lambda a=article: article_index(a)))
            transaction.set_rollback(True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true", help="PostgreSQL's plan of each query")
    parser.add_argument(
        "--keep", action="store_true", help="leave the test database for a look with psql"
    )
    options = parser.parse_args()

    setup_test_environment()
    postgresql = connection.vendor == "postgresql"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        author = User.objects.create_user("bench-supervisor")
        author.groups.add(Group.objects.get(name=roles.SUPERVISOR))
        agent = User.objects.create_user("bench-agent")
        agent.groups.add(Group.objects.get(name=roles.AGENT))

        started = time.perf_counter()
        with transaction.atomic():
            generate(options.articles, options.seed, author)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        with transaction.atomic():
            article_index_all()
        indexed = time.perf_counter() - started
        if postgresql:
            postgresql_sizes(loaded, indexed, options.articles)
            saves = index_times(author, 100)
            print(
                f"article_index after an edit (100 articles): median "
                f"{statistics.median(saves):.1f} ms, p95 {percentile(saves, 0.95):.1f} ms"
            )
        else:
            print(f"{connection.vendor}: {options.articles} articles inserted in {loaded:.1f} s")

        explain = options.explain and postgresql
        times, per_query = run(QUERIES, agent, options.repeat, explain)
        generic_times, generic = run(GENERIC_QUERIES, agent, options.repeat, explain)
        caller_times, caller = run(CALLER_QUERIES, agent, options.repeat, explain)
        print(f"\n{'query':<40} {'hits':>4} {'median':>8} {'max':>8}  first hit")
        for text, filters, count, median, worst, first in per_query + generic + caller:
            label = text + (f" {filters}" if filters else "")
            print(f"{label:<40} {count:>4} {median:>6.1f}ms {worst:>6.1f}ms  {first}")
        print(
            f"\nrealistic queries ({len(times)} searches): median "
            f"{statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
            f"max {max(times):.1f} ms"
        )
        print(
            f"generic words ({len(generic_times)} searches): median "
            f"{statistics.median(generic_times):.1f} ms, "
            f"p95 {percentile(generic_times, 0.95):.1f} ms"
        )
        print(
            f"caller questions, typos, synonyms ({len(caller_times)} searches): median "
            f"{statistics.median(caller_times):.1f} ms, "
            f"p95 {percentile(caller_times, 0.95):.1f} ms, max {max(caller_times):.1f} ms"
        )
    finally:
        if options.keep:
            print(f"kept {connection.settings_dict['NAME']}")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
