"""`code-block`, `code` and `sourcecode` directives of a reStructuredText document, as `FencedBlock`s.

A directive's body is every line after it that is blank or indented deeper than the directive; its options
(`:caption: x`) come first, then a blank line, then the content. Like docutils, the content loses its common
indentation, which becomes each line's prefix; trailing blank lines are not content.
"""

from __future__ import annotations

import re

from migrator.documents.markdown import FencedBlock, Line, split_lines

_DIRECTIVE = re.compile(r"(?P<indent>[ \t]*)\.\.[ \t]+(?:code-block|code|sourcecode)::(?P<info>[^\r\n]*)")
_OPTION = re.compile(r"[ \t]+:[\w-]+:")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _blank(line: str) -> bool:
    return not line.strip()


def _content_line(number: int, start: int, line: str, width: int) -> Line:
    cut = min(width, _indent(line))  # a blank line may be indented less
    return Line(number, start, line[:cut], line[cut:])


def code_blocks(text: str) -> list[FencedBlock]:
    lines = split_lines(text)
    blocks = []
    number = 0
    while number < len(lines):
        directive = _DIRECTIVE.match(lines[number][1])
        number += 1
        if directive is None:
            continue
        opener, depth = number - 1, _indent(directive["indent"])
        while number < len(lines) and _OPTION.match(lines[number][1]) and _indent(lines[number][1]) > depth:
            number += 1
        body = []
        while number < len(lines) and (_blank(lines[number][1]) or _indent(lines[number][1]) > depth):
            body.append(number)
            number += 1
        content = [index for index in body if not _blank(lines[index][1])]
        if not content:
            continue
        width = min(_indent(lines[index][1]) for index in content)
        block_lines = tuple(_content_line(index, *lines[index], width) for index in range(content[0], content[-1] + 1))
        blocks.append(FencedBlock(directive["info"].strip(), opener, block_lines, lines[content[0]][1][:width]))
    return blocks
