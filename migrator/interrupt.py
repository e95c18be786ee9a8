"""Ctrl-C and SIGTERM during a bulk run: finish the file in hand, then stop with a summary.

The seam is small on purpose: `stop_on_signals` installs the handlers in the main process and hands out a
`StopFlag`; whatever loops over files (the sequential runner today, a pool's submit loop later) checks
`flag.requested` between files. A second signal stops at once: writes are atomic renames, so even that
never leaves a half-written file.
"""

from __future__ import annotations

import functools
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class StopFlag:
    def __init__(self) -> None:
        self.signal: int | None = None

    @property
    def requested(self) -> bool:
        return self.signal is not None

    @property
    def exit_code(self) -> int:
        """The shell convention 128 + signal number: 130 for Ctrl-C, 143 for SIGTERM."""
        return 128 + (self.signal or 0)

    def notice(self, files_done: int) -> str:
        name = signal.Signals(self.signal).name if self.signal else "a signal"
        return (
            f"interrupted by {name}: stopped after {files_done} files, each fully processed (the summary above counts "
            "them); files not reached were not touched; run the same command again to finish\n"
        )


@contextmanager
def stop_on_signals() -> Iterator[StopFlag]:
    flag = StopFlag()
    if threading.current_thread() is not threading.main_thread():  # signal handlers live in the main thread only
        yield flag
        return

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if flag.requested:
            raise KeyboardInterrupt
        flag.signal = signum

    previous = {signum: signal.signal(signum, request_stop) for signum in STOP_SIGNALS}
    try:
        yield flag
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def ignore_stop_signals() -> None:
    """For worker processes: the parent decides when to stop, and waits for the files they have in hand.

    A worker must not outlive the parent either (a SIGKILLed parent leaves its pool blocked on the queue
    forever): on Linux the kernel kills it with the parent. Writes are atomic, so that is always safe.
    """
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    prctl = libc_prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@functools.cache
def libc_prctl() -> Callable[..., int] | None:
    """libc's prctl on Linux, found once: called in the parent before its workers are forked, each of them
    inherits it instead of loading ctypes again (milliseconds per worker)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # no libc prctl: the worker still exits once the parent's queue closes
        return None
