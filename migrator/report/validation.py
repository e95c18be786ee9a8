"""`validate`'s results in the machine formats, on the same helpers as `migrate`'s reports.

Each miss is a record at its key's line (level error, the fix as its hint); a file that could not be checked is
a record without a rule. JSON lists files with their verdicts; SARIF has one rule per pattern (`pattern-te`) and
one result per miss, problems as tool execution notifications; GitHub one annotation per miss; Markdown a
summary with the misses and the files that could not be checked.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from migrator import __version__, patterns
from migrator.report import github, sarif
from migrator.report import json as json_report
from migrator.report.markdown import _table
from migrator.report.records import Record


class _Miss(Protocol):
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def message(self) -> str: ...


class _Verdict(Protocol):
    @property
    def value(self) -> str: ...


class Checked(Protocol):
    """A file's result as `migrator.validate` gives it (described here: reports do not import the commands)."""

    @property
    def path(self) -> str: ...
    @property
    def verdict(self) -> _Verdict: ...
    @property
    def pattern(self) -> str | None: ...
    @property
    def misses(self) -> tuple[_Miss, ...]: ...
    @property
    def note(self) -> str: ...


def rule_id(pattern: str) -> str:
    return f"pattern-{pattern}"


def records(result: Checked) -> Iterator[Record]:
    """What a result reports: its misses (errors of an invalid config, or where a config did not parse), then
    why a file could not be checked."""
    hint = result.note if result.verdict.value == "invalid" else ""
    for miss in result.misses:
        yield Record(result.path, miss.line, miss.column, miss.message, "error", hint=hint)
    if result.verdict.value == "error" and result.note:
        yield Record(result.path, 0, 0, result.note, "error")


def render(output_format: str, results: Sequence[Checked], summary: str, text: str) -> str:
    """`text` is the human report, the `text` format's output (for -o)."""
    if output_format == "text":
        return text
    renderer = {"json": _json, "sarif": _sarif, "github": _github, "markdown": _markdown}[output_format]
    return renderer(results, summary)


def _json(results: Sequence[Checked], summary: str) -> str:
    counts = Counter(result.verdict.value for result in results)
    document = {
        "tool": {"name": "migrator", "version": __version__},
        "command": "validate",
        "summary": {"text": summary, "files": len(results), **{key: counts[key] for key in _VERDICTS}},
        "files": [
            {
                "path": result.path,
                "verdict": result.verdict.value,
                "pattern": result.pattern,
                "note": result.note or None,
                "misses": [_miss(result, record) for record in records(result)],
            }
            for result in results
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_VERDICTS = ("valid", "invalid", "skipped", "not-recipe", "error")


def _miss(result: Checked, record: Record) -> dict[str, Any]:
    entry = json_report._record(record)
    entry["code"] = entry["rule"] = rule_id(result.pattern) if result.pattern and record.line else None
    return entry


def _sarif(results: Sequence[Checked], summary: str) -> str:
    root = sarif.repository_root()
    names = sorted(patterns.PATTERNS)
    rules = [
        {
            "id": rule_id(name),
            "name": rule_id(name),
            "shortDescription": {"text": f"Follows pattern {name}: {patterns.PATTERNS[name].title}"},
            "help": {"text": f"Run `migrate --pattern {name}` to put a config on it, or fix the key by hand."},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["migrator", "validate"]},
        }
        for name in names
    ]
    sarif_results, notifications = [], []
    for result in results:
        for record in records(result):
            if result.pattern is None or not record.line or result.verdict.value == "error":
                notifications.append(sarif.notification(record, root))
                continue
            message = record.message + (f" ({record.hint})" if record.hint else "")
            sarif_results.append(
                {
                    "ruleId": rule_id(result.pattern),
                    "ruleIndex": names.index(result.pattern),
                    "level": "error",
                    "message": {"text": message},
                    "locations": [sarif.location(record, root)],
                }
            )
    return sarif.document(rules, sarif_results, notifications, root)


def _github(results: Sequence[Checked], summary: str) -> str:
    lines = [
        github.annotation(record, f"migrator {rule_id(result.pattern)}" if result.pattern else None)
        for result in results
        for record in records(result)
    ]
    lines.append(github.summary_annotation(summary))
    return "\n".join(lines) + "\n"


def _markdown(results: Sequence[Checked], summary: str) -> str:
    counts = Counter(result.verdict.value for result in results)
    sections = ["## migrator validate report", summary, _table(("verdict", "files"), _rows(counts))]
    misses = [
        (f"`{record.path}:{record.line}`" if record.line else f"`{record.path}`", result.pattern or "-", record.message)
        for result in results
        for record in records(result)
    ]
    if misses:
        sections.append(f"### Misses and errors ({len(misses)})\n\n" + _table(("where", "pattern", "what"), misses))
    fixes = [
        (f"`{result.path}`", result.pattern or "-", result.note)
        for result in results
        if result.verdict.value == "invalid"
    ]
    if fixes:
        sections.append(f"### Invalid configs ({len(fixes)})\n\n" + _table(("file", "pattern", "fix"), fixes))
    return "\n\n".join(sections) + "\n"


def _rows(counts: Counter[str]) -> list[tuple[str, ...]]:
    return [(verdict, str(counts[verdict])) for verdict in _VERDICTS if counts[verdict]]
