"""Files that hold people's data are created readable by their owner only, whatever the umask,
and are written as asked (text by default, the encoding and newline given)."""

import os
import stat

from plm.core.files import open_private


def test_a_new_file_is_created_mode_0600_even_under_a_permissive_umask(tmp_path) -> None:  # type: ignore[no-untyped-def]
    old = os.umask(0)
    try:
        with open_private(tmp_path / "export.csv") as out:
            out.write("Username\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "export.csv").stat().st_mode) == 0o600
    assert (tmp_path / "export.csv").read_text() == "Username\n"


def test_the_mode_encoding_and_newline_asked_for_are_used(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with open_private(tmp_path / "a.csv", encoding="utf-16", newline="") as out:
        out.write("Zoë\r\n")
    assert (tmp_path / "a.csv").read_bytes() == "Zoë\r\n".encode("utf-16")
    with open_private(tmp_path / "b.bin", "wb") as out:
        out.write(b"\x00\xff")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"


def test_an_existing_file_keeps_the_mode_the_administrator_chose(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "backup.json"
    path.write_text("old")
    path.chmod(0o640)
    with open_private(path) as out:
        out.write("new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.read_text() == "new"
