"""Deterministic benchmark data: person.csv with N users over ~20 organizations, 20 licenses,
and a license import of N rows in which every outcome occurs and seats run out part-way."""

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from plm.core.people import person_header

ORGS = [f"Department {i:02}" for i in range(20)]
LICENSES = [f"ID 2024-{1 + i // 28:02}-{1 + i % 28:02}-{100000 + i:06}" for i in range(20)]


@dataclass(frozen=True)
class Dataset:
    folder: Path
    users: int
    rows: int

    @property
    def person_csv(self) -> Path:
        return self.folder / "person.csv"

    @property
    def licenses_csv(self) -> Path:
        return self.folder / "licenses.csv"

    @property
    def seats(self) -> int:
        """Seats per license: together about half the assign rows, so they run out part-way."""
        return max(1, int(self.rows * 0.7 * 0.5 / len(LICENSES)))


def generate(folder: Path, users: int, rows: int, seed: int = 2013) -> Dataset:
    folder.mkdir(parents=True, exist_ok=True)
    data = Dataset(folder, users, rows)
    if data.person_csv.exists() and data.licenses_csv.exists():
        return data
    rng = random.Random(seed)
    with open(data.person_csv, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(person_header(1))
        for i in range(users):
            role = "Scheduler" if i % 40 == 7 else "Academic Staff"  # ~1 in 40 not staff
            w.writerow(
                [
                    f"user{i:07}",
                    f"user{i:07}@example.edu",
                    f"First{i}",
                    f"Last{i}",
                    "no" if i % 97 == 3 else "yes",
                    ORGS[i % len(ORGS)],
                    role,
                ]
            )
    with open(data.licenses_csv, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Username", "Action", "License ID"])
        for _ in range(rows):
            u = rng.randrange(users)
            name = f"user{u:07}@example.edu" if rng.random() < 0.8 else f"user{u:07}"
            r = rng.random()
            if r < 0.02:
                w.writerow([f"ghost{u}@example.edu", "assign", rng.choice(LICENSES)])
            elif r < 0.72:
                w.writerow([name, "assign", rng.choice(LICENSES)])
            elif r < 0.82:
                w.writerow([name, "autoassign", ""])
            elif r < 0.95:
                w.writerow([name, "revoke", rng.choice(LICENSES)])
            else:
                w.writerow([name, "revokeall", ""])
    return data
