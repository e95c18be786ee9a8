"""GitHub Actions workflow commands: one annotation per finding (`::warning file=...,line=...::...`)."""

from __future__ import annotations

from collections.abc import Sequence

from migrator.core.outcome import FileResult
from migrator.core.settings import Mode
from migrator.report.records import records
from migrator.report.text import summary

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: Sequence[FileResult], mode: Mode, verbose: bool = False) -> str:
    lines = []
    for record in records(results, mode):
        if record.suppressed:
            continue
        properties = [f"file={_escape_property(record.path)}"]
        if record.line:
            properties += [f"line={record.line}", f"col={record.column}"]
        title = f"{record.code} {record.rule.slug}" if record.rule else "migrator"
        properties.append(f"title={_escape_property(title)}")
        message = record.message + (f" ({record.hint})" if record.hint else "")
        lines.append(f"::{_COMMAND[record.level]} {','.join(properties)}::{_escape_data(message)}")
    lines.append(f"::notice title=migrator::{_escape_data(summary(results, mode))}")
    return "\n".join(lines) + "\n"
