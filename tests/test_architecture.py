"""Two rules of the architecture, checked over the apps' code (docs/architecture.md):

1. Services are the only writers. Every insert, update and delete of domain data is in a
   `services.py` of the app that owns it, so that each rule lives in one place. Found here by
   walking the syntax of every module of the apps (not tests, migrations or benchmarks) for
   calls that write: save, create, get_or_create, update_or_create, bulk_create, bulk_update,
   delete, create_user and create_superuser on anything; update on a manager, a queryset built
   from one, or a related manager; add, remove, clear and set on a related manager (known by
   its name, from the models' own relations: `self.changes.add()` is a write whatever
   `changes` holds, `found.add()` on a plain set is not); and raw SQL that inserts, updates,
   deletes, truncates or copies.
   What the walk cannot see: a queryset or related manager held in a variable and updated or
   added to under another name (`requests.update(...)`): code review has to.
2. Apps import only from apps to their left: hierarchy ← knowledgebase ← workorders ←
   requests_app ← open311 ← feedback ← calls ← mail ← reports, and the demo package builds on
   them all.
   callcenter (settings and the helpers every app shares) imports no app; accounts imports
   only callcenter.

Each exception is a line below, saying why.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db.models import ForeignObjectRel

ROOT = Path(__file__).resolve().parent.parent
# The direction of dependency: each imports only from those before it (and the shared two).
LAYERS = [
    "hierarchy",
    "knowledgebase",
    "workorders",
    "requests_app",
    "open311",
    "feedback",
    "calls",
    "mail",
    "reports",
    "demo",
]
SHARED = {"callcenter": set(), "accounts": {"callcenter"}}
APPS = [*SHARED, *LAYERS]


@dataclass(frozen=True)
class Allowed:
    """Writes in these functions of this file are allowed, because ..."""

    path: str
    functions: frozenset[str]
    why: str


ALLOWED_WRITES = [
    Allowed(
        "callcenter/roles.py",
        frozenset({"sync_roles"}),
        "runs inside migrations (RunPython) on their historical models, where no service can",
    ),
    Allowed(
        "callcenter/history.py",
        frozenset({"record_changes_of_many"}),
        "the one writer of history rows, called by the services that change the subject",
    ),
    Allowed(
        "knowledgebase/search.py",
        frozenset({"article_index", "article_index_all", "_add_words"}),
        "the search index, derived from an article's saved row; knowledgebase.services calls "
        "article_index in the article's transaction, article_index_all rebuilds it after a load",
    ),
    Allowed(
        "demo/volume.py",
        frozenset({"_copy", "_bulk_create.flush", "ensure_agents"}),
        "benchmark volume at COPY speed (a million requests in a minute; bulk_create where "
        "there is no COPY), which no per-row service reaches; tests/demo check its rows "
        "against what the services write",
    ),
    Allowed(
        "demo/management/commands/load_demo_data.py",
        frozenset({"Command.ensure_user"}),
        "the demo logins' known password, which accounts.services.user_create refuses (as it "
        "should); the command refuses to run outside DEBUG without --force",
    ),
    Allowed(
        "calls/phone/party.py",
        frozenset({"run"}),
        "not a database write: pjsua2's Account.create() opens a SIP account in the test "
        "party's own process",
    ),
    Allowed(
        "calls/phone/media.py",
        frozenset({"MediaService.run"}),
        "not a database write: pjsua2's Account.create() opens the media service's SIP account",
    ),
]

WRITES = {"save", "create", "get_or_create", "update_or_create", "bulk_create", "bulk_update"}
WRITES |= {"delete", "create_user", "create_superuser"}
RELATED_WRITES = {"add", "remove", "clear", "set", "update"}
QUERYSET_METHODS = {
    "all",
    "filter",
    "exclude",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "order_by",
    "annotate",
    "using",
    "distinct",
    "none",
}
SQL_CALLS = {"execute", "executemany", "copy"}
SQL_WRITE = re.compile(
    r"\b(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|TRUNCATE|MERGE\s+INTO|COPY\s.*\sFROM)\b",
    re.IGNORECASE | re.DOTALL,
)


def app_modules(*, migrations: bool) -> list[Path]:
    modules = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if migrations or "migrations" not in path.relative_to(ROOT).parts:
                modules.append(path)
    return modules


def related_manager_names() -> set[str]:
    """Every name a model reaches a related manager by: many-to-many fields, and the reverse
    accessors of foreign keys and many-to-many fields (`user.groups`, `group.user_set`)."""
    names = set()
    for model in django_apps.get_models():
        for field in model._meta.get_fields(include_hidden=False):
            if isinstance(field, ForeignObjectRel) and (field.one_to_many or field.many_to_many):
                names.add(field.get_accessor_name())
            elif field.many_to_many:
                names.add(field.name)
    return names


class _WriteFinder(ast.NodeVisitor):
    """Calls that write, each with its line and the function it is in."""

    def __init__(self, tree: ast.Module, related: set[str]):
        self.related = related
        self.strings = _module_strings(tree)
        self.functions: list[str] = []  # the classes and functions the walk is in
        self.found: list[tuple[int, str, str]] = []  # line, "Class.function", the call

    def visit_FunctionDef(self, node):
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call):
        if isinstance(node.func, ast.Attribute) and self.writes(node):
            function = ".".join(self.functions) or "<module>"
            self.found.append((node.lineno, function, ast.unparse(node.func)))
        self.generic_visit(node)

    def writes(self, call: ast.Call) -> bool:
        name, receiver = call.func.attr, call.func.value
        if name in WRITES:
            return True
        if name in RELATED_WRITES and self.is_manager(receiver, related_only=name != "update"):
            return True
        if name in SQL_CALLS and call.args:
            return bool(SQL_WRITE.search(_static_text(call.args[0], self.strings)))
        return False

    def is_manager(self, node: ast.expr, *, related_only: bool) -> bool:
        """`X.objects`, `x.<related manager>`, or a queryset method called on one of them."""
        if isinstance(node, ast.Attribute):
            return node.attr in self.related or (not related_only and node.attr == "objects")
        is_method_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if is_method_call and node.func.attr in QUERYSET_METHODS:
            return self.is_manager(node.func.value, related_only=False)
        return False


def _module_strings(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to SQL text (`_WORDS_SQL = f"INSERT ..."`), as their text."""
    strings: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                strings[target.id] = _static_text(node.value, strings)
    return strings


