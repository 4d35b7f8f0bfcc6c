"""plm export: the licenses.csv format, and export -> import changing nothing."""

from tests.builders import make_license, make_user, plm, write_csv
from tests.integration.conftest import L1, L2


def assign(tmp_path, body: str) -> None:
    run = plm("import", str(write_csv(tmp_path / "a.csv", "Username,Action,License ID\n" + body)))
    assert run.code == 0, run.stdout


def test_export_format_sorting_and_neutralization(campus, tmp_path) -> None:
    org = campus.science
    make_user("=danger", "", roles=[(org, "Academic Staff")])
    make_user("zed", "Alpha@example.com", roles=[(org, "Academic Staff")])
    assign(
        tmp_path,
        f"bob,assign,{L2}\n=danger,assign,{L2}\nzed,assign,{L1}\nann,assign,{L1}\n"
        f"ann,assign,{L2}\n",
    )
    out = tmp_path / "licenses.csv"
    assert plm("export", "-o", str(out)).code == 0
    assert out.read_bytes().decode("utf-8") == (
        "\ufeffUsername,Action,License ID\r\n"
        f"'=danger,assign,{L2}\r\n"
        f"Alpha@example.com,assign,{L1}\r\n"
        f"bob@example.com,assign,{L2}\r\n"
        f"instructor1@example.com,assign,{L1}\r\n"
        f"instructor1@example.com,assign,{L2}\r\n"
    )


def test_export_to_stdout_without_bom(campus, tmp_path) -> None:
    assign(tmp_path, f"bob,assign,{L2}\n")
    run = plm("export", "--no-bom")
    assert (
        run.stdout.replace("\r\n", "\n")
        == f"Username,Action,License ID\nbob@example.com,assign,{L2}\n"
    )


def test_the_user_name_is_used_when_the_email_is_someone_elses_user_name(campus, tmp_path) -> None:
    make_user("bob@example.com", "other@example.com")
    assign(tmp_path, f"bob,assign,{L2}\n")
    assert "bob,assign," in plm("export").stdout


def test_export_then_import_changes_nothing(campus, tmp_path) -> None:
    make_license("ID 2001-01-01-000001", seats=1)
    assign(tmp_path, f"ann,assign,{L1}\nbob,assign,{L1}\ncat,autoassign,\ncat,assign,{L2}\n")
    out = tmp_path / "licenses.csv"
    plm("export", "-o", str(out))
    run = plm("import", str(out), "--json")
    assert run.code == 0
    assert {r["code"] for r in run.json["results"]} == {"already_assigned"}
    assert run.json["rows"] == 4


def test_the_export_reports_the_file_name_as_written_even_with_brackets(campus, tmp_path) -> None:
    """A file name is not markup: `[bold]` in it is printed, not taken for a style."""
    folder = tmp_path / "d[red]"
    folder.mkdir()
    out = folder / "x[bold].csv"
    run = plm("export", "-o", str(out))
    assert run.code == 0 and out.exists()
    assert run.stdout == f"Wrote 0 assignments to {out}.\n"
    people = folder / "p[b].csv"
    assert plm("users", "export", "-o", str(people)).stdout.endswith(f" users to {people}.\n")
