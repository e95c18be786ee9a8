"""Human report: one line per finding or problem (`path:line:col: CODE message`), then a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from migrator.core.classify import Kind
from migrator.core.findings import RULES, Level
from migrator.core.outcome import SUPPRESSED_BLOCKER, FileResult, Problem, Status
from migrator.core.settings import Mode, Shown
from migrator.core.wording import finding_message
from migrator.report import plural
from migrator.report.records import status_label


def _header(result: FileResult, mode: Mode, verbose: bool, peft_option: str) -> str | None:
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
        take_in = (
            f"; pass {peft_option} to migrate it anyway" if classification and classification.kind is Kind.PEFT else ""
        )
        return f"{result.path}: skipped ({outcome.skip_reason}){why}{take_in}"
    if outcome.status is Status.NOT_RECIPE and verbose and classification is not None:
        return f"{result.path}: not a recipe: {classification.reason}"
    if outcome.status is Status.UNCHANGED and verbose:
        return f"{result.path}: unchanged{why or ': nothing to do'}"
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


def _file_lines(result: FileResult, mode: Mode, shown: Shown) -> list[str]:
    outcome = result.outcome
    verbose = shown.verbose
    header = _header(result, mode, verbose, shown.peft_option)
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


def render(results: list[FileResult], mode: Mode, verbose: bool | Shown = False) -> str:
    shown = verbose if isinstance(verbose, Shown) else Shown(verbose)
    if shown.statistics:
        lines = statistics(results)
    else:
        lines = [line for result in results for line in _file_lines(result, mode, shown)]
    if not shown.quiet:
        lines.append(summary(results, mode))
    return "".join(line + "\n" for line in lines)


def statistics(results: Iterable[FileResult]) -> list[str]:
    """One line per rule that raised a finding: count, code, `[*]` when migrate fixes it, name (as ruff)."""
    counts = Counter(located.finding.code for result in results for located in result.outcome.findings)
    width = len(str(max(counts.values(), default=0)))
    return [
        f"{count:>{width}}  {code}  {'[*]' if RULES[code].fixable else '[ ]'} {RULES[code].slug}"
        for code, count in sorted(counts.items())
    ]


@dataclass(frozen=True)
class Counts:
    """The run in numbers: what the summary line says, and what JSON reports as data."""

    files: int
    statuses: Mapping[str, int]  # by status label (`would-migrate` in check and diff mode)
    skipped: Mapping[str, int]  # by skip reason
    open: int  # files with open findings
    suppressed: int  # findings

    @classmethod
    def of(cls, results: Iterable[FileResult], mode: Mode) -> Counts:
        results = list(results)
        statuses = Counter(status_label(result.status, mode) for result in results)
        return cls(
            len(results),
            {status_label(status, mode): statuses[status_label(status, mode)] for status in Status},
            dict(sorted(Counter(r.outcome.skip_reason for r in results if r.status is Status.SKIPPED).items())),
            sum(result.open for result in results),
            sum(len(result.outcome.suppressed) for result in results),
        )


def summary(results: Iterable[FileResult], mode: Mode) -> str:
    counts = Counts.of(results, mode)
    statuses = counts.statuses
    migrated = "migrated" if mode is Mode.WRITE else "would migrate"
    skips = counts.skipped
    parts = [
        f"{statuses[status_label(Status.MIGRATED, mode)]} {migrated}",
        f"{statuses[Status.UNCHANGED.value]} unchanged",
        f"{sum(skips.values())} skipped"
        + (" (" + ", ".join(f"{n} {reason}" for reason, n in skips.items()) + ")" if skips else ""),
        plural(statuses[Status.NOT_RECIPE.value], "not a recipe", "not recipes"),
        f"{statuses[Status.FAILED.value]} failed",
    ]
    if counts.open:
        parts.append(f"{counts.open} open (left risky or undecidable)")
    if counts.suppressed:
        parts.append(plural(counts.suppressed, "finding") + " suppressed")
    return plural(counts.files, "file") + " scanned: " + ", ".join(parts)
