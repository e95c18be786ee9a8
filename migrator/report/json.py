"""Machine-readable results: one object per file, in run order, with every finding and its rule code."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from migrator import __version__
from migrator.core.outcome import FileResult
from migrator.core.settings import Mode
from migrator.report.records import Record, records, status_label
from migrator.report.text import Counts, summary


def render(results: Sequence[FileResult], mode: Mode, verbose: bool = False) -> str:
    document = {
        "tool": {"name": "migrator", "version": __version__},
        "mode": mode.value,
        "summary": {"text": summary(results, mode), **asdict(Counts.of(results, mode))},
        "files": [_file(result, mode) for result in results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _file(result: FileResult, mode: Mode) -> dict[str, Any]:
    outcome = result.outcome
    classification = outcome.classification
    return {
        "path": result.path,
        "status": status_label(outcome.status, mode),
        "classification": classification.kind.value if classification else None,
        "reason": classification.reason if classification else None,
        "target": outcome.target,
        "skip_reason": outcome.skip_reason or None,
        "open": result.open,
        "problem": asdict(outcome.problem) if outcome.problem else None,
        "findings": [_record(record) for record in records([result], mode)],
    }


def _record(record: Record) -> dict[str, Any]:
    return {
        "code": record.code or None,
        "rule": record.rule.slug if record.rule else None,
        "level": record.level,
        "line": record.line,
        "column": record.column,
        "message": record.message,
        "hint": record.hint or None,
        "suppressed": record.suppressed,
    }
