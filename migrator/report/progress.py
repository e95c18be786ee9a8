"""A one-line progress bar on stderr, for long runs on a terminal only (never in logs or pipes)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_WIDTH = 30
_DELAY = 0.5  # seconds before the bar appears: short runs never show it
_INTERVAL = 0.1  # seconds between redraws


class ProgressBar:
    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self._stream = stream
        self._enabled = stream.isatty()
        self._start = time.monotonic()
        self._drawn_at = 0.0
        self._shown = False

    def update(self, done: int, total: int) -> None:
        if not self._enabled or total == 0:
            return
        now = time.monotonic()
        if now - self._start < _DELAY or (now - self._drawn_at < _INTERVAL and done < total):
            return
        filled = _WIDTH * done // total
        self._stream.write(f"\r[{'#' * filled}{'.' * (_WIDTH - filled)}] {done}/{total} files")
        self._stream.flush()
        self._drawn_at, self._shown = now, True

    def close(self) -> None:
        if self._shown:
            self._stream.write("\r\033[K")  # erase the bar so the report starts on a clean line
            self._stream.flush()
