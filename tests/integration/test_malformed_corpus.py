"""Every file of tests/data/malformed gives its documented error, and changes nothing."""

import json
from pathlib import Path

import pytest

from plm.licensing.models import Assignment
from tests.builders import plm

CORPUS = Path(__file__).parents[1] / "data" / "malformed"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_gives_its_documented_error(campus, name: str) -> None:
    run = plm("import", str(CORPUS / name), "--json")
    expected = EXPECTED[name]
    if "fatal" in expected:
        assert run.code == 2
        assert run.json["error"]["code"] == expected["fatal"]
        assert run.json["results"] == []
    else:
        assert run.code == 3
        assert [r["code"] for r in run.json["results"]] == expected["row_codes"]
    assert Assignment.objects.count() == 0
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"Username,Action\n" + b"a" * (10 * 1024 * 1024), "malformed_csv"),  # a 10 MB line
        (b",".join(b"c%d" % i for i in range(100_000)) + b"\nann,assign\n", "malformed_csv"),
        (b"Username,Action\n" + b'"' + b"x" * (2 * 1024 * 1024), "malformed_csv"),
    ],
    ids=["10MB-single-line", "100000-columns", "unclosed-2MB-quote"],
)
def test_huge_hostile_files_are_refused_whole(campus, tmp_path, content, code) -> None:
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    run = plm("import", str(path), "--json")
    assert run.code == 2 and run.json["error"]["code"] == code
    assert Assignment.objects.count() == 0
