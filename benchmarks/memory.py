"""Peak memory flat in file size: with 100,000 users, a 1,000,000-row import against a
100,000-row one (SQLite), each a whole `plm import` process."""

from benchmarks.generate import generate


def million(runs: int) -> list[dict[str, object]]:
    from benchmarks.run import PLM, WORK, measure, prepare, print_row

    results = []
    base_rss = None
    for rows in (100_000, 1_000_000):
        data = generate(WORK / f"data-100000x{rows}", users=100_000, rows=rows)
        empty, full = prepare("sqlite", data)
        m = measure("import", full, [PLM, "import", str(data.licenses_csv)], runs)
        base_rss = base_rss or m["rss_mb"]
        row = {
            "db": "sqlite",
            "n": rows,
            "task": "import, 100k users (memory)",
            "seconds_min": round(m["min"], 2),
            "seconds_median": round(m["median"], 2),
            "rows_per_s": int(rows / m["min"]),
            "floor_min": None,
            "ratio_to_floor": round(m["rss_mb"] / base_rss, 2),
            "peak_rss_mb": m["rss_mb"],
            "floor_rss_mb": None,
            "cpu_min": round(m["cpu"], 2),
            "note": "ratio is peak RSS over the 100,000-row run's",
        }
        print_row(row)
        results.append(row)
        for db in (empty, full):
            db.drop(db.name)
    return results
