"""How a finding reads in a report: what is wrong, then what its fix would do, did, or why it did not happen.

Rules say what is wrong and give their fix in every tense (`Fix`); only the report knows the mode and whether
the file was written, so the tense is chosen here, once, for every format.
"""

from __future__ import annotations

from migrator.core.outcome import SUPPRESSED_BLOCKER, LocatedFinding, Outcome, Status
from migrator.core.settings import Mode


def finding_message(located: LocatedFinding, outcome: Outcome, mode: Mode, suppressed: bool = False) -> str:
    finding = located.finding
    fix = finding.fix
    if fix is None:
        return finding.message
    if suppressed:
        return f"{finding.message}; {fix.not_done}: suppressed"
    if outcome.status is Status.MIGRATED:
        return f"{finding.message}; {fix.done if mode is Mode.WRITE else fix.would}"
    return f"{finding.message}; {fix.not_done}: {why_unchanged(outcome)}"


def why_unchanged(outcome: Outcome) -> str:
    """Why a file with fixes was left as it is, naming the finding that blocked it."""
    blocker = next((located.finding for located in outcome.findings if located.finding.blocks), None)
    if blocker is not None:
        return f"the file is left unchanged ({blocker.code})"
    if outcome.skip_reason == SUPPRESSED_BLOCKER:
        blocker = next((located.finding for located in outcome.suppressed if located.finding.blocks), None)
        return f"the file is left unchanged (suppressed {blocker.code})" if blocker else "the file is left unchanged"
    if outcome.status is Status.FAILED:
        return "the file failed"
    return "the file is left unchanged"
