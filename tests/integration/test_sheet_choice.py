"""Choosing the workbook sheet: the same choice, the same result, on the CLI (--sheet), the web
import form (its Sheet field) and the API (the `sheet` form field); a sheet that does not exist
is `sheet_not_found` naming the sheets, and nothing is applied."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from plm.imports.models import Import
from tests.builders import holders, make_user, plm, run_queued_tasks
from tests.integration.conftest import L1, L2


def two_sheets() -> bytes:
    """First sheet "Renewal 2025" assigns L1 to ann; the second, "Renewal 2026", L2 to bob."""
    book = Workbook()
    first = book.active
    first.title = "Renewal 2025"
    first.append(["Username", "Action", "License ID"])
    first.append(["ann", "assign", L1])
    second = book.create_sheet("Renewal 2026")
    second.append(["Username", "Action", "License ID"])
    second.append(["bob", "assign", L2])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def send(face: str, sheet: str, tmp_path) -> Import | dict:  # type: ignore[no-untyped-def,type-arg]
    data = two_sheets()
    if face == "cli":
        path = tmp_path / "renewal.xlsx"
        path.write_bytes(data)
        return plm("import", str(path), "--sheet", sheet, "--json").json
    root = make_user("root", "root@example.edu", sysadmin=True)
    upload = {"file": SimpleUploadedFile("renewal.xlsx", data), "sheet": sheet}
    if face == "web":
        client = Client()
        client.force_login(root)
        client.post("/licensing/import/", upload)
    else:
        _, token = token_create(actor=system_actor(), user=root)
        Client().post("/api/v1/imports", upload, HTTP_AUTHORIZATION=f"Bearer {token}")
    run_queued_tasks()
    return Import.objects.get()


@pytest.mark.parametrize("face", ["cli", "web", "api"])
def test_the_chosen_sheet_is_read_and_recorded_on_every_face(campus, face, tmp_path) -> None:  # type: ignore[no-untyped-def]
    got = send(face, "renewal 2026", tmp_path)  # ignoring case
    assert holders(L2) == {"bob"} and holders(L1) == set()
    if isinstance(got, dict):
        assert got["sheet"] == "Renewal 2026"
    else:
        assert (got.status, got.sheet) == ("completed", "Renewal 2026")


@pytest.mark.parametrize("face", ["cli", "web", "api"])
def test_a_sheet_that_does_not_exist_is_refused_on_every_face(campus, face, tmp_path) -> None:  # type: ignore[no-untyped-def]
    got = send(face, "Renewal 2027", tmp_path)
    expected = (
        "The workbook has no sheet named 'Renewal 2027'; its sheets are 'Renewal 2025', "
        "'Renewal 2026'."
    )
    if isinstance(got, dict):
        assert got["error"]["code"] == "sheet_not_found"
        assert got["error"]["message"].startswith(expected)
    else:
        assert (got.status, got.error_code) == ("failed", "sheet_not_found")
        assert got.error_message.startswith(expected)
    assert holders(L1) == set() and holders(L2) == set()
