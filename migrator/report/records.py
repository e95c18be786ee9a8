"""What every machine format reports, flattened once: findings (kept and suppressed), problems, notices."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from migrator.core.findings import Level, Rule
from migrator.core.outcome import FileResult, LocatedFinding, Outcome, Status
from migrator.core.settings import Mode
from migrator.core.wording import finding_message


def status_label(status: Status, mode: Mode) -> str:
    """A file's status as reports name it: nothing is migrated in check and diff mode, it would be."""
    if status is Status.MIGRATED and mode is not Mode.WRITE:
        return "would-migrate"
    return status.value


@dataclass(frozen=True)
class Record:
    """One reportable line: a rule's finding, or a problem/notice about a file (then `rule` is None)."""

    path: str
    line: int  # 1-based; 0 when not tied to a line
    column: int
    message: str
    level: str  # error | warning | note
    rule: Rule | None = None
    suppressed: bool = False
    hint: str = ""

    @property
    def code(self) -> str:
        return self.rule.code if self.rule is not None else ""


def records(results: Sequence[FileResult], mode: Mode) -> Iterator[Record]:
    for result in results:
        outcome = result.outcome
        problem = outcome.problem
        rule_failed = any(located.level is Level.ERROR for located in outcome.findings)
        # A file failed by a rule is reported through that rule's finding, so it keeps its code.
        if outcome.status is Status.FAILED and problem is not None and not rule_failed:
            yield Record(result.path, problem.line, problem.column, problem.message, "error", hint=problem.hint)
        for notice in result.notices:
            yield Record(result.path, notice.line, notice.column, notice.message, "warning", hint=notice.hint)
        for located in outcome.findings:
            yield _finding_record(result.path, located, outcome, mode, suppressed=False)
        for located in outcome.suppressed:
            yield _finding_record(result.path, located, outcome, mode, suppressed=True)


def _finding_record(path: str, located: LocatedFinding, outcome: Outcome, mode: Mode, suppressed: bool) -> Record:
    rule = located.finding.rule
    message = finding_message(located, outcome, mode, suppressed)
    return Record(path, located.line, located.column, message, rule.reported_level, rule, suppressed)
