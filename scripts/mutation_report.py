"""Print the kill rate of the last `mutmut run`, per module and overall, and list the survivors.

Reads mutmut's own per-file results (mutants/**/*.py.meta: mutant name -> exit code of its test
run). Killed: the tests failed (1) or pytest errored (3), or the mutant timed out (a mutant that
hangs the code is detected). Survived: the tests passed (0). No tests: no selected test runs
the mutated function. Exits 1 when the overall kill rate is under --min (default 0: report only).

    python scripts/mutation_report.py [--min 90]
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout"}
STATUS = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", None: "not checked"}


def status(exit_code: int | None) -> str:
    if exit_code in KILLED:
        return KILLED[exit_code]
    return STATUS.get(exit_code, "suspicious")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=0.0, help="fail under this kill rate (%%)")
    parser.add_argument("--root", type=Path, default=Path("mutants"))
    args = parser.parse_args()
    metas = sorted(args.root.rglob("*.py.meta"))
    if not metas:
        print("No mutmut results under mutants/: run `make mutation` first.")
        return 1
    per_module: dict[str, Counter[str]] = {}
    survivors: list[str] = []
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if not codes:
            continue
        module = str(meta.relative_to(args.root)).removesuffix(".meta")
        tally = per_module.setdefault(module, Counter())
        for name, code in sorted(codes.items()):
            s = status(code)
            tally[s] += 1
            if s not in ("killed", "timeout"):
                survivors.append(f"  {s:<12} {name}")
    total: Counter[str] = Counter()
    print(f"{'module':<32} {'mutants':>7} {'killed':>7} {'survived':>8} {'other':>6} {'rate':>7}")
    for module, tally in per_module.items():
        total.update(tally)
        print(_line(module, tally))
    print(_line("TOTAL", total))
    if survivors:
        print("\nNot killed (see docs/testing.md for why each one is accepted):")
        print("\n".join(survivors))
    rate = _rate(total)
    if rate < args.min:
        print(f"\nKill rate {rate:.1f}% is under the required {args.min:.0f}%.")
        return 1
    return 0


def _rate(tally: Counter[str]) -> float:
    n = sum(tally.values())
    return 100.0 * (tally["killed"] + tally["timeout"]) / n if n else 100.0


def _line(module: str, tally: Counter[str]) -> str:
    n = sum(tally.values())
    killed = tally["killed"] + tally["timeout"]
    other = n - killed - tally["survived"]
    return (
        f"{module:<32} {n:>7} {killed:>7} {tally['survived']:>8} {other:>6} {_rate(tally):>6.1f}%"
    )


if __name__ == "__main__":
    sys.exit(main())
