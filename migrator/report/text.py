"""Human report: one line per finding or problem (`path:line:col: CODE message`), then a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from migrator.core.classify import Kind
from migrator.core.findings import Level
from migrator.core.outcome import SUPPRESSED_BLOCKER, FileResult, Problem, Status
from migrator.core.settings import Mode
from migrator.core.wording import finding_message


def _header(result: FileResult, mode: Mode, verbose: bool) -> str | None:
    """The file's first line: what happened to it as a whole (findings follow)."""
    outcome = result.outcome
    classification = outcome.classification
    why = f": {classification.reason}" if classification is not None else ""
    if outcome.status is Status.FAILED and outcome.problem is not None:
        return _problem_line(result.path, "error", outcome.problem)
    if result.open and outcome.status is not Status.MIGRATED:
        return f"{result.path}: left unchanged, open{why}"
    if outcome.status is Status.SKIPPED and outcome.skip_reason == SUPPRESSED_BLOCKER:
        return f"{result.path}: left unchanged{why} (a suppressed finding blocks the migration)"
    if outcome.status is Status.SKIPPED:
        return f"{result.path}: skipped ({outcome.skip_reason}){why}"
    if outcome.status is Status.NOT_RECIPE and verbose and classification is not None:
        return f"{result.path}: not a recipe: {classification.reason}"
    if outcome.status is not Status.MIGRATED:
        return None
    written = mode is Mode.WRITE
    if (
        classification is not None
        and classification.kind is Kind.ON_PATTERN
        and outcome.target == classification.pattern
    ):
        gains = ", ".join(
            sorted({located.finding.rule.slug for located in outcome.findings if located.level is Level.FIX})
        )
        done = "only completed" if written else "would only be completed"
        return f"{result.path}: already on pattern {outcome.target} ({classification.reason}); {done}: {gains}"
    if (
        classification is not None
        and classification.kind is Kind.INCOMPLETE_TE
        and outcome.target == classification.pattern
    ):
        return f"{result.path}: {'completed' if written else 'would complete'} to pattern {outcome.target}{why}"
    return f"{result.path}: {'migrated' if written else 'would migrate'} to pattern {outcome.target}"


def _file_lines(result: FileResult, mode: Mode, verbose: bool) -> list[str]:
    outcome = result.outcome
    header = _header(result, mode, verbose)
    lines = [header] if header is not None else []
    for located in outcome.findings:
        if located.level is Level.ERROR or (
            located.level is Level.INFO and not verbose and outcome.status is not Status.MIGRATED
        ):
            continue
        label = {Level.FIX: "", Level.INFO: "note: ", Level.WARNING: "warning: "}[located.level]
        message = finding_message(located, outcome, mode)
        lines.append(f"{result.path}:{located.line}:{located.column}: {label}{located.finding.code} {message}")
    lines += [
        f"{result.path}:{located.line}:{located.column}: suppressed: {located.finding.code} "
        + finding_message(located, outcome, mode, suppressed=True)
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
