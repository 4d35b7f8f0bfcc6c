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
