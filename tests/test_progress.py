"""The progress bar: only on a terminal, only once the run is long, erased before the report."""

from __future__ import annotations

import io

import pytest

from migrator.report import progress
from migrator.report.progress import ProgressBar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "_DELAY", 0.0)
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar.update(5, 10)
    bar.close()
    assert stream.getvalue() == ""


def test_no_bar_for_a_short_run() -> None:
    stream = _Terminal()
    bar = ProgressBar(stream)
    bar.update(10, 10)
    bar.close()
    assert stream.getvalue() == ""


def test_bar_on_a_terminal_for_a_long_run_and_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "_DELAY", 0.0)
    stream = _Terminal()
    bar = ProgressBar(stream)
    bar.update(10, 10)
    bar.close()
    assert "10/10 files" in stream.getvalue() and stream.getvalue().endswith("\r\033[K")
