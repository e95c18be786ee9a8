"""Colour for the human report on a terminal: on when stderr is a TTY, off with NO_COLOR, forced with FORCE_COLOR
(https://no-color.org, https://force-color.org). Applied to the rendered text, so renderers stay plain."""

from __future__ import annotations

import os
import re
from typing import TextIO

_BOLD, _RED, _YELLOW, _CYAN, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[0m"
_LOCATION = re.compile(r"^([^\s:][^:\n]*?)((?::\d+:\d+)?:) ", re.MULTILINE)
_LABEL = re.compile(r"\b(error|warning):")
_CODE = re.compile(r"\bMIG\d{3}\b")


def enabled(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty()


def colourize(text: str) -> str:
    text = _LOCATION.sub(lambda match: f"{_BOLD}{match[1]}{_RESET}{match[2]} ", text)
    text = _LABEL.sub(lambda match: f"{_RED if match[1] == 'error' else _YELLOW}{match[1]}{_RESET}:", text)
    return _CODE.sub(lambda match: f"{_CYAN}{match[0]}{_RESET}", text)
