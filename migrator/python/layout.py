"""Adding and removing comma-separated elements (call arguments, dict entries, imported names) in the list's own layout.

One line or one element per line, trailing comma or not: new elements copy the separator already used,
comments stay on the element they were written after, and a removed element takes only its own line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar, Union

import libcst as cst

Element = TypeVar("Element", cst.Arg, cst.DictElement, cst.Element, cst.ImportAlias)
Whitespace = Union[cst.BaseParenthesizableWhitespace, cst.MaybeSentinel]


def _without_comment(whitespace: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return whitespace


def _separator(elements: Sequence[cst.CSTNode], opening: Whitespace) -> cst.Comma:
    """The comma (and line break + indent) that separates elements in this list."""
    if len(elements) >= 2 and isinstance(elements[-2].comma, cst.Comma):  # type: ignore[attr-defined]
        reference = elements[-2].comma.whitespace_after  # type: ignore[attr-defined]
    else:
        reference = opening
    if isinstance(reference, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=_without_comment(reference))
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def append(elements: Sequence[Element], new: Sequence[Element], opening: Whitespace) -> list[Element]:
    """`elements` followed by `new`; `opening` is the whitespace after the opening bracket."""
    if not new:
        return list(elements)
    if not elements:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        return [item.with_changes(comma=separator) for item in new[:-1]] + [new[-1]]
    separator = _separator(elements, opening)
    *head, last = elements
    added = [item.with_changes(comma=separator) for item in new]
    if isinstance(last.comma, cst.Comma):
        # A trailing comma: the last element keeps its comment on its line and now breaks like the others;
        # the new last element repeats the trailing comma and the break before the closing bracket.
        before_closing = last.comma.whitespace_after
        between = separator.whitespace_after
        if isinstance(before_closing, cst.ParenthesizedWhitespace) and isinstance(between, cst.ParenthesizedWhitespace):
            between = between.with_changes(first_line=before_closing.first_line)
        last = last.with_changes(comma=last.comma.with_changes(whitespace_after=between))
        added[-1] = added[-1].with_changes(
            comma=last.comma.with_changes(whitespace_after=_without_comment(before_closing))
        )
        return [*head, last, *added]
    added[-1] = added[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    if isinstance(last, cst.Arg):
        # Whitespace before `)` belongs to the last argument: move it to the new last one.
        added[-1] = added[-1].with_changes(whitespace_after_arg=last.whitespace_after_arg)
        last = last.with_changes(whitespace_after_arg=cst.SimpleWhitespace(""))
    return [*head, last.with_changes(comma=separator), *added]


def remove(elements: Sequence[Element], index: int) -> list[Element]:
    """`elements` without the one at `index`; full-line comments after it move to the element before."""
    removed = elements[index]
    result = list(elements[:index]) + list(elements[index + 1 :])
    if index == len(elements) - 1 and index > 0:
        previous = result[-1]
        comma = removed.comma
        if isinstance(comma, cst.Comma):
            comma = comma.with_changes(whitespace_after=_without_comment(comma.whitespace_after))
        result[-1] = previous.with_changes(comma=comma)
        if isinstance(previous, cst.Arg) and isinstance(removed, cst.Arg):
            result[-1] = result[-1].with_changes(whitespace_after_arg=removed.whitespace_after_arg)
    elif index > 0 and isinstance(removed.comma, cst.Comma) and isinstance(result[index - 1].comma, cst.Comma):
        carried = removed.comma.whitespace_after
        previous_comma = result[index - 1].comma
        kept = previous_comma.whitespace_after
        if (
            isinstance(carried, cst.ParenthesizedWhitespace)
            and isinstance(kept, cst.ParenthesizedWhitespace)
            and carried.empty_lines
        ):
            kept = kept.with_changes(empty_lines=[*kept.empty_lines, *carried.empty_lines])
            result[index - 1] = result[index - 1].with_changes(comma=previous_comma.with_changes(whitespace_after=kept))
    return result
