"""Row results: the per-row outcome every face reports the same way."""

from dataclasses import dataclass
from typing import NamedTuple

from plm.core.codes import Outcome


class RowResult(NamedTuple):
    """The outcome of one input row (`row` is None for one-off changes made without a file)."""

    row: int | None
    username: str
    action: str
    license_id: str
    outcome: Outcome
    code: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "username": self.username,
            "action": self.action,
            "license_id": self.license_id,
            "outcome": str(self.outcome),
            "code": self.code,
            "message": self.message,
        }


@dataclass
class Tally:
    """Running counts of an import."""

    rows: int = 0
    applied: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, result: RowResult) -> None:
        self.rows += 1
        if result.outcome is Outcome.APPLIED:
            self.applied += 1
        elif result.outcome is Outcome.UNCHANGED:
            self.unchanged += 1
        else:
            self.rejected += 1
