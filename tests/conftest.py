import os

import pytest


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("PLM_DATABASE_URL", "")
    return f"PLM database: {'PostgreSQL ' + url if url.startswith('postgres') else 'SQLite'}"


@pytest.fixture
def on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"
