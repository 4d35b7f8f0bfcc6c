"""Web bulk actions as imports: rows built in memory, run by the same engine, recorded."""

import io
from collections.abc import Sequence

from django.http import HttpRequest

from plm.core.writer import LICENSES_HEADER, write_csv
from plm.imports.license_import import run_license_import
from plm.imports.models import Import


def run_rows(request: HttpRequest, rows: Sequence[tuple[str, str, str]], *, label: str) -> Import:
    """Apply (username, action, license id) rows in order as the signed-in user, now."""
    buffer = io.StringIO(newline="")
    write_csv(buffer, LICENSES_HEADER, rows)
    data = buffer.getvalue().encode("utf-8")
    return run_license_import(
        opener=lambda: io.BytesIO(data),
        file_name=label,
        actor_name=request.user.get_username(),
        source="web",
    )
