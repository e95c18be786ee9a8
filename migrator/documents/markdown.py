"""Fenced code blocks of a Markdown (CommonMark) or MDX document, with the exact prefix of every content line.

Only what decides where a fenced block starts, ends and what its content is: blockquote (`>`) and list-item
containers, opening fences of three or more backticks or tildes, closing fences. Everything else (paragraphs,
HTML, JSX) is plain lines. A content line is kept as `prefix + content`, the prefix being the container
markers and the indentation CommonMark removes, so an edited block can be written back through the same prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TAB_STOP = 4
# CommonMark line endings only: other Unicode breaks (NEL, LS, PS) are characters inside a line.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_QUOTE = re.compile(r" {0,3}>")
_LIST_MARKER = re.compile(r" {0,3}(?:[-+*]|\d{1,9}[.)])(?=[ \t\r\n]|$)")
_OPENING_FENCE = re.compile(r"(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\r\n]*)")
_LANGUAGE = re.compile(r"[\w+-]*")
_CLOSING_FENCE = re.compile(r"[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*(?:\r\n|\r|\n)?\Z")


@dataclass(frozen=True)
class Line:
    number: int  # 0-based line index in the document
    start: int  # offset of the line in the document
    prefix: str  # container markers and removed indentation
    content: str  # the rest, line break included


@dataclass(frozen=True)
class FencedBlock:
    info: str
    opener: int  # 0-based line index of the opening fence
    lines: tuple[Line, ...]  # the content lines, without the fences
    indent: str  # the prefix for a line inserted into the block (the opener's, list markers turned into spaces)

    @property
    def language(self) -> str:
        """The info string's leading name: `yaml` in `yaml title="a.yaml"`, `yaml{2-4}` (line highlights), `yaml:a`."""
        return _LANGUAGE.match(self.info)[0].lower()

    @property
    def text(self) -> str:
        return "".join(line.content for line in self.lines)


@dataclass(frozen=True)
class _Container:
    quote: bool
    indent: int = 0  # list items: the column their content starts at


def split_lines(text: str) -> list[tuple[int, str]]:
    """(offset, line with its break) for every line of `text`."""
    return [(match.start(), match.group()) for match in _LINE.finditer(text) if match.group()]


def _columns(text: str, start_column: int) -> int:
    column = start_column
    for char in text:
        column = column + TAB_STOP - column % TAB_STOP if char == "\t" else column + 1
    return column


def _take_indent(line: str, position: int, column: int, width: int) -> tuple[int, int]:
    """Skip up to `width` columns of spaces and tabs; a tab that would overshoot is left in place."""
    limit = column + width
    while position < len(line) and line[position] in " \t":
        after = _columns(line[position], column)
        if after > limit:
            break
        position, column = position + 1, after
    return position, column


def _blank(rest: str) -> bool:
    return not rest.strip(" \t\r\n")


def _continue(containers: list[_Container], line: str) -> tuple[int, int, int]:
    """How many open containers this line continues, and the (offset, column) after their prefixes."""
    position = column = 0
    for matched, container in enumerate(containers):
        if container.quote:
            quote = _QUOTE.match(line, position)
            if quote is None:
                return matched, position, column
            position, column = quote.end(), _columns(line[position : quote.end()], column)
            position, column = _take_indent(line, position, column, 1)
        elif _blank(line[position:]):
            position, column = _take_indent(line, position, column, container.indent - column)
        else:
            after, after_column = _take_indent(line, position, column, container.indent - column)
            if after_column < container.indent:
                return matched, position, column
            position, column = after, after_column
    return len(containers), position, column


def _open_containers(line: str, position: int, column: int) -> tuple[list[_Container], int, int]:
    """New blockquotes and list items starting at `position`."""
    opened = []
    while True:
        quote = _QUOTE.match(line, position)
        if quote is not None:
            column = _columns(line[position : quote.end()], column)
            position, column = _take_indent(line, quote.end(), column, 1)
            opened.append(_Container(quote=True))
            continue
        marker = _LIST_MARKER.match(line, position)
        if marker is None:
            return opened, position, column
        marker_end = _columns(line[position : marker.end()], column)
        after, after_column = _take_indent(line, marker.end(), marker_end, TAB_STOP)
        if _blank(line[after:]) or after_column - marker_end > TAB_STOP or after_column == marker_end:
            # An empty item, or content that is itself indented code: the content column is one past the marker.
            after, after_column = _take_indent(line, marker.end(), marker_end, 1)
        opened.append(_Container(quote=False, indent=after_column))
        position, column = after, after_column


def _insertion_prefix(prefix: str) -> str:
    """The opener's prefix for lines that follow it: `- ` and `1. ` markers become spaces, `>` stays."""
    return re.sub(r"(?:[-+*]|\d{1,9}[.)])(?=[ \t\r\n]|$)", lambda marker: " " * len(marker.group()), prefix)


def fenced_blocks(text: str, mdx: bool = False) -> list[FencedBlock]:
    """Every fenced code block. MDX has no indented code, so there a fence may be indented any amount."""
    max_indent = None if mdx else 3
    lines = split_lines(text)
    blocks: list[FencedBlock] = []
    containers: list[_Container] = []
    number = 0
    while number < len(lines):
        line = lines[number][1]
        matched, position, column = _continue(containers, line)
        containers = containers[:matched]
        opened, position, column = _open_containers(line, position, column)
        containers += opened
        fence = _OPENING_FENCE.match(line, position)
        indent = _columns(fence["indent"], column) - column if fence else 0
        too_deep = max_indent is not None and indent > max_indent
        if fence is None or too_deep or (fence["fence"][0] == "`" and "`" in fence["info"]):
            number += 1
            continue
        opener = number
        number, content = _fence_content(lines, number + 1, containers, fence["fence"], indent, max_indent)
        inserted_prefix = _insertion_prefix(line[: fence.start("fence")])
        blocks.append(FencedBlock(fence["info"].strip(), opener, tuple(content), inserted_prefix))
    return blocks


def _fence_content(
    lines: list[tuple[int, str]],
    number: int,
    containers: list[_Container],
    fence: str,
    indent: int,
    max_indent: int | None,
) -> tuple[int, list[Line]]:
    """The content lines from `number` on, and the index of the first line after the block."""
    content = []
    while number < len(lines):
        start, line = lines[number]
        matched, position, column = _continue(containers, line)
        if matched < len(containers):  # the container ends, and the unclosed block with it
            return number, content
        closing = _CLOSING_FENCE.match(line, position)
        if closing is not None:
            closing_indent = _columns(line[position : closing.start("fence")], column) - column
            found = closing["fence"]
            shallow = max_indent is None or closing_indent <= max_indent
            if found[0] == fence[0] and len(found) >= len(fence) and shallow:
                return number + 1, content
        position, _ = _take_indent(line, position, column, indent)
        content.append(Line(number, start, line[:position], line[position:]))
        number += 1
    return number, content
