"""Row results: the per-row outcome every face reports the same way."""

from collections.abc import Sequence
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

    def add_all(self, results: Sequence[RowResult]) -> None:
        """Count a batch's results by outcome (in C: this runs for every batch of an import)."""
        outcomes = [result.outcome for result in results]
        applied = outcomes.count(Outcome.APPLIED)
        unchanged = outcomes.count(Outcome.UNCHANGED)
        self.rows += len(outcomes)
        self.applied += applied
        self.unchanged += unchanged
        self.rejected += len(outcomes) - applied - unchanged
