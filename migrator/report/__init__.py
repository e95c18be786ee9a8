"""Views of the per-file results: each formatter renders the same list.

Every format is one module here with `render(results, mode, verbose=False) -> str`; modules are imported
only when their format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from migrator.core.outcome import FileResult
from migrator.core.settings import Mode

FORMATS = ("text", "json", "sarif", "github", "markdown")
MACHINE_FORMATS = frozenset(FORMATS) - {"text"}


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 file`, `2 files`; `nouns` where the plural is not `noun` + s."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def render(output_format: str, results: Sequence[FileResult], mode: Mode, verbose: bool = False) -> str:
    if output_format not in FORMATS:
        raise ValueError(f"unknown output format {output_format!r}")
    module = importlib.import_module(f"{__name__}.{output_format}")
    text: str = module.render(results, mode, verbose)
    return text
