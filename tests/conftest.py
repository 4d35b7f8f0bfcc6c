import os

import pytest


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("PLM_DATABASE_URL", "")
    return f"PLM database: {'PostgreSQL ' + url if url.startswith('postgres') else 'SQLite'}"


@pytest.fixture
def on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


# Under CI the property tests replay a fixed set of examples (a CI result must not depend on
# chance); locally they explore new examples on every run. Under mutation testing (`make
# mutation` sets PLM_MUTATION=1) they replay a fixed set too, with no per-example deadline:
# two mutmut children share a busy machine, and a slow example must not count as a kill.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.register_profile("mutation", derandomize=True, database=None, deadline=None)
if os.environ.get("PLM_MUTATION") == "1":
    hypothesis_settings.load_profile("mutation")
elif os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:  # type: ignore[no-untyped-def]
    """Under mutation testing, each test process gets a test database of its own.

    The SQLite test database is a file (var/test-plm.sqlite3); mutmut runs two children at once,
    and two pytest sessions creating and dropping the same file fail each other with "disk I/O
    error", which mutmut would count as killed mutants. (pytest-django does the same for xdist.)
    """
    if os.environ.get("PLM_MUTATION") != "1":
        return
    from django.conf import settings

    for db in settings.DATABASES.values():
        test = db.setdefault("TEST", {})
        if test.get("NAME") and test["NAME"] != ":memory:":
            test["NAME"] = f"{test['NAME']}-{os.getpid()}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under mutation testing, start each test session with empty caches.

    mutmut forks every mutant's test run from a process that has already run the tests once
    (to map tests to functions); a cache filled then holds the unmutated code's answers, and a
    mutant behind it would survive without ever running.
    """
    if os.environ.get("PLM_MUTATION") != "1":
        return
    from plm.core import encoding, license_ids, people

    encoding._homes.cache_clear()
    license_ids.normalize_license_id_cached.cache_clear()
    people.role_name.cache_clear()
