"""Render benchmarks/results/latest.json as the markdown tables of docs/performance.md, with the
figures a reader needs to check each ratio.

python -m benchmarks.report > /tmp/tables.md
"""

import json
from pathlib import Path

from benchmarks.reads import is_by_number

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
BIG = 100_000
READ_GOAL_MS = 100.0


def _s(value: object) -> str:
    return "" if value is None else f"{float(value):.2f}"  # type: ignore[arg-type]


def _x(value: object) -> str:
    return "" if value is None else f"{value}×"


def figures(rows: list[dict[str, object]]) -> None:
    print(
        "| database | rows | task | min s | median s | rows/s | baseline s | ratio | "
        "minimal floor s | ratio to minimal | CPU s | baseline CPU s | CPU ratio | "
        "CPU ratio to minimal | peak RSS MB |"
    )
    print("| --- | ---: | --- |" + " ---: |" * 12)
    for r in rows:
        if r["task"] == "read":
            continue
        print(
            f"| {r['db']} | {r['n']:,} | {r['task']} | {r['seconds_min']:.2f} | "
            f"{r['seconds_median']:.2f} | {r['rows_per_s']:,} | {_s(r['floor_min'])} | "
            f"{_x(r['ratio_to_floor'])} | {_s(r.get('minimal_floor_min'))} | "
            f"{_x(r.get('ratio_to_minimal'))} | {_s(r.get('cpu_min'))} | "
            f"{_s(r.get('floor_cpu_min'))} | {_x(r.get('cpu_ratio'))} | "
            f"{_x(r.get('cpu_ratio_to_minimal'))} | {r['peak_rss_mb'] or ''} |"
        )
    nets = [r for r in rows if "net_ours" in r]
    if nets:
        print()
        print("Exports net of a bare interpreter start (`plm --version`; `python -c pass`):")
        print()
        print(
            "| database | rows | plm export s | − start s | = net s | floor s | − start s | "
            "= net s | ratio | CPU: plm − start, floor − start | CPU ratio |"
        )
        print("| --- | ---: |" + " ---: |" * 9)
        for r in nets:
            print(
                f"| {r['db']} | {r['n']:,} | {_s(r['seconds_min'])} | {_s(r['start_ours'])} | "
                f"{_s(r['net_ours'])} | {_s(r['floor_min'])} | {_s(r['start_floor'])} | "
                f"{_s(r['net_floor'])} | {_x(r['ratio_to_floor'])} | "
                f"{r.get('cpu_min')} − {r.get('start_ours_cpu')}, "
                f"{r.get('floor_cpu_min')} − {r.get('start_floor_cpu')} | {_x(r.get('cpu_ratio'))} |"
            )


