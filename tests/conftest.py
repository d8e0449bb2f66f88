import os
import shutil
import tempfile
from pathlib import Path

import pytest

from callcenter import roles
from tests.factories import (
    DepartmentFactory,
    ProblemCodeFactory,
    ServiceCategoryFactory,
    ServiceProviderFactory,
    StandardWorkOrderFactory,
    user_with_role,
)

# live_server runs in a thread beside Playwright's sync API, which Django takes for async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config):
    """Test users' passwords are hashed with a fast hasher: PBKDF2's deliberate slowness, paid
    for every user a test creates, made the suite several times slower and tests nothing."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # A file, not Django's in-memory test database: the live server's threads then have
        # connections of their own, as on a real server, instead of sharing the test's one
        # (two requests at once, a live search and an opened article, shared one connection
        # and its transaction: an article opened under load was sometimes not listed as
        # consulted, in a journey that passes alone). One per run: runs side by side
        # in one checkout do not share it; pytest-xdist adds each worker's suffix. In memory
        # (/dev/shm) where there is one.
        folder = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
        name = folder / f"callcenter-test-{os.getpid()}.sqlite3"
        database["TEST"] = {**database.get("TEST", {}), "NAME": str(name)}


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium; skip them without it, unless CI requires them."""
    if shutil.which(CHROMIUM):
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(
            f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install -y chromium"
        )
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing; install it with `apt-get install -y chromium`"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def agent(db):
    return user_with_role(roles.AGENT)


@pytest.fixture
def supervisor(db):
    return user_with_role(roles.SUPERVISOR)


@pytest.fixture
def administrator(db):
    return user_with_role(roles.ADMINISTRATOR, username="admin")


@pytest.fixture
def manager(db):
    return user_with_role(roles.MANAGER)


@pytest.fixture
def outsider(db):
    """Signed in, but in no role."""
    from tests.factories import UserFactory

    return UserFactory(username="outsider")


@pytest.fixture
def catalogue(db):
    """The demo chain Environmental Services → Solid Waste → Household garbage → APPL."""
    department = DepartmentFactory(name="Environmental Services")
    provider = ServiceProviderFactory(department=department, name="Solid Waste")
    category = ServiceCategoryFactory(provider=provider, name="Household garbage collection")
    swo = StandardWorkOrderFactory(title="Collect household appliance", trade="Sanitation")
    appl = ProblemCodeFactory(
        category=category,
        code="APPL",
        name="Appliance pickup",
        standard_work_order=swo,
        permanent_fix_days=10,
    )
    missed = ProblemCodeFactory(category=category, code="MISS", name="Missed collection")
    return {
        "department": department,
        "provider": provider,
        "category": category,
        "standard_work_order": swo,
        "appl": appl,
        "missed": missed,
    }
