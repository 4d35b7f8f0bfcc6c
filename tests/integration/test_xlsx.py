"""Excel workbooks on every face: imports read by content, exports that import back unchanged."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from plm.imports.models import Import
from plm.licensing.models import Assignment
from tests.builders import make_org, make_user, plm, run_queued_tasks, write_csv
from tests.integration.conftest import L2
from tests.integration.test_parity import FILE, fresh


def as_workbook(text: str) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(text)):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # as a spreadsheet stores typed text (`=bob` is no formula)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_rows(data: bytes) -> list[tuple[str, ...]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [tuple(v or "" for v in row) for row in sheet.iter_rows(values_only=True)]


def test_a_workbook_gives_the_same_results_as_its_csv_on_every_face(campus, tmp_path) -> None:
    root = make_user("root", "root@example.com", sysadmin=True)
    book = as_workbook(FILE)
    _, token = token_create(actor=system_actor(), user=root)

    def cli_csv() -> None:
        plm("import", str(write_csv(tmp_path / "f.csv", FILE)), "--as", "root")

    def cli_xlsx() -> None:
        path = tmp_path / "renewal.xlsx"
        path.write_bytes(book)
        plm("import", str(path), "--as", "root")

    def web_xlsx() -> None:
        client = Client()
        client.force_login(root)
        # Named .csv on purpose: the content decides.
        client.post("/licensing/import/", {"file": SimpleUploadedFile("f.csv", book)})
        run_queued_tasks()

    def api_xlsx() -> None:
        Client().post(
            "/api/v1/imports",
            {"file": SimpleUploadedFile("renewal.xlsx", book)},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        run_queued_tasks()

    expected = fresh(cli_csv)
    assert len(expected[0]) == 14
    assert fresh(cli_xlsx) == expected
    assert fresh(web_xlsx) == expected
    assert fresh(api_xlsx) == expected


def test_export_as_workbook_on_every_face_and_it_imports_back_unchanged(campus, tmp_path) -> None:
    root = make_user("root", "root@example.com", sysadmin=True)
    text = "Username,Action,License ID\n" + f"bob,assign,{L2}\nann,assign,{L2}\n"
    assert plm("import", str(write_csv(tmp_path / "a.csv", text))).code == 0
    csv_path = tmp_path / "licenses.csv"
    plm("export", "-o", str(csv_path))
    expected = [tuple(r) for r in csv.reader(io.StringIO(csv_path.read_text("utf-8-sig")))]

    xlsx_path = tmp_path / "licenses.xlsx"  # the suffix chooses the format
    assert plm("export", "-o", str(xlsx_path)).code == 0
    client = Client()
    client.force_login(root)
    web = client.get("/licensing/export/?format=xlsx")
    assert web["Content-Disposition"] == 'attachment; filename="licenses.xlsx"'
    _, token = token_create(actor=system_actor(), user=root)
    api = Client().get("/api/v1/export?format=xlsx", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200
    for data in (xlsx_path.read_bytes(), web.content, api.content):
        assert sheet_rows(data) == expected

    before = set(Assignment.objects.values_list("user_id", "license_id"))
    run = plm("import", str(xlsx_path), "--json")
    assert run.code == 0
    assert {r["code"] for r in run.json["results"]} == {"already_assigned"}
    assert set(Assignment.objects.values_list("user_id", "license_id")) == before


def test_unknown_export_format_is_refused_with_its_code(campus, tmp_path) -> None:
    root = make_user("root", "root@example.com", sysadmin=True)
    _, token = token_create(actor=system_actor(), user=root)
    api = Client().get("/api/v1/export?format=ods", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 422
    run = plm("export", "--format", "ods")
    assert run.code == 2 and "csv or xlsx" in run.stdout + run.stderr


def test_users_round_trip_through_a_workbook(db, tmp_path) -> None:
    make_org("Science")
    people = (
        "User-Name,Email,First-Name,Last-Name,Active,Organization-Name-1,Organization-Role-Name-1\n"
        "ann,ann@x.edu,Ann,Lee,yes,Science,Academic Staff\n"
        "=bob,bob@x.edu,Bob,Ray,no,Science,Academic Staff\n"
    )
    path = tmp_path / "people.xlsx"
    path.write_bytes(as_workbook(people))
    run = plm("users", "import", str(path), "--json")
    assert run.code == 0, run.stdout
    assert [r["code"] for r in run.json["results"]] == ["created", "created"]

    out = tmp_path / "person.xlsx"
    assert plm("users", "export", "--format", "xlsx", "-o", str(out)).code == 0
    rows = sheet_rows(out.read_bytes())
    assert rows[0][:2] == ("User-Name", "Email")
    assert ("=bob", "bob@x.edu") in {row[:2] for row in rows}  # text, not a formula
    again = plm("users", "import", str(out), "--json")
    assert {r["code"] for r in again.json["results"]} == {"unchanged"}

    root = make_user("root", "root@example.com", sysadmin=True)
    client = Client()
    client.force_login(root)
    web = client.get("/users/export/?format=xlsx")
    _, token = token_create(actor=system_actor(), user=root)
    api = Client().get("/api/v1/export/users?format=xlsx", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert sheet_rows(web.content) == sheet_rows(api.content)
    assert set(sheet_rows(out.read_bytes())) <= set(sheet_rows(web.content))

    # The same workbook through POST /users/imports (queued, run by a worker): all unchanged.
    queued = Client().post(
        "/api/v1/users/imports",
        {"file": SimpleUploadedFile("person.xlsx", out.read_bytes())},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert queued.status_code == 202
    run_queued_tasks()
    job = Import.objects.get(pk=queued.json()["id"])
    assert (job.status, job.kind, job.unchanged, job.rejected) == ("completed", "users", 2, 0)


def test_a_hostile_workbook_fails_its_import_and_changes_nothing(campus) -> None:
    root = make_user("root", "root@example.com", sysadmin=True)
    client = Client()
    client.force_login(root)
    client.post(
        "/licensing/import/",
        {"file": SimpleUploadedFile("book.xlsx", b"PK\x03\x04" + b"\x00junk" * 50)},
    )
    run_queued_tasks()
    job = Import.objects.get()
    assert (job.status, job.error_code) == ("failed", "malformed_xlsx")
    assert "malformed_xlsx" in client.get(f"/imports/{job.pk}/").content.decode()
    assert Assignment.objects.count() == 0
