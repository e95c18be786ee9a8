"""Prove an edited text before it is written: it parses to exactly the intended data."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

import yaml

from migrator.yaml.document import YamlDocument
from migrator.yaml.loading import YamlError, load_data
from migrator.yaml.text_edits import TextEdit


class VerificationError(Exception):
    pass


def same_data(left: Any, right: Any) -> bool:
    """Deep equality that also compares types: `True == 1` and `1 == 1.0` must not pass."""
    if left is right and not isinstance(left, float):  # NaN is not equal to itself
        return True
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same_data(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(same_data(a, b) for a, b in zip(left, right, strict=False))
    if isinstance(left, float) and left != left:  # NaN
        return right != right
    return bool(left == right)


def first_difference(left: Any, right: Any, path: str = "") -> str:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(left.keys() | right.keys(), key=str):
            if key not in left or key not in right or not same_data(left[key], right[key]):
                return first_difference(left.get(key), right.get(key), f"{path}.{key}" if path else str(key))
    return f"{path or '<root>'}: expected {right!r}, got {left!r}"


def verify(new_text: str, intended: Any) -> Any:
    """The edited text's data, which must equal `intended` exactly."""
    try:
        data = load_data(new_text)
    except YamlError as exc:
        raise VerificationError(f"the edited text does not parse: {exc.message} (line {exc.line})") from None
    return _checked(data, intended)


def _checked(data: Any, intended: Any) -> Any:
    if not same_data(data, intended):
        raise VerificationError("the edited text does not hold the intended data: " + first_difference(data, intended))
    return data


def verify_edited(doc: YamlDocument, edits: Sequence[TextEdit], new_text: str, intended: Any) -> Any:
    """`verify`, re-reading only the top-level sections the edits touched when that is provably the same.

    In a block mapping whose keys start at column 0, with no alias anywhere, each top-level entry's lines
    parse on their own exactly as in the whole file, and the text outside the edited entries is unchanged
    byte for byte. Any other shape, or a fragment that does not read back as its single key, gets the
    full re-read.
    """
    sections = _edited_sections(doc, edits, new_text)
    if sections is None:
        return verify(new_text, intended)
    # The edited entries, one after the other, form a small document of their own: one parse.
    fragment = "".join(text if text.endswith(("\n", "\r")) else text + "\n" for _, text in sections)
    try:
        parsed = load_data(fragment)
    except YamlError:
        return verify(new_text, intended)
    if not isinstance(parsed, dict) or list(parsed) != [key for key, _ in sections]:
        return verify(new_text, intended)
    return _checked({**doc.data, **parsed}, intended)


def _edited_sections(doc: YamlDocument, edits: Sequence[TextEdit], new_text: str) -> list[tuple[str, str]] | None:
    """(key, new text of its entry) for each top-level entry an edit touched, or None to re-read it all."""
    root = doc.root
    if doc.has_aliases or not isinstance(root, yaml.MappingNode) or root.flow_style:
        return None
    keys = [key for key, _ in doc.pairs(root)]
    if any(not isinstance(key, yaml.ScalarNode) or key.start_mark.column != 0 for key in keys):
        return None
    starts = [doc.line_starts[key.start_mark.line] for key in keys]
    ends = [*starts[1:], len(doc.text)]
    ordered = sorted(edits, key=lambda edit: (edit.start, edit.end))
    touched: set[int] = set()
    for edit in ordered:
        # An insertion right at an entry's first line appends to the entry before it.
        index = (bisect.bisect_left if edit.start == edit.end else bisect.bisect_right)(starts, edit.start) - 1
        if index < 0 or edit.end > ends[index]:
            return None
        touched.add(index)
    shifts = [0]
    for edit in ordered:
        shifts.append(shifts[-1] + len(edit.text) - (edit.end - edit.start))
    edit_ends = [edit.end for edit in ordered]

    def moved(offset: int) -> int:  # where an original offset lands in the new text (after insertions there)
        return offset + shifts[bisect.bisect_right(edit_ends, offset)]

    sections = []
    for index in sorted(touched):
        end = len(new_text) if index == len(keys) - 1 else moved(ends[index])
        sections.append((keys[index].value, new_text[moved(starts[index]) : end]))
    return sections
