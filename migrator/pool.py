"""Running files on a process pool: chunks of paths out, picklable results back, crashes isolated.

Imported only when a run uses more than one worker, so small runs never pay for multiprocessing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from migrator.core.outcome import FileResult, failed
from migrator.core.settings import Settings
from migrator.files import display_path
from migrator.interrupt import StopFlag, ignore_stop_signals, libc_prctl
from migrator.process import PARSING_GC_THRESHOLD, load_lazy_parts, process_file

MAX_CHUNK = 64  # files per task: large enough to amortise IPC, small enough to balance the load
MIN_CHUNK = 4


def _process_chunk(paths: Sequence[Path], settings: Settings) -> list[FileResult]:
    return [process_file(path, settings) for path in paths]


def _init_worker() -> None:
    ignore_stop_signals()
    gc.set_threshold(*PARSING_GC_THRESHOLD)


def in_pool(files: Sequence[Path], settings: Settings, workers: int, stop: StopFlag | None) -> Iterator[FileResult]:
    chunks = _chunks(files, workers)
    # Loaded once here, before the workers are forked, and inherited by each of them.
    load_lazy_parts()
    libc_prctl()
    # Workers leave Ctrl-C and SIGTERM to this process, which lets the chunks in hand finish.
    executor = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker)
    try:
        futures = [executor.submit(_process_chunk, chunk, settings) for chunk in chunks]
        for chunk, future in zip(chunks, futures, strict=True):
            if stop is not None and stop.requested:
                for pending in futures:
                    pending.cancel()  # only chunks not yet handed to a worker; the others finish and are reported
                if future.cancelled():
                    return
            yield from _chunk_results(chunk, future, settings)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _chunks(files: Sequence[Path], workers: int) -> list[Sequence[Path]]:
    """Contiguous chunks (results come back in order) that shrink towards the end, as guided scheduling does:
    few tasks to send, and the workers finish together, since the last tasks are small."""
    chunks = []
    start = 0
    while start < len(files):
        size = max(MIN_CHUNK, min(MAX_CHUNK, (len(files) - start) // (2 * workers)))
        chunks.append(files[start : start + size])
        start += size
    return chunks


def _chunk_results(chunk: Sequence[Path], future: Future[list[FileResult]], settings: Settings) -> Iterable[FileResult]:
    try:
        return future.result()
    except BrokenProcessPool:
        # A worker died (a segfault in a parser, the OOM killer): the pool is gone, so find the culprit alone.
        return _isolate_crashes(chunk, settings)


def _isolate_crashes(files: Sequence[Path], settings: Settings) -> list[FileResult]:
    """Each file on a fresh single worker, in order: the file it dies on is reported, the rest are re-run."""
    results: list[FileResult] = []
    while len(results) < len(files):
        remaining = files[len(results) :]
        with ProcessPoolExecutor(max_workers=1) as executor:
            futures = [executor.submit(process_file, path, settings) for path in remaining]
            for path, future in zip(remaining, futures, strict=True):
                try:
                    results.append(future.result())
                except BrokenProcessPool:
                    results.append(
                        failed(display_path(path), "the worker process died on this file", "please report this file")
                    )
                    break
    return results
