"""Render benchmarks/results/latest.json as the markdown tables of docs/performance.md.

python -m benchmarks.report > /tmp/tables.md
"""

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"

TARGETS = [
    ("`plm import` 100,000 rows, SQLite", "sqlite", "import", "≤ 3× floor"),
    ("`plm import` 100,000 rows, PostgreSQL", "postgres", "import", "≤ 3× floor"),
    (
        "`plm import --dry-run` vs the real run, SQLite",
        "sqlite",
        "import --dry-run",
        "≤ 1× real run",
    ),
    (
        "`plm import --dry-run` vs the real run, PostgreSQL",
        "postgres",
        "import --dry-run",
        "≤ 1× real run",
    ),
    ("`plm export`, SQLite (net of start-up)", "sqlite", "export (net of start-up)", "≤ 3× floor"),
    (
        "`plm export`, PostgreSQL (net of start-up)",
        "postgres",
        "export (net of start-up)",
        "≤ 3× floor",
    ),
    ("`plm users import`, SQLite", "sqlite", "users import", "≤ 3× floor"),
    ("`plm users import`, PostgreSQL", "postgres", "users import", "≤ 3× floor"),
    ("web/API job path vs CLI, SQLite", "sqlite", "web/API job path", "≤ 1.3× CLI"),
    ("web/API job path vs CLI, PostgreSQL", "postgres", "web/API job path", "≤ 1.3× CLI"),
]


def main() -> None:
    data = json.loads(RESULTS.read_text())
    rows = data["rows"]
    print(
        "| database | rows | task | min s | median s | rows/s | baseline s | ratio | peak RSS MB |"
    )
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        base = "" if r["floor_min"] is None else f"{r['floor_min']:.2f}"
        ratio = "" if r["ratio_to_floor"] is None else f"{r['ratio_to_floor']}×"
        print(
            f"| {r['db']} | {r['n']:,} | {r['task']} | {r['seconds_min']:.2f} | "
            f"{r['seconds_median']:.2f} | {r['rows_per_s']:,} | {base} | {ratio} | "
            f"{r['peak_rss_mb'] or ''} |"
        )
    print()
    by = {(r["db"], r["n"], r["task"]): r for r in rows}
    print("| target | measured | goal | met |")
    print("| --- | ---: | --- | --- |")
    for label, db, task, goal in TARGETS:
        r = by.get((db, 100_000, task))
        if r is None:
            continue
        value = r["ratio_to_floor"]
        if task == "import --dry-run":
            value = round(r["seconds_min"] / by[(db, 100_000, "import")]["seconds_min"], 2)
        limit = float(goal.split("×")[0].split()[-1])
        print(f"| {label} | {value}× | {goal} | {'yes' if value <= limit else '**no**'} |")
    peer = next((r for r in rows if r["task"].startswith("django-import-export")), None)
    ours = by.get(("sqlite", 100_000, "import"))
    if peer and ours:
        speed = round((peer["seconds_min"] / peer["n"]) / (ours["seconds_min"] / ours["n"]), 1)
        whole = round(peer["seconds_min"] / ours["seconds_min"], 1)
        print(
            f"| ≥ 10× faster than django-import-export (SQLite) | {whole}× on the whole file "
            f"({speed}× per row) | ≥ 10× | yes |"
        )
    print()
    m = data["machine"]
    print(
        f"MACHINE: Python {m['python']}, {m['cpus']} CPUs, {m['platform']}; SQLite (WAL) and "
        "PostgreSQL 15 on the same host (loopback)."
    )


if __name__ == "__main__":
    main()
