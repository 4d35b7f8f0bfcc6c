"""`make bench`: PLM against the floor (and django-import-export), measured in the same run.

Each figure is a whole process (`/usr/bin/time`), several runs from the same starting state:
minimum and median seconds, rows/s, ratio to the floor (and, for the import, to the minimal
floor), peak RSS; `plm --help`; and at the largest size, reads under load (benchmarks/reads.py).

python -m benchmarks.run [--sizes 10000,100000] [--million] [--runs 3] [--db sqlite,postgres]
                         [--no-peer] [--no-reads] [--million-runs N]
"""

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import LICENSES, ORGS, Dataset, generate
from benchmarks.jobpath import time_job_path

ROOT = Path(__file__).resolve().parents[1]
PLM = str(Path(sys.executable).with_name("plm"))
PY = sys.executable
WORK = ROOT / "benchmarks" / "work"
RESULTS = ROOT / "benchmarks" / "results"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def env_for(url: str) -> dict[str, str]:
    env = dict(os.environ, PLM_DATABASE_URL=url, PLM_HOME=str(WORK))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def timed(cmd: list[str], url: str) -> tuple[float, int]:
    """(seconds, peak RSS in MB) of one process."""
    seconds, mb, _cpu = timed_cpu(cmd, url)
    return seconds, mb


