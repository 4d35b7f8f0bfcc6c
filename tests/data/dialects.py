"""The dialect corpus: the same licenses file and person.csv saved the ways spreadsheets save them.

`python -m tests.data.make_dialects` writes every file of CASES into tests/data/dialects/ (a
unit test checks the files there are what this module makes). Each Case says what importing it
must give: the exact people (user name, first and last name, organization) read from it, or
the fatal code that refuses it whole. CLI, web and API tests parametrize over CASES.
"""

import codecs
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DIRECTORY = Path(__file__).parent / "dialects"
LICENSE_ID = "ID 2024-08-01-000123"
ROLE = "Academic Staff"


@dataclass(frozen=True)
class Person:
    username: str
    first: str
    last: str
    email: str


@dataclass(frozen=True)
class Names:
    """One language's people and their organization (every name NFC, as stored)."""

    org: str
    people: tuple[Person, ...]


def _people(org: str, *names: tuple[str, str, str]) -> Names:
    return Names(
        org,
        tuple(
            Person(f"{first} {last}", first, last, f"{email}@example.edu")
            for first, last, email in names
        ),
    )


WESTERN = _people(
    "Faculté des Sciences",
    ("François", "Côté", "fcote"),
    ("José", "Núñez", "jnunez"),
    ("Jürgen", "Groß", "jgross"),
    ("Inês", "Conceição", "iconceicao"),
    ("Ångström", "Björk", "abjork"),
)
POLISH = _people(
    "Wydział Fizyki",
    ("Łukasz", "Żółkiewski", "lzolkiewski"),
    ("Iga", "Świątek", "iswiatek"),
    ("Małgorzata", "Wójcik", "mwojcik"),
)
CZECH = _people(
    "Fakulta Informatiky",
    ("Antonín", "Dvořák", "advorak"),
    ("Božena", "Němcová", "bnemcova"),
    ("Jiří", "Černý", "jcerny"),
)
RUSSIAN = _people(
    "Физический факультет",
    ("Иван", "Петров", "ipetrov"),
    ("Анна", "Смирнова", "asmirnova"),
    ("Дмитрий", "Кузнецов", "dkuznetsov"),
)
UKRAINIAN = _people(
    "Фізичний факультет",
    ("Олена", "Ковальчук", "okovalchuk"),
    ("Ігор", "Шевченко", "ishevchenko"),
    ("Юлія", "Бондаренко", "ybondarenko"),
)
GREEK = _people(
    "Τμήμα Φυσικής",
    ("Γιώργος", "Παπαδόπουλος", "gpapadopoulos"),
    ("Ελένη", "Νικολάου", "enikolaou"),
)
TURKISH = _people(
    "Fizik Bölümü",
    ("Şükrü", "Yıldız", "syildiz"),
    ("Ayşe", "Öztürk", "aozturk"),
    ("Çağla", "Şen", "csen"),
)
BALTIC = _people(
    "Fizikos fakultetas",
    ("Šarūnas", "Jasikevičius", "sjasikevicius"),
    ("Jānis", "Bērziņš", "jberzins"),
)
HEBREW = _people("הפקולטה לפיזיקה", ("דוד", "כהן", "dcohen"), ("שרה", "לוי", "slevi"))
ARABIC = _people("كلية العلوم", ("محمد", "أحمد", "mahmed"), ("فاطمة", "علي", "fali"))
VIETNAMESE = _people(
    "Khoa Vật lý",
    ("Nguyễn", "Văn Anh", "nvananh"),
    ("Trần", "Thị Hương", "tthihuong"),
)
MIXED = _people(  # UTF-8 holds every language at once
    "Wydział Fizyki",
    ("Łukasz", "Żółkiewski", "lzolkiewski"),
    ("Иван", "Петров", "ipetrov"),
    ("François", "Côté", "fcote"),
)
AMBIGUOUS = _people("Faculty of Arts", ("Zoë", "Noël", "znoel"))
"""ë in Windows-1252 is ė in Windows-1257: both are names, so the file cannot be told."""

LICENSES_HEADER = ("Username", "Action", "License ID")
PERSON_HEADER = (
    "User-Name",
    "Email",
    "First-Name",
    "Last-Name",
    "Organization-Name-1",
    "Organization-Role-Name-1",
)


@dataclass(frozen=True)
class Case:
    """One file of the corpus and what importing it must give."""

    file: str
    kind: str
    """"licenses" (plm import) or "users" (plm users import)."""
    names: Names
    fatal: str | None = None
    """The code that refuses the file whole; None: every row applies, names read exactly."""
    encoding: str = "utf-8"
    """The encoding the file is in (what Layout.encoding reports, or what to choose)."""

    @property
    def path(self) -> Path:
        return DIRECTORY / self.file

    def expected_usernames(self) -> list[str]:
        return [p.username for p in self.names.people]


@dataclass(frozen=True)
class Dialect:
    name: str
    names: Names
    encoding: str
    """What the bytes are in (a Python codec; `mixed` and `cp1258` are made specially)."""
    read_as: str
    """What the reader must report as Layout.encoding ('' when the file is refused)."""
    fatal: str | None = None
    delimiter: str = ","
    newline: str = "\r\n"
    bom: bool = False
    sep_line: bool = False
    normalize: str = "NFC"
    licence_header: bool = False
    """Write the British `Licence ID` with a non-breaking space, as pasted from a web page."""


