"""CSV downloads written by the core writer (BOM, CRLF, formulas neutralized)."""

import io
from collections.abc import Iterable, Sequence

from django.http import StreamingHttpResponse

from plm.core.writer import write_csv


def csv_download(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[str]]
) -> StreamingHttpResponse:
    buffer = io.StringIO(newline="")
    write_csv(buffer, header, rows)
    response = StreamingHttpResponse(
        [buffer.getvalue().encode("utf-8")], content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