def reads(rows: list[dict[str, object]]) -> None:
    found = [r for r in rows if r["task"] == "read"]
    if not found:
        return
    print()
    print(
        "Reads (ms; one keep-alive loopback client, one request at a time; busy: while a "
        f"{found[0]['n']:,}-row import runs in the same `plm serve`; *by number*: a deep page "
        "asked for by its number or offset, not by the Next link or `next` a user follows, shown "
        "but not in the target):"
    )
    print()
    print("| database | face | address | idle p50 | idle p95 | busy p50 | busy p95 | passes |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in found:
        print(
            f"| {r['db']} | {r['face']} | `{r['path']}`{' (by number)' if is_by_number(str(r['path'])) else ''} "
            f"| {r['idle_p50_ms']} | {r['idle_p95_ms']} "
            f"| {r['busy_p50_ms']} | {r['busy_p95_ms']} | {r['idle_passes']}/{r['busy_passes']} |"
        )


def targets(rows: list[dict[str, object]]) -> None:
    by = {(r["db"], r["n"], r["task"]): r for r in rows if r["task"] != "read"}
    print()
    print("| target | measured (wall) | goal | met | CPU ratio (user + system) | met on CPU |")
    print("| --- | --- | --- | --- | --- | --- |")

    def line(
        label: str,
        value: float | None,
        limit: float,
        shown: str,
        goal: str,
        cpu: float | None = None,
    ) -> None:
        if value is None:
            return
        on_cpu = "" if cpu is None else f"{cpu}×"
        met_cpu = "" if cpu is None else ("yes" if cpu <= limit else "**no**")
        print(
            f"| {label} | {shown} | {goal} | {'yes' if value <= limit else '**no**'} | "
            f"{on_cpu} | {met_cpu} |"
        )

    for db, name in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        imp = by.get((db, BIG, "import"))
        if imp:
            r, m = imp["ratio_to_floor"], imp.get("ratio_to_minimal")
            line(
                f"`plm import` 100,000 rows, {name}: same-table floor",
                r,  # type: ignore[arg-type]
                2.0,
                f"{imp['seconds_min']:.2f} s / {imp['floor_min']:.2f} s = {r}×",
                "≤ 2×",
                imp.get("cpu_ratio"),  # type: ignore[arg-type]
            )
            line(
                f"`plm import` 100,000 rows, {name}: minimal floor",
                m,  # type: ignore[arg-type]
                4.0,
                f"{imp['seconds_min']:.2f} s / {_s(imp.get('minimal_floor_min'))} s = {m}×",
                "≤ 4×",
                imp.get("cpu_ratio_to_minimal"),  # type: ignore[arg-type]
            )
        for task, label, limit in (
            ("users import", "`plm users import`", 2.0),
            ("export (net of start-up)", "`plm export` (net of start-up)", 3.0),
            ("import --json", "`plm import --json` vs the plain run", 1.1),
        ):
            r = by.get((db, BIG, task))
            if r and r["ratio_to_floor"] is not None:
                shown = f"{r['ratio_to_floor']}×"
                if "net_ours" in r:
                    shown = f"{r['net_ours']:.2f} s / {r['net_floor']:.2f} s = {shown}"
                else:
                    shown = f"{r['seconds_min']:.2f} s / {r['floor_min']:.2f} s = {shown}"
                line(
                    f"{label}, {name}",
                    r["ratio_to_floor"],  # type: ignore[arg-type]
                    limit,
                    shown,
                    f"≤ {limit}×",
                    r.get("cpu_ratio"),  # type: ignore[arg-type]
                )
        # The pages a user pages through: deep pages asked for by number or offset are shown
        # in the reads table, not counted here (their keyset twins, reached by Next, are).
        some = [
            r
            for r in rows
            if r["task"] == "read" and r["db"] == db and not is_by_number(str(r["path"]))
        ]
        slow = [r for r in some if float(r["busy_p95_ms"]) >= READ_GOAL_MS]  # type: ignore[arg-type]
        if some:
            worst = max(some, key=lambda r: float(r["busy_p95_ms"]))  # type: ignore[arg-type]
            print(
                f"| reads under load, {name}: p95 of every page and API read | worst "
                f"{worst['busy_p95_ms']} ms (`{worst['path']}`); {len(slow)} of {len(some)} "
                f"at or over {READ_GOAL_MS:.0f} ms | < {READ_GOAL_MS:.0f} ms | "
                f"{'yes' if not slow else '**no**'} | | |"
            )
    memory = [r for r in rows if r["task"] == "import, 100k users (memory)"]
    big = next((r for r in memory if r["n"] == 1_000_000), None)
    if big:
        line(
            "1,000,000 rows, SQLite: time",
            float(big["seconds_min"]),  # type: ignore[arg-type]
            30.0,
            f"{big['seconds_min']} s",
            "≤ 30 s",
        )
        line(
            "1,000,000 rows, SQLite: peak RSS vs 100,000 rows",
            float(big["ratio_to_floor"]),  # type: ignore[arg-type]
            1.5,
            f"{big['peak_rss_mb']} MB / {memory[0]['peak_rss_mb']} MB = {big['ratio_to_floor']}×",
            "≤ 1.5×",
        )
    helps = by.get(("-", 0, "plm --help"))
    if helps:
        line(
            "`plm --help`",
            float(helps["seconds_min"]),  # type: ignore[arg-type]
            0.25,
            f"{helps['seconds_min']:.2f} s (median {helps['seconds_median']:.2f} s)",
            "≤ 0.25 s",
        )
    peer = next((r for r in rows if str(r["task"]).startswith("django-import-export")), None)
    ours = by.get(("sqlite", BIG, "import"))
    if peer and ours:
        speed = round((peer["seconds_min"] / peer["n"]) / (ours["seconds_min"] / ours["n"]), 1)  # type: ignore[operator]
        whole = round(peer["seconds_min"] / ours["seconds_min"], 1)  # type: ignore[operator]
        print(
            f"| ≥ 10× faster than django-import-export (SQLite) | {whole}× on the whole file "
            f"({speed}× per row) | ≥ 10× | {'yes' if whole >= 10 else '**no**'} | | |"
        )


def main() -> None:
    data = json.loads(RESULTS.read_text())
    rows = data["rows"]
    figures(rows)
    reads(rows)
    targets(rows)
    print()
    m = data["machine"]
    print(
        f"MACHINE: Python {m['python']}, {m['cpus']} CPUs, {m['platform']}; SQLite (WAL) and "
        "PostgreSQL 15 on the same host (loopback)."
    )
    if m.get("load"):
        print(f"LOAD: load average before / after the run: {m['load']}")


if __name__ == "__main__":
    main()
