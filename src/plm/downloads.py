"""HTTP downloads of exports for the web and the API: CSV by the core writer (BOM, CRLF, formulas
neutralized) or .xlsx."""

import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse

from plm.core.writer import write_csv
from plm.core.xlsx import XLSX_CONTENT_TYPE, write_xlsx


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


def export_download(
    name: str, header: Sequence[str], rows: Iterable[Sequence[str]], fmt: str
) -> HttpResponse:
    """`name`.csv, or `name`.xlsx (one sheet called `name`) when fmt is "xlsx"."""
    if fmt != "xlsx":
        return csv_download(f"{name}.csv", header, rows)
    buffer = io.BytesIO()
    write_xlsx(buffer, header, rows, title=name)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
