"""Unified diffs with a/ b/ paths that `git apply` accepts (line endings and missing final newlines kept)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from migrator.core.outcome import FileResult

_NO_NEWLINE = "\\ No newline at end of file\n"


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def file_diff(result: FileResult) -> str:
    if result.before is None or result.after is None:
        return ""
    out = []
    for line in difflib.unified_diff(
        _lines(result.before), _lines(result.after), f"a/{result.path}", f"b/{result.path}"
    ):
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n" + _NO_NEWLINE)
    return "".join(out)


def render(results: Iterable[FileResult]) -> str:
    return "".join(file_diff(result) for result in results)