DIALECTS = [
    Dialect("utf8", MIXED, "utf-8", "utf-8"),
    Dialect("utf8-bom", MIXED, "utf-8", "utf-8-sig", bom=True),
    Dialect("utf16le-bom-tab", MIXED, "utf-16-le", "utf-16", bom=True, delimiter="\t"),
    Dialect("utf16be-bom", MIXED, "utf-16-be", "utf-16", bom=True),
    Dialect("utf8-decomposed-macos", MIXED, "utf-8", "utf-8", normalize="NFD", newline="\n"),
    Dialect("utf8-licence-nbsp-header", MIXED, "utf-8", "utf-8", licence_header=True),
    Dialect("cp1252", WESTERN, "cp1252", "cp1252"),
    Dialect("cp1252-semicolon", WESTERN, "cp1252", "cp1252", delimiter=";"),
    Dialect("cp1252-sep-line", WESTERN, "cp1252", "cp1252", delimiter=";", sep_line=True),
    Dialect("iso8859-15", WESTERN, "iso8859-15", "cp1252"),
    Dialect("mac-roman", WESTERN, "mac-roman", "mac-roman", newline="\r"),
    Dialect("cp1250-polish", POLISH, "cp1250", "cp1250"),
    Dialect("iso8859-2-polish", POLISH, "iso8859-2", "iso8859-2"),
    Dialect("cp1250-czech", CZECH, "cp1250", "cp1250"),
    Dialect("cp1251-russian", RUSSIAN, "cp1251", "cp1251"),
    Dialect("koi8-r-russian", RUSSIAN, "koi8-r", "koi8-r"),
    Dialect("cp1251-ukrainian", UKRAINIAN, "cp1251", "cp1251"),
    Dialect("koi8-u-ukrainian", UKRAINIAN, "koi8-u", "koi8-u"),
    Dialect("cp1253-greek", GREEK, "cp1253", "cp1253"),
    Dialect("cp1254-turkish", TURKISH, "cp1254", "cp1254"),
    Dialect("cp1257-baltic", BALTIC, "cp1257", "cp1257"),
    Dialect("cp1255-hebrew", HEBREW, "cp1255", "cp1255"),
    Dialect("cp1256-arabic", ARABIC, "cp1256", "cp1256"),
    Dialect("cp1258-vietnamese", VIETNAMESE, "cp1258", "cp1258"),
    Dialect("utf8-with-a-cp1252-line", WESTERN, "mixed", "", fatal="unknown_encoding"),
    Dialect(
        "utf8-bom-with-a-cp1252-line", WESTERN, "mixed", "", fatal="unknown_encoding", bom=True
    ),
    Dialect("cp1252-ambiguous", AMBIGUOUS, "cp1252", "", fatal="unknown_encoding"),
    Dialect("utf16le-without-bom", MIXED, "utf-16-le", "", fatal="unreadable_file"),
]


def _rows(dialect: Dialect, kind: str) -> list[tuple[str, ...]]:
    if kind == "licenses":
        header = list(LICENSES_HEADER)
        if dialect.licence_header:
            header[2] = "Licence\u00a0ID"
        return [tuple(header)] + [(p.username, "assign", LICENSE_ID) for p in dialect.names.people]
    return [PERSON_HEADER] + [
        (p.username, p.email, p.first, p.last, dialect.names.org, ROLE)
        for p in dialect.names.people
    ]


def _text(dialect: Dialect, rows: list[tuple[str, ...]]) -> str:
    lines = [dialect.delimiter.join(row) for row in rows]
    if dialect.sep_line:
        lines.insert(0, f"sep={dialect.delimiter}")
    text = dialect.newline.join(lines) + dialect.newline
    return unicodedata.normalize(dialect.normalize, text)


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: base letters composed, tone marks combining."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        base, *marks = unicodedata.normalize("NFD", ch)
        # The letter as one byte with at most one of its marks (â, ơ, ư...), the rest combining.
        tries = [ch] + [
            unicodedata.normalize("NFC", base + mark) + "".join(marks[:i] + marks[i + 1 :])
            for i, mark in enumerate(marks)
        ]
        tries.append(base + "".join(marks))
        for attempt in tries:
            try:
                out += attempt.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise UnicodeEncodeError("cp1258", ch, 0, 1, "not in Windows-1258")
    return bytes(out)


def encode(dialect: Dialect, kind: str) -> bytes:
    rows = _rows(dialect, kind)
    if dialect.encoding == "mixed":
        # Saved as UTF-8, then one row pasted from a Windows-1252 file.
        first = _text(dialect, rows[:-1]).encode("utf-8")
        last = _text(dialect, rows[-1:]).encode("cp1252")
        return (codecs.BOM_UTF8 if dialect.bom else b"") + first + last
    text = _text(dialect, rows)
    cp1258 = dialect.encoding == "cp1258"
    data = encode_cp1258(text) if cp1258 else text.encode(dialect.encoding)
    if dialect.bom:
        bom = {
            "utf-8": codecs.BOM_UTF8,
            "utf-16-le": codecs.BOM_UTF16_LE,
            "utf-16-be": codecs.BOM_UTF16_BE,
        }
        data = bom[dialect.encoding] + data
    return data


def file_name(dialect: Dialect, kind: str) -> str:
    return f"{'licenses' if kind == 'licenses' else 'person'}-{dialect.name}.csv"


CASES = [
    Case(file_name(d, kind), kind, d.names, d.fatal, d.read_as)
    for d in DIALECTS
    for kind in ("licenses", "users")
]
"""Every (file, expected) of the corpus: 2 files per dialect."""


def files() -> dict[str, bytes]:
    """Every corpus file by name, as the generator writes it."""
    return {file_name(d, kind): encode(d, kind) for d in DIALECTS for kind in ("licenses", "users")}
