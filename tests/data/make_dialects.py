"""Write the dialect corpus (tests/data/dialects/) from tests/data/dialects.py.

python -m tests.data.make_dialects
"""

from tests.data.dialects import DIRECTORY, files


def main() -> None:
    DIRECTORY.mkdir(exist_ok=True)
    for old in DIRECTORY.glob("*.csv"):
        old.unlink()
    for name, data in sorted(files().items()):
        (DIRECTORY / name).write_bytes(data)
    print(f"wrote {len(files())} files to {DIRECTORY}")


if __name__ == "__main__":
    main()