def _static_text(node: ast.expr, strings: dict[str, str]) -> str:
    """The SQL a call runs, as far as the code spells it: literals, f-strings (a value becomes
    "{}"), concatenations, `.format()` of known text, and module-level names of text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_static_text(value, strings) or "{}" for value in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _static_text(node.left, strings) + _static_text(node.right, strings)
    if isinstance(node, ast.Name):
        return strings.get(node.id, "")
    is_method_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    if is_method_call and node.func.attr == "format":
        return _static_text(node.func.value, strings)
    return ""


def writes_outside_services() -> list[tuple[str, int, str, str]]:
    related = related_manager_names()
    found = []
    for path in app_modules(migrations=False):
        if path.name == "services.py":
            continue
        relative = path.relative_to(ROOT).as_posix()
        finder = _WriteFinder(ast.parse(path.read_text(), filename=relative), related)
        finder.visit(ast.parse(path.read_text(), filename=relative))
        found.extend((relative, line, function, call) for line, function, call in finder.found)
    return found


def allowed(path: str, function: str) -> Allowed | None:
    return next(
        (rule for rule in ALLOWED_WRITES if rule.path == path and function in rule.functions),
        None,
    )


def test_only_services_write():
    unexplained = [
        f"{path}:{line}: {call}() in {function}() writes outside a services.py"
        for path, line, function, call in writes_outside_services()
        if allowed(path, function) is None
    ]
    assert not unexplained, (
        "Move each write into a service of the app that owns the data (or, if it truly cannot "
        "be, add a line with the reason to ALLOWED_WRITES):\n" + "\n".join(unexplained)
    )


def test_every_allowed_write_is_still_there():
    used = {
        (path, function)
        for path, _line, function, _call in writes_outside_services()
        if allowed(path, function)
    }
    stale = [
        f"{rule.path}: {function}()"
        for rule in ALLOWED_WRITES
        for function in sorted(rule.functions)
        if (rule.path, function) not in used
    ]
    assert not stale, "ALLOWED_WRITES names functions that no longer write:\n" + "\n".join(stale)


ALLOWED_IMPORTS = {
    "callcenter/urls.py": "the project's URLs: the one place that wires every app in",
}


def may_import(importer: str, imported: str) -> bool:
    if importer == imported:
        return True
    if importer in SHARED:
        return imported in SHARED[importer]
    if imported in SHARED:
        return True
    return LAYERS.index(imported) < LAYERS.index(importer)


def imports_against_the_direction() -> list[str]:
    found = []
    for path in app_modules(migrations=True):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED_IMPORTS:
            continue
        importer = relative.split("/")[0]
        for node in ast.walk(ast.parse(path.read_text(), filename=relative)):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                imported = module.split(".")[0]
                if imported in APPS and not may_import(importer, imported):
                    found.append(f"{relative}:{node.lineno}: {importer} imports {module}")
    return found


def test_apps_import_only_from_apps_to_their_left():
    wrong = imports_against_the_direction()
    assert not wrong, (
        "An app imports only from apps to its left ("
        + " ← ".join(LAYERS)
        + "); callcenter imports no app, accounts only callcenter:\n"
        + "\n".join(wrong)
    )


@pytest.mark.parametrize(
    "source, writes",
    [
        ("form.save()", True),
        ("Topic.objects.get_or_create(name='x')", True),
        ("search.delete()", True),
        ("Article.objects.filter(pk=1).update(title='x')", True),
        ("Article.objects.update(title='x')", True),
        ("user.groups.add(group)", True),
        ("group.user_set.add(*users)", True),
        ("request.consulted_articles.all().delete()", True),
        ("cursor.execute('UPDATE request SET status = %s', [1])", True),
        ("cursor.execute(f'INSERT INTO {table} (a) VALUES (%s)', [1])", True),
        ("cursor.execute('SELECT 1 FROM request FOR UPDATE')", False),
        ("cursor.copy(f'COPY {table} ({names}) FROM STDIN')", True),
        ("cursor.copy('COPY (SELECT 1) TO STDOUT')", False),
        ("context.update(page=1)", False),
        ("seen.add(number)", False),
        ("self.used.add(number)", False),
        ("labels.update(pairs)", False),
    ],
)
def test_the_walk_tells_writes_from_other_calls(source, writes):
    tree = ast.parse(source)
    finder = _WriteFinder(tree, related_manager_names())
    finder.visit(tree)
    assert bool(finder.found) is writes


def test_the_walk_reads_sql_from_a_module_level_name():
    tree = ast.parse('SQL = f"DELETE FROM {table}"\ndef purge():\n    cursor.execute(SQL)\n')
    finder = _WriteFinder(tree, set())
    finder.visit(tree)
    assert finder.found == [(3, "purge", "cursor.execute")]
