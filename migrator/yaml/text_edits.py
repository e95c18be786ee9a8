"""Text edits: a byte range of the original text and its replacement, applied back to front."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TextEdit:
    start: int
    end: int
    text: str


class OverlappingEdits(ValueError):
    pass


def apply_edits(source: str, edits: Iterable[TextEdit]) -> str:
    """Apply edits in order of position; insertions at one offset keep their given order."""
    ordered = sorted(enumerate(edits), key=lambda item: (item[1].start, item[1].end, item[0]))
    pieces: list[str] = []
    cursor = 0
    for _, edit in ordered:
        if edit.start < cursor:
            raise OverlappingEdits(f"edits overlap at offset {edit.start}")
        pieces.append(source[cursor : edit.start])
        pieces.append(edit.text)
        cursor = edit.end
    pieces.append(source[cursor:])
    return "".join(pieces)
