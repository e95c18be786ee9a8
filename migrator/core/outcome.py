"""What processing one file produced: its status, findings, new text or problem. Plain, picklable data."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from migrator.core.classify import Classification, Kind
from migrator.core.findings import Finding, Level


class Status(enum.Enum):
    MIGRATED = "migrated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    NOT_RECIPE = "not-recipe"
    FAILED = "failed"


# Why a file was skipped, as reports show it.
SKIP_FILE = "skip-file"
SUPPRESSED_BLOCKER = "left unchanged (suppressed)"
BLOCKED_BY_WARNING = "left unchanged (warning)"
SKIP_REASONS = {Kind.NOT_APPLICABLE: "not applicable", Kind.PEFT: "peft"}  # classifications that are skipped


@dataclass(frozen=True)
class LocatedFinding:
    finding: Finding
    line: int
    column: int

    @property
    def level(self) -> Level:
        return self.finding.rule.level


@dataclass(frozen=True)
class Problem:
    """Why a file failed: what, where (1-based; 0 when not tied to a line) and what to do."""

    message: str
    line: int = 0
    column: int = 0
    hint: str = ""


@dataclass(frozen=True)
class Outcome:
    status: Status
    classification: Classification | None = None
    target: str | None = None
    findings: tuple[LocatedFinding, ...] = ()
    new_text: str | None = None
    problem: Problem | None = None
    skip_reason: str = field(default="")
    suppressed: tuple[LocatedFinding, ...] = ()  # left alone by a `# migrator: ignore` comment

    @property
    def open_findings(self) -> tuple[LocatedFinding, ...]:
        """Violations the run leaves in place, whatever the mode: a warning that kept a config unchanged, because it
        stays risky (`tp_size > 1` or BAGEL under pattern te), its storage dtype is not provable (a checkpoint's, a
        builder's, KD's by AutoModel version), or a value is decided only at load time. A warning that changed
        nothing by itself (a note-like Python warning) is not open."""
        return tuple(located for located in self.findings if located.level is Level.WARNING and located.finding.blocks)


@dataclass(frozen=True)
class FileResult:
    """One file's result; small, since pool workers send it back (so `outcome.new_text` is dropped)."""

    path: str  # as shown to the user
    outcome: Outcome
    before: str | None = None  # full decoded text (BOM included) of a changed file, in --diff mode only
    after: str | None = None
    notices: tuple[Problem, ...] = ()  # about the file but not a rule's finding (e.g. an unknown code in a suppression)

    @property
    def status(self) -> Status:
        return self.outcome.status

    @property
    def open(self) -> bool:
        return bool(self.outcome.open_findings)


def failed(shown: str, message: str, hint: str) -> FileResult:
    return FileResult(shown, Outcome(Status.FAILED, problem=Problem(message, hint=hint)))
