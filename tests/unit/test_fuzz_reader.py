"""A bounded atheris run of the reader's fuzz target (make fuzz runs it longer)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
SECONDS = int(os.environ.get("PLM_FUZZ_SECONDS", "10"))


def test_the_reader_survives_fuzzing(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "fuzz" / "seeds", corpus)
    for seed in (ROOT / "tests" / "data" / "malformed").glob("*.csv"):
        if seed.stat().st_size < 10_000:
            shutil.copy(seed, corpus)
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "fuzz" / "fuzz_reader.py"),
            f"-max_total_time={SECONDS}",
            "-rss_limit_mb=1024",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        timeout=SECONDS + 120,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Done" in out.stderr
