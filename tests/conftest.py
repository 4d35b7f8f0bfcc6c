import os

import pytest


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("PLM_DATABASE_URL", "")
    return f"PLM database: {'PostgreSQL ' + url if url.startswith('postgres') else 'SQLite'}"


@pytest.fixture
def on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


# Under CI, and under mutation testing (`make mutation` sets PLM_MUTATION=1: a mutant's verdict
# must not depend on chance), the property tests replay a fixed set of examples; locally they
# explore new examples on every run.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true" or os.environ.get("PLM_MUTATION") == "1":
    hypothesis_settings.load_profile("ci")
