"""The dialect corpus through the reader: every dialect reads exactly or is refused whole."""

import io

import pytest

from plm.core.codes import FatalFileError
from plm.core.people import FIRST_KEY, LAST_KEY
from plm.core.reader import inspect, records
from tests.data.dialects import CASES, DIRECTORY, Case, files


def test_the_corpus_on_disk_is_what_the_generator_makes() -> None:
    on_disk = {path.name: path.read_bytes() for path in DIRECTORY.glob("*.csv")}
    assert on_disk == files(), "run: python -m tests.data.make_dialects"


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_each_dialect_reads_exactly_or_is_refused_whole(case: Case) -> None:
    data = case.path.read_bytes()
    required = ["username", "action"] if case.kind == "licenses" else ["username"]
    if case.fatal:
        with pytest.raises(FatalFileError) as error:
            inspect(lambda: io.BytesIO(data), required=required)
        assert error.value.code == case.fatal
        return
    layout = inspect(lambda: io.BytesIO(data), required=required)
    rows = list(records(lambda: io.BytesIO(data), layout))
    assert layout.encoding == case.encoding
    assert [r.get(layout, "username") for r in rows] == case.expected_usernames()
    if case.kind == "licenses":
        assert {r.get(layout, "licenseid") for r in rows} == {"ID 2024-08-01-000123"}
    else:
        people = case.names.people
        assert [(r.get(layout, FIRST_KEY), r.get(layout, LAST_KEY)) for r in rows] == [
            (p.first, p.last) for p in people
        ]
        assert {r.get(layout, "organizationname1") for r in rows} == {case.names.org}
