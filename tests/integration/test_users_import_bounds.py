"""A users import with a value longer than the database holds rejects that row
(value_too_long) and applies the others, on SQLite and PostgreSQL alike."""

from plm.directory.models import User
from tests.builders import plm, write_csv


def test_an_over_long_name_rejects_its_row_only(campus, tmp_path) -> None:
    long_first = "F" * 151
    path = write_csv(
        tmp_path / "person.csv",
        "User-Name,Email,First-Name,Last-Name\n"
        "ok1,ok1@example.com,Olga,Ok\n"
        f"long1,long1@example.com,{long_first},Long\n"
        f"{'u' * 151},u@example.com,Una,User\n"
        f"long2,{'e' * 250}@example.com,Eve,Email\n"
        "ok2,ok2@example.com,Otto,Ok\n",
    )
    run = plm("users", "import", str(path), "--json")
    assert run.code == 3, run.stderr
    results = {(r["row"], r["code"]) for r in run.json["results"] if r["outcome"] == "rejected"}
    assert results == {(3, "value_too_long"), (4, "value_too_long"), (5, "value_too_long")}
    assert set(
        User.objects.filter(username__in=["ok1", "ok2"]).values_list("username", flat=True)
    ) == {
        "ok1",
        "ok2",
    }
    assert not User.objects.filter(username__startswith="long").exists()
    messages = [r["message"] for r in run.json["results"] if r["row"] == 3]
    assert "Row 3" in messages[0] and "First-Name" in messages[0] and "151" in messages[0]
