"""plm backup / plm restore: a consistent snapshot of everything PLM keeps, as gzip JSON lines.

The same file restores on SQLite or PostgreSQL. A backup reads every table inside one
transaction (REPEATABLE READ on PostgreSQL), so it is consistent while imports run. A restore
goes into an empty database only, and is itself audited.
"""

import base64
import gzip
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction

from plm import __version__
from plm.audit.models import AuditEvent
from plm.audit.services import Event, audit_record
from plm.bulk import bulk_insert, db_datetime
from plm.clock import now
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.files import open_private
from plm.directory.actors import Actor
from plm.directory.models import ApiToken, Organization, RoleGrant, ScimGroup, ScimToken, User
from plm.imports.models import Import, ImportFile, ImportRow
from plm.licensing.models import Assignment, License, Policy, PolicyLicense, PolicyMember

FORMAT = "plm-backup"
# Every table PLM keeps (a test checks none is missing), parents before children, so foreign
# keys hold at every insert.
MODELS: list[type[models.Model]] = [
    Organization,
    User,
    RoleGrant,
    ScimGroup,
    License,
    Assignment,
    Policy,
    PolicyLicense,
    PolicyMember,
    Import,
    ImportRow,
    ImportFile,
    AuditEvent,
    ApiToken,
    ScimToken,
]


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields]


def _dump(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return value.isoformat()
    if isinstance(field, models.DateField):
        return value.isoformat()
    if isinstance(field, models.BinaryField):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(field, models.BooleanField):
        return bool(value)
    return value


def _load(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return db_datetime(datetime.fromisoformat(value))
    if isinstance(field, models.DateField):
        return date.fromisoformat(value)
    if isinstance(field, models.BinaryField):
        return base64.b64decode(value)
    return value


def _lines() -> Iterator[dict[str, Any]]:
    yield {
        "format": FORMAT,
        "version": 1,
        "plm": __version__,
        "created_at": now().isoformat(),
        "vendor": connection.vendor,
    }
    for model in MODELS:
        fields = _fields(model)
        yield {"table": model._meta.label, "columns": [f.attname for f in fields]}
        for values in (
            model.objects.order_by("pk")
            .values_list(*[f.attname for f in fields])
            .iterator(chunk_size=5000)
        ):
            yield {"row": [_dump(f, v) for f, v in zip(fields, values, strict=True)]}


def backup(path: Path) -> dict[str, int]:
    """Write the snapshot; returns rows per table."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        with open_private(path, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as out:
            table = ""
            for line in _lines():
                table = line.get("table", table)
                if "row" in line:
                    counts[table] = counts.get(table, 0) + 1
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return counts


def restore(path: Path, *, actor: Actor) -> dict[str, int]:
    """Load a snapshot into an empty database (migrated); returns rows per table."""
    if any(model.objects.exists() for model in MODELS):
        raise PlmError(
            c.INVALID_ARGUMENT,
            "Restore needs an empty database: create a new one, "
            "run plm migrate on it, and restore there.",
        )
    counts: dict[str, int] = {}
    try:
        source = gzip.open(path, "rt", encoding="utf-8")
        header = json.loads(source.readline())
    except (OSError, ValueError, EOFError) as exc:
        raise PlmError(c.UNREADABLE_FILE, f"{path} is not a PLM backup: {exc}") from None
    if header.get("format") != FORMAT:
        raise PlmError(c.UNREADABLE_FILE, f"{path} is not a PLM backup.")
    by_label = {m._meta.label: m for m in MODELS}
    with transaction.atomic(), source:
        model: type[models.Model] | None = None
        fields: list[models.Field[Any, Any]] = []
        batch: list[list[Any]] = []

        def flush() -> None:
            if model is not None and batch:
                bulk_insert(model, [f.name if f.is_relation else f.attname for f in fields], batch)
                batch.clear()

        for text in source:
            line = json.loads(text)
            if "table" in line:
                flush()
                model = by_label.get(line["table"])
                if model is None:
                    raise PlmError(
                        c.UNREADABLE_FILE,
                        f"{path} holds a table this version of PLM does not know "
                        f"({line['table']}): restore it with the version that wrote it "
                        f"(PLM {header.get('plm', 'unknown')}) or a newer one.",
                    )
                by_name = {f.attname: f for f in _fields(model)}
                fields = [by_name[name] for name in line["columns"]]
                counts[line["table"]] = 0
            else:
                batch.append([_load(f, v) for f, v in zip(fields, line["row"], strict=True)])
                counts[model._meta.label] += 1  # type: ignore[union-attr]
                if len(batch) >= 5000:
                    flush()
        flush()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), MODELS):
                cursor.execute(sql)
        audit_record(
            actor=actor.name,
            source=actor.source,
            events=[
                Event(
                    "restore",
                    detail=f"from {Path(path).name}: "
                    + ", ".join(f"{k} {v}" for k, v in counts.items()),
                )
            ],
        )
    return counts