def timed_cpu(cmd: list[str], url: str) -> tuple[float, int, float]:
    """(seconds, peak RSS in MB, CPU seconds: user + system) of one process."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M %U %S", "-o", out.name, *cmd],
            env=env_for(url),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        seconds = time.perf_counter() - start
        if proc.returncode not in (0, 3):
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        rss_kb, user, system = out.read().strip().splitlines()[-1].split()
    return seconds, int(rss_kb) // 1024, float(user) + float(system)


class Database:
    """A base database to copy from for every run (SQLite file copy / PostgreSQL template)."""

    def __init__(self, kind: str, name: str) -> None:
        self.kind, self.name = kind, name

    def url(self, name: str | None = None) -> str:
        name = name or self.name
        if self.kind == "sqlite":
            return f"sqlite:///{WORK / (name + '.sqlite3')}"
        return f"postgres://postgres@127.0.0.1:5432/{name}"

    def drop(self, name: str) -> None:
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(str(WORK / name) + ".sqlite3" + suffix).unlink(missing_ok=True)
        else:
            _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create_empty(self) -> None:
        self.drop(self.name)
        if self.kind == "postgres":
            _pg(f'CREATE DATABASE "{self.name}"')

    def copy(self, to: str) -> "Database":
        self.drop(to)
        if self.kind == "sqlite":
            src = sqlite3.connect(WORK / (self.name + ".sqlite3"))
            dst = sqlite3.connect(WORK / (to + ".sqlite3"))
            src.backup(dst)
            src.close()
            dst.close()
        else:
            _pg(f'CREATE DATABASE "{to}" TEMPLATE "{self.name}"')
        return Database(self.kind, to)


def _pg(statement: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(statement)


def plm(db: Database, *args: str) -> None:
    proc = subprocess.run([PLM, *args], env=env_for(db.url()), cwd=ROOT, stdout=subprocess.DEVNULL)
    if proc.returncode not in (0, 3):  # 3: some rows rejected, as the data intends
        raise RuntimeError(f"plm {' '.join(args)} exited {proc.returncode}")


def prepare(kind: str, data: Dataset) -> tuple[Database, Database]:
    """(schema + organizations + licenses, the same + the users)."""
    empty = Database(kind, f"bench_{kind}_{data.users}_{data.rows}_empty")
    empty.create_empty()
    plm(empty, "migrate")
    for org in ORGS:
        plm(empty, "orgs", "add", org)
    for lid in LICENSES:
        plm(empty, "licenses", "add", lid, "--seats", str(data.seats))
    full = empty.copy(f"bench_{kind}_{data.users}_{data.rows}_full")
    plm(full, "users", "import", str(data.person_csv))
    floor(full, "minimal-schema")
    return empty, full


def floor(db: Database, *args: str) -> None:
    subprocess.run(
        [PY, "-m", "benchmarks.floor", args[0], db.url(), *args[1:]], cwd=ROOT, check=True
    )


def measure(name: str, base: Database, cmd: list[str], runs: int) -> dict[str, float]:
    return measure_together(base, {name: cmd}, runs)[name]


def measure_together(
    base: Database, cmds: dict[str, list[str]], runs: int
) -> dict[str, dict[str, float]]:
    """Each command `runs` times from `base`, interleaved (A B A B ...), so that a shared
    machine's load falls on every side alike. Per command: min and median seconds, peak RSS,
    min CPU seconds (user + system)."""
    got: dict[str, list[tuple[float, int, float]]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            db = base.copy(base.name + "_run")
            got[name].append(timed_cpu([c.replace("{url}", db.url()) for c in cmd], db.url()))
            db.drop(db.name)
    return {
        name: {
            "min": min(t for t, _, _ in m),
            "median": statistics.median(t for t, _, _ in m),
            "rss_mb": max(r for _, r, _ in m),
            "cpu": min(c for _, _, c in m),
        }
        for name, m in got.items()
    }


def start_ups(runs: int) -> tuple[float, float, float, float]:
    """A bare interpreter start on each side: `plm --version` (answered before typer, the
    commands or Django are imported) and `python -c pass`: (seconds, CPU seconds) of each."""
    ours = [timed_cpu([PLM, "--version"], "") for _ in range(max(runs, 5))]
    bare = [timed_cpu([PY, "-c", "pass"], "") for _ in range(max(runs, 5))]
    return (
        min(t for t, _, _ in ours),
        min(t for t, _, _ in bare),
        min(c for _, _, c in ours),
        min(c for _, _, c in bare),
    )


def bench(kind: str, n: int, runs: int, rows: list[dict[str, object]], reads: bool) -> None:
    data = generate(WORK / f"data-{n}", users=n, rows=n)
    empty, full = prepare(kind, data)
    plm_start, floor_start, plm_start_cpu, floor_start_cpu = start_ups(runs)
    after = full.copy(full.name + "_imported")
    plm(after, "import", str(data.licenses_csv))
    floor_cmd = [PY, "-m", "benchmarks.floor"]

    def add(
        task: str,
        what: int,
        plm_cmd: list[str],
        floor_args: list[str],
        base: Database,
        net: bool = False,
        minimal: list[str] | None = None,
    ) -> dict[str, object]:
        cmds = {"ours": plm_cmd, "floor": floor_cmd + floor_args}
        if minimal is not None:
            cmds["minimal"] = floor_cmd + minimal
        got = measure_together(base, cmds, runs)
        ours, base_run = got["ours"], got["floor"]
        # "net of start-up": each side less a bare interpreter start of its own.
        ours_net = ours["min"] - (plm_start if net else 0.0)
        floor_net = base_run["min"] - (floor_start if net else 0.0)
        ours_cpu = ours["cpu"] - (plm_start_cpu if net else 0.0)
        floor_cpu = base_run["cpu"] - (floor_start_cpu if net else 0.0)
        row: dict[str, object] = {
            "db": kind,
            "n": n,
            "task": task,
            "seconds_min": round(ours["min"], 3),
            "seconds_median": round(ours["median"], 3),
            "rows_per_s": int(what / ours["min"]),
            "floor_min": round(base_run["min"], 3),
            "ratio_to_floor": round(ours_net / floor_net, 2) if floor_net > 0 else None,
            "peak_rss_mb": ours["rss_mb"],
            "floor_rss_mb": base_run["rss_mb"],
            "cpu_min": round(ours["cpu"], 2),
            "floor_cpu_min": round(base_run["cpu"], 2),
            "cpu_ratio": round(ours_cpu / floor_cpu, 2) if floor_cpu > 0 else None,
        }
        if net:
            row.update(
                start_ours=round(plm_start, 3),
                start_floor=round(floor_start, 3),
                net_ours=round(ours_net, 3),
                net_floor=round(floor_net, 3),
                start_ours_cpu=round(plm_start_cpu, 2),
                start_floor_cpu=round(floor_start_cpu, 2),
            )
        if minimal is not None:
            low = got["minimal"]
            row.update(
                minimal_floor_min=round(low["min"], 3),
                ratio_to_minimal=round(ours["min"] / low["min"], 2),
                minimal_cpu_min=round(low["cpu"], 2),
                cpu_ratio_to_minimal=round(ours["cpu"] / low["cpu"], 2),
            )
        rows.append(row)
        print_row(row)
        return row

    add(
        "users import",
        n,
        [PLM, "users", "import", str(data.person_csv)],
        ["users", "{url}", str(data.person_csv)],
        empty,
    )
    plain = add(
        "import",
        n,
        [PLM, "import", str(data.licenses_csv)],
        ["import", "{url}", str(data.licenses_csv)],
        full,
        minimal=["import-minimal", "{url}", str(data.licenses_csv)],
    )
    add(
        "import --dry-run",
        n,
        [PLM, "import", "--dry-run", str(data.licenses_csv)],
        ["import", "{url}", str(data.licenses_csv)],
        full,
    )
    out = str(WORK / "export.csv")
    add(
        "export (net of start-up)",
        n,
        [PLM, "export", "-o", out],
        ["export", "{url}", out],
        after,
        net=True,
    )
    pair = measure_together(
        full,
        {
            "json": [PLM, "import", "--json", str(data.licenses_csv)],
            "plain": [PLM, "import", str(data.licenses_csv)],
        },
        runs,
    )
    relative(
        kind,
        n,
        "import --json",
        pair["json"],
        {"seconds_min": round(pair["plain"]["min"], 3), "cpu_min": round(pair["plain"]["cpu"], 2)},
        rows,
        "ratio is to the plain import, measured alongside",
    )
    job = [time_job_path(full.copy(full.name + "_job"), data.licenses_csv) for _ in range(runs)]
    job_m = {"min": min(job), "median": statistics.median(job), "rss_mb": None}
    relative(kind, n, "web/API job path", job_m, plain, rows, "ratio is to the CLI import")
    if reads:
        from benchmarks.reads import measure_reads

        for r in measure_reads(after.copy(after.name + "_reads").url(), data.licenses_csv):
            rows.append({"db": kind, "n": n, "task": "read", **r})
            print(
                f"{kind:<9}{n:>9}  read {r['face']} {r['path']:<52} idle p95 "
                f"{r['idle_p95_ms']:>7} ms  busy p95 {r['busy_p95_ms']:>7} ms "
                f"({r['busy_passes']} passes during the import)",
                flush=True,
            )
        Database(kind, after.name + "_reads").drop(after.name + "_reads")
    for db in (empty, full, after):
        db.drop(db.name)


def relative(
    kind: str,
    n: int,
    task: str,
    m: dict[str, float | None],
    plain: dict[str, object],  # seconds_min (and cpu_min) of the figure it is compared with
    rows: list[dict[str, object]],
    note: str,
) -> None:
    """A figure whose ratio is to another PLM figure of the same run (`plain`)."""
    low = float(m["min"] or 0.0)
    rows.append(
        {
            "db": kind,
            "n": n,
            "task": task,
            "seconds_min": round(low, 3),
            "seconds_median": round(float(m["median"] or 0.0), 3),
            "rows_per_s": int(n / low),
            "floor_min": plain["seconds_min"],
            "ratio_to_floor": round(low / float(plain["seconds_min"]), 2),  # type: ignore[arg-type]
            "peak_rss_mb": m["rss_mb"],
            "floor_rss_mb": None,
            "note": note,
        }
    )
    if m.get("cpu") is not None and plain.get("cpu_min"):
        rows[-1]["cpu_min"] = round(float(m["cpu"] or 0.0), 2)
        rows[-1]["floor_cpu_min"] = plain["cpu_min"]
        rows[-1]["cpu_ratio"] = round(float(m["cpu"] or 0.0) / float(plain["cpu_min"]), 2)  # type: ignore[arg-type]
    print_row(rows[-1])


def help_time(runs: int, rows: list[dict[str, object]]) -> None:
    """`plm --help`: a whole process, as a person types it."""
    times = [timed([PLM, "--help"], "")[0] for _ in range(max(runs, 5))]
    rows.append(
        {
            "db": "-",
            "n": 0,
            "task": "plm --help",
            "seconds_min": round(min(times), 3),
            "seconds_median": round(statistics.median(times), 3),
            "rows_per_s": 0,
            "floor_min": None,
            "ratio_to_floor": None,
            "peak_rss_mb": None,
            "floor_rss_mb": None,
        }
    )
    print_row(rows[-1])


def print_row(r: dict[str, object]) -> None:
    base = f"{r['floor_min']:>7.2f}s" if r["floor_min"] is not None else "      -"
    line = (
        f"{r['db']:<9}{r['n']:>9}  {r['task']:<30}{r['seconds_min']:>8.2f}s "
        f"{r['seconds_median']:>8.2f}s{r['rows_per_s']:>10}/s  base {base}  "
        f"x{r['ratio_to_floor']!s:<6} rss {r['peak_rss_mb']} MB"
    )
    if r.get("cpu_ratio") is not None:
        line += f"  cpu {r['cpu_min']}s/{r['floor_cpu_min']}s x{r['cpu_ratio']}"
    if "minimal_floor_min" in r:
        line += (
            f"  minimal floor {r['minimal_floor_min']:.2f}s x{r['ratio_to_minimal']}"
            f" (cpu {r['minimal_cpu_min']}s x{r['cpu_ratio_to_minimal']})"
        )
    if "net_ours" in r:
        line += (
            f"  [ours {r['seconds_min']:.2f} - start {r['start_ours']:.2f} = {r['net_ours']:.2f}"
            f"; floor {r['floor_min']:.2f} - start {r['start_floor']:.2f} = {r['net_floor']:.2f}]"
        )
    print(line, flush=True)


def _load() -> str:
    """The 1, 5 and 15 minute load averages (the machines are shared)."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument(
        "--million", action="store_true", help="also 1,000,000 rows (100,000 users)"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--million-runs", type=int, default=None, help="runs of the memory check (default --runs)"
    )
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--no-reads", action="store_true", help="skip the reads under load")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    load_before = _load()
    # Byte-compiled as an installed package would be (PYTHONDONTWRITEBYTECODE may be set).
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    rows: list[dict[str, object]] = []
    help_time(args.runs, rows)
    print(
        f"{'db':<9}{'rows':>9}  {'task':<26}{'min':>9} {'median':>9}{'rate':>12}  baseline",
        flush=True,
    )
    sizes = [int(s) for s in args.sizes.split(",")]
    for kind in args.db.split(","):
        for n in sizes:
            bench(kind, n, args.runs, rows, reads=not args.no_reads and n == max(sizes))
    if args.million:
        from benchmarks.memory import million

        rows.extend(million(args.million_runs or args.runs))
    if not args.no_peer:
        from benchmarks.peer import peer_vs_plm

        rows.extend(peer_vs_plm(100_000))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    result = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load": f"{load_before} / {_load()}",
        },
        "rows": rows,
    }
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(result, indent=2))
    shutil.copy(RESULTS / f"bench-{stamp}.json", RESULTS / "latest.json")
    print(f"written benchmarks/results/bench-{stamp}.json")


if __name__ == "__main__":
    main()
