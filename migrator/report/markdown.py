"""A PR-ready summary of a bulk migration: counts, files per group, what was dropped or left for a human, and why."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from migrator.core.changes import Delete
from migrator.core.findings import Level
from migrator.core.outcome import FileResult, Status
from migrator.core.settings import Mode
from migrator.core.wording import finding_message
from migrator.report.records import records, status_label
from migrator.report.text import summary


def render(results: Sequence[FileResult], mode: Mode, verbose: bool = False) -> str:
    verb = "Migrated" if mode is Mode.WRITE else "Would migrate"
    sections = [
        "## migrator report",
        summary(results, mode),
        _table(("status", "files"), _counts(status_label(result.status, mode) for result in results)),
        "### Files per classification",
        _table(("classification", "files"), _counts(_classification(result) for result in results)),
        _migrated(results, verb),
        _dropped(results, mode),
        _for_a_human(results, mode),
        _skipped(results),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _classification(result: FileResult) -> str:
    classification = result.outcome.classification
    return classification.kind.value if classification else result.status.value


def _counts(values: Iterable[str]) -> list[tuple[str, ...]]:
    return [(value, str(count)) for value, count in sorted(Counter(values).items())]


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _migrated(results: Sequence[FileResult], verb: str) -> str:
    by_target: dict[str, list[FileResult]] = defaultdict(list)
    for result in results:
        if result.status is Status.MIGRATED:
            by_target[result.outcome.target or "?"].append(result)
    parts = []
    for target, group in sorted(by_target.items()):
        rows = [
            (f"`{result.path}`", ", ".join(sorted({located.finding.code for located in result.outcome.findings})))
            for result in group
        ]
        parts.append(f"### {verb} to pattern `{target}` ({len(group)})\n\n" + _table(("file", "rules"), rows))
    return "\n\n".join(parts)


def _dropped(results: Sequence[FileResult], mode: Mode) -> str:
    rows = [
        (f"`{result.path}:{located.line}`", located.finding.code, finding_message(located, result.outcome, mode))
        for result in results
        if result.status is Status.MIGRATED
        for located in result.outcome.findings
        if any(isinstance(change, Delete) for change in located.finding.changes)
    ]
    return f"### Dropped settings ({len(rows)})\n\n" + _table(("where", "rule", "what and why"), rows) if rows else ""


def _for_a_human(results: Sequence[FileResult], mode: Mode) -> str:
    rows = [
        (
            f"`{record.path}:{record.line}`" if record.line else f"`{record.path}`",
            record.code or "-",
            "suppressed" if record.suppressed else record.level,
            record.message + (f" ({record.hint})" if record.hint else ""),
        )
        for record in records(results, mode)
        # Pending fixes are listed above; here only what the tool will not do by itself.
        if record.suppressed
        or (record.level in ("error", "warning") and (record.rule is None or record.rule.level is not Level.FIX))
    ]
    return f"### Left for a human ({len(rows)})\n\n" + _table(("where", "rule", "level", "why"), rows) if rows else ""


def _skipped(results: Sequence[FileResult]) -> str:
    by_reason: dict[str, list[str]] = defaultdict(list)
    for result in results:
        if result.status is Status.SKIPPED:
            by_reason[result.outcome.skip_reason].append(result.path)
    if not by_reason:
        return ""
    parts = [f"### Skipped ({sum(map(len, by_reason.values()))})"]
    for reason, paths in sorted(by_reason.items()):
        listing = "\n".join(f"- `{path}`" for path in paths)
        parts.append(f"<details><summary>{reason} ({len(paths)})</summary>\n\n{listing}\n\n</details>")
    return "\n\n".join(parts)
