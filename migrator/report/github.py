"""GitHub Actions workflow commands: one annotation per finding (`::warning file=...,line=...::...`)."""

from __future__ import annotations

from collections.abc import Sequence

from migrator.core.outcome import FileResult
from migrator.core.settings import Mode
from migrator.report.records import Record, records
from migrator.report.text import summary

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: Sequence[FileResult], mode: Mode, verbose: bool = False) -> str:
    lines = [annotation(record) for record in records(results, mode) if not record.suppressed]
    lines.append(summary_annotation(summary(results, mode)))
    return "\n".join(lines) + "\n"


def annotation(record: Record, title: str | None = None) -> str:
    """One record as a workflow command; `title` defaults to its rule (`MIG001 slug`), or `migrator`."""
    properties = [f"file={_escape_property(record.path)}"]
    if record.line:
        properties += [f"line={record.line}", f"col={record.column}"]
    if title is None:
        title = f"{record.code} {record.rule.slug}" if record.rule else "migrator"
    properties.append(f"title={_escape_property(title)}")
    message = record.message + (f" ({record.hint})" if record.hint else "")
    return f"::{_COMMAND[record.level]} {','.join(properties)}::{_escape_data(message)}"


def summary_annotation(text: str) -> str:
    return f"::notice title=migrator::{_escape_data(text)}"
