"""License use cases: list, show, add, change, delete, expiring, utilization, replace, export.

Licenses are university-wide: anyone who may view licensing sees them all; adding, changing and
deleting them needs a system administrator. Holders and exports are limited to the actor's
view scope; replace changes only holders in the actor's change scope.
"""

from datetime import date
from typing import TYPE_CHECKING

from plm.clock import today
from plm.core.codes import PlmError
from plm.core.text import plain
from plm.core.utilization import DayUsage
from plm.directory.actors import CHANGE, SYSADMIN, VIEW, Actor, require
from plm.licensing import licenses as store
from plm.licensing.export import export_rows
from plm.licensing.models import License
from plm.licensing.utilization import license_utilization as utilization_of
from plm.licensing.utilization import utilization_as_dict, utilization_file_name

if TYPE_CHECKING:
    from plm.imports.models import Import

# Policies and the import runner are imported by the use cases that need them: `plm export`,
# `plm licenses list` and the like then start without the import machinery (about 30 ms).

__all__ = ["utilization_as_dict", "utilization_file_name"]
UNSET = store.UNSET


def licenses_list(*, actor: Actor) -> list[dict[str, object]]:
    """Every license in License ID order, with Total / Assigned / Available and its badge."""
    require(actor, VIEW)
    return store.license_list()


def license_show(*, actor: Actor, license_id: str) -> dict[str, object]:
    require(actor, VIEW)
    return store.license_as_dict(store.license_get(license_id), today())


def license_add(
    *, actor: Actor, license_id: str, seats: int, expires: date | None = None, name: str = ""
) -> dict[str, object]:
    require(actor, SYSADMIN)
    lic = store.license_add(
        actor=actor, license_id=license_id, seats=seats, expires=expires, name=name
    )
    _reconcile(actor)
    return store.license_as_dict(lic, today())


def license_update(
    *,
    actor: Actor,
    license_id: str,
    seats: int | None = None,
    expires: "date | object | None" = UNSET,
    name: str | None = None,
) -> dict[str, object]:
    """Change seats / expiry (None removes it) / name; never below the seats in use."""
    require(actor, SYSADMIN)
    lic = store.license_update(
        actor=actor, license_id=license_id, seats=seats, expires=expires, name=name
    )
    _reconcile(actor)  # more seats, or a renewed expiry, can serve a policy
    lic.refresh_from_db()
    return store.license_as_dict(lic, today())


def _reconcile(actor: Actor) -> None:
    from plm.app.policies import reconcile_after_change

    reconcile_after_change(actor=actor)


def license_delete(*, actor: Actor, license_id: str) -> None:
    require(actor, SYSADMIN)
    store.license_delete(actor=actor, license_id=license_id)


def licenses_expiring(*, actor: Actor, days: int) -> list[dict[str, object]]:
    """Licenses whose last valid day is within `days` days, soonest first, with days_left."""
    require(actor, VIEW)
    return store.licenses_expiring(days=days)


def expiring_windows(rows: list[dict[str, object]]) -> list[dict[str, int]]:
    """How many of `licenses_expiring(days=90)` end within 30, 60 and 90 days."""
    return [
        {"days": d, "count": sum(1 for r in rows if int(str(r["days_left"])) <= d)}
        for d in (30, 60, 90)
    ]


def license_utilization(*, actor: Actor, license_id: str) -> tuple[License, list[DayUsage]]:
    """The license and its assigned seats per day (license_not_found if none)."""
    require(actor, VIEW)
    return utilization_of(license_id)


def license_replace(*, actor: Actor, old: str, new: str, dry_run: bool = False) -> "Import":
    """One-step renewal of the holders of OLD in the actor's scope; recorded like an import
    (fatal: same_license, license_not_found, ... end it `failed`)."""
    from plm.imports.records import job_create, job_fail, plain_label
    from plm.jobs.runner import run
    from plm.jobs.works import LicenseRows
    from plm.licensing.replace import replace_check, replace_decide, replace_holders

    require(actor, CHANGE)
    plain(old, "The License ID to replace")
    plain(new, "The new License ID")
    job = job_create(
        kind="licenses",
        source=actor.source,
        as_user=actor.username,
        file_name=plain_label(f"replace {old} -> {new}"),
        dry_run=dry_run,
    )
    try:
        old_id, new_id = replace_check(old, new)
    except PlmError as error:
        return job_fail(job, error)
    holders = replace_holders(old_id, actor.scope)

    def decide(batch, rules, done):  # type: ignore[no-untyped-def]
        return replace_decide(batch, rules, done, old_id=old_id, new_id=new_id)

    return run(job, LicenseRows(job, holders, decide, actor=actor))


def licenses_export(*, actor: Actor) -> list[tuple[str, str, str]]:
    """licenses.csv rows (Username, assign, License ID) for the holders in the view scope."""
    require(actor, VIEW)
    return export_rows(actor.view_scope)
