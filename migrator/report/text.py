"""Human report: one line per finding or problem (`path:line:col: CODE message`), then a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from migrator.core.findings import Level
from migrator.core.outcome import SUPPRESSED_BLOCKER, FileResult, Problem, Status
from migrator.core.settings import Mode

# Skip reasons whose explanation is the findings printed right after.
_EXPLAINED_BY_FINDINGS = ("left unchanged (warning)", SUPPRESSED_BLOCKER)


def _file_lines(result: FileResult, mode: Mode, verbose: bool) -> list[str]:
    outcome = result.outcome
    lines = []
    if outcome.status is Status.FAILED and outcome.problem is not None:
        lines.append(_problem_line(result.path, "error", outcome.problem))
    elif result.open and outcome.status is not Status.MIGRATED:
        why = f": {outcome.classification.reason}" if outcome.classification is not None else ""
        lines.append(f"{result.path}: left unchanged, open{why}")
    elif outcome.status is Status.SKIPPED and outcome.skip_reason not in _EXPLAINED_BY_FINDINGS:
        why = f": {outcome.classification.reason}" if outcome.classification is not None else ""
        lines.append(f"{result.path}: skipped ({outcome.skip_reason}){why}")
    elif outcome.status is Status.NOT_RECIPE and verbose and outcome.classification is not None:
        lines.append(f"{result.path}: not a recipe: {outcome.classification.reason}")
    elif outcome.status is Status.MIGRATED:
        verb = "migrated" if mode is Mode.WRITE else "would migrate"
        lines.append(f"{result.path}: {verb} to pattern {outcome.target}")
    for located in outcome.findings:
        finding = located.finding
        if located.level is Level.ERROR or (
            located.level is Level.INFO and not verbose and outcome.status is not Status.MIGRATED
        ):
            continue
        label = {Level.FIX: "", Level.INFO: "note: ", Level.WARNING: "warning: "}[located.level]
        lines.append(f"{result.path}:{located.line}:{located.column}: {label}{finding.code} {finding.message}")
    lines += [
        f"{result.path}:{located.line}:{located.column}: suppressed: {located.finding.code} {located.finding.message}"
        for located in outcome.suppressed
    ]
    lines += [_problem_line(result.path, "warning", notice) for notice in result.notices]
    return lines


def _problem_line(path: str, label: str, problem: Problem) -> str:
    where = f"{path}:{problem.line}:{problem.column}" if problem.line else path
    hint = f" ({problem.hint})" if problem.hint else ""
    return f"{where}: {label}: {problem.message}{hint}"


def render(results: list[FileResult], mode: Mode, verbose: bool = False) -> str:
    lines = [line for result in results for line in _file_lines(result, mode, verbose)]
    lines.append(summary(results, mode))
    return "\n".join(lines) + "\n"


def summary(results: Iterable[FileResult], mode: Mode) -> str:
    results = list(results)
    statuses = Counter(result.status for result in results)
    skips = Counter(result.outcome.skip_reason for result in results if result.status is Status.SKIPPED)
    migrated = "migrated" if mode is Mode.WRITE else "would migrate"
    parts = [
        f"{statuses[Status.MIGRATED]} {migrated}",
        f"{statuses[Status.UNCHANGED]} unchanged",
        f"{sum(skips.values())} skipped"
        + (" (" + ", ".join(f"{n} {reason}" for reason, n in sorted(skips.items())) + ")" if skips else ""),
        f"{statuses[Status.NOT_RECIPE]} not recipes",
        f"{statuses[Status.FAILED]} failed",
    ]
    still_open = sum(result.open for result in results)
    if still_open:
        parts.append(f"{still_open} open (left risky or undecidable)")
    suppressed = sum(len(result.outcome.suppressed) for result in results)
    if suppressed:
        parts.append(f"{suppressed} findings suppressed")
    return f"{len(results)} files scanned: " + ", ".join(parts)
