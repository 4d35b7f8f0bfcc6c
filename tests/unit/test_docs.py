"""Docs move with the code: every code of the vocabulary is documented."""

from pathlib import Path

from plm.core import codes

DOCS = Path(__file__).parents[2] / "docs"


def test_every_code_is_in_the_csv_reference() -> None:
    doc = (DOCS / "csv-format.md").read_text()
    names = [v for k, v in vars(codes).items() if k.isupper() and isinstance(v, str)]
    assert len(names) > 30
    missing = [name for name in names if f"`{name}`" not in doc]
    assert not missing, f"docs/csv-format.md lacks {missing}"
