"""Adding, changing, deleting and listing licenses."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction

from plm.audit.services import Event, audit_record
from plm.clock import today
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.license_ids import normalize_license_id
from plm.core.text import plain
from plm.directory.actors import Actor
from plm.licensing.models import License

MAX_SEATS = 10_000_000  # far above any campus; keeps every database's integer column safe


def _check_seats(seats: int) -> None:
    if not 0 <= seats <= MAX_SEATS:
        raise PlmError(
            c.INVALID_SEATS, f"Seats must be a whole number from 0 to {MAX_SEATS:,}, not {seats}."
        )


def _check_name(name: str) -> str:
    """A license's name as it can be stored: no control characters, not over the column."""
    return plain(name, "License name", limit=License._meta.get_field("name").max_length)


def license_get(license_id: str) -> License:
    normalized = normalize_license_id(license_id)
    lic = License.objects.filter(license_id=normalized).first()
    if lic is None:
        raise PlmError(c.LICENSE_NOT_FOUND, f"License {normalized} does not exist.")
    return lic


def license_add(
    *, actor: Actor, license_id: str, seats: int, expires: date | None = None, name: str = ""
) -> License:
    """Create a license; `license_exists` if the ID is taken."""
    normalized = normalize_license_id(license_id)
    _check_seats(seats)
    _check_name(name)
    try:
        with transaction.atomic():
            lic = License.objects.create(
                license_id=normalized, seats=seats, expires=expires, name=name
            )
            audit_record(
                actor=actor.name,
                source=actor.source,
                events=[Event("license_add", license_id=normalized, detail=_describe(lic))],
            )
    except IntegrityError:
        raise PlmError(c.LICENSE_EXISTS, f"License {normalized} already exists.") from None
    return lic


UNSET = object()


def license_update(
    *,
    actor: Actor,
    license_id: str,
    seats: int | None = None,
    expires: "date | object | None" = UNSET,
    name: str | None = None,
) -> License:
    """Change seats / expiry / name; never below the seats in use (`seats_below_assigned`)."""
    normalized = normalize_license_id(license_id)
    if name is not None:
        _check_name(name)
    with transaction.atomic():
        lic = License.objects.select_for_update().filter(license_id=normalized).first()
        if lic is None:
            raise PlmError(c.LICENSE_NOT_FOUND, f"License {normalized} does not exist.")
        if seats is not None:
            _check_seats(seats)
            if seats < lic.assigned:
                raise PlmError(
                    c.SEATS_BELOW_ASSIGNED,
                    f"License {normalized} has {lic.assigned} seats assigned; it cannot have "
                    f"{seats}. Revoke {lic.assigned - seats} first.",
                )
            lic.seats = seats
        if expires is not UNSET:
            lic.expires = expires  # type: ignore[assignment]
        if name is not None:
            lic.name = name
        lic.save()
        audit_record(
            actor=actor.name,
            source=actor.source,
            events=[Event("license_update", license_id=normalized, detail=_describe(lic))],
        )
    return lic


def license_delete(*, actor: Actor, license_id: str) -> None:
    """Delete a license that nobody holds (`license_in_use` otherwise)."""
    normalized = normalize_license_id(license_id)
    with transaction.atomic():
        lic = License.objects.select_for_update().filter(license_id=normalized).first()
        if lic is None:
            raise PlmError(c.LICENSE_NOT_FOUND, f"License {normalized} does not exist.")
        if lic.assigned:
            raise PlmError(
                c.LICENSE_IN_USE,
                f"License {normalized} is assigned to {lic.assigned} user(s): revoke it first "
                f"(a CSV with 'revoke' rows, or plm revoke).",
            )
        pools = sorted(lic.policy_pools.values_list("policy__name", flat=True))
        if pools:
            raise PlmError(
                c.LICENSE_IN_USE,
                f"License {normalized} is in the pool of policy {', '.join(pools)}: take it out "
                "of the pool first (plm policies update NAME --license ...).",
            )
        lic.delete()
        audit_record(
            actor=actor.name,
            source=actor.source,
            events=[Event("license_delete", license_id=normalized)],
        )


def _describe(lic: License) -> str:
    return f"seats={lic.seats} expires={lic.expires or 'never'} name={lic.name!r}"


EXPIRING_SOON_DAYS = 30


def badge(lic: License, on: date) -> str:
    """The expiry badge a license shows: expired, expiring (last day within 30 days) or none."""
    if lic.expires is None:
        return ""
    if lic.expires < on:
        return "expired"
    return "expiring" if lic.expires <= on + timedelta(days=EXPIRING_SOON_DAYS) else ""


def license_as_dict(lic: License, on: date) -> dict[str, object]:
    return {
        "license_id": lic.license_id,
        "name": lic.name,
        "seats": lic.seats,
        "assigned": lic.assigned,
        "available": max(lic.seats - lic.assigned, 0),
        "expires": lic.expires.isoformat() if lic.expires else None,
        "expired": bool(lic.expires and lic.expires < on),
        "badge": badge(lic, on),
    }


def license_list() -> list[dict[str, object]]:
    """Every license, in License ID order, with Total / Assigned / Available counts."""
    on = today()
    return [license_as_dict(lic, on) for lic in License.objects.order_by("license_id")]


def licenses_expiring(*, days: int) -> list[dict[str, object]]:
    """Licenses not yet expired whose last valid day is within `days` days from today, soonest
    first, each with `days_left` (0 = today is its last valid day)."""
    if days < 0:
        raise PlmError(c.INVALID_ARGUMENT, f"--days must be 0 or more, not {days}.")
    on = today()
    until = on + timedelta(days=days)
    rows = []
    for lic in License.objects.filter(expires__gte=on, expires__lte=until).order_by(
        "expires", "license_id"
    ):
        data = license_as_dict(lic, on)
        data["days_left"] = (lic.expires - on).days  # type: ignore[operator]
        rows.append(data)
    return rows
