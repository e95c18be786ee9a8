"""Many paths in, one result per file out, in a stable order; writes only what verified.

Files are processed in-process for one job or a small run, else in chunks on a process pool. Workers get
paths and plain `Settings` only; every result is picklable data. A file that raises is that file's error,
and a worker that dies takes only the file it was on with it (the rest are re-run).
"""

from __future__ import annotations

import os
import traceback
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Generator, Iterable, Iterator, Sequence

from migrator import suppressions
from migrator.discovery import Excluder, discover
from migrator.engine import SUPPORTED_SUFFIXES, Outcome, Problem, Status, front_end
from migrator.files import FileError, decode, read_limited, resolve_inside, write_atomic
from migrator.interrupt import StopFlag, ignore_stop_signals
from migrator.rules import RULES
from migrator.settings import Mode, Settings

__all__ = ["FileResult", "Mode", "Settings", "exit_code", "process_file", "run", "select_files"]

SKIP_FILE = "skip-file"
# Below this many files per worker, starting the pool costs more than it saves.
MIN_FILES_PER_WORKER = 16
MAX_CHUNK = 64  # files per task: large enough to amortise IPC, small enough to balance the load

ProgressCallback = Callable[[int, int], None]  # (files done, files in total)


@dataclass(frozen=True)
class FileResult:
    """One file's result; small, since pool workers send it back (so `outcome.new_text` is dropped)."""

    path: str  # as shown to the user
    outcome: Outcome
    before: str | None = None  # full decoded text (BOM included) of a changed file, in --diff mode only
    after: str | None = None
    notices: tuple[Problem, ...] = ()  # about the file but not a rule's finding (e.g. an unknown code in a suppression)

    @property
    def status(self) -> Status:
        return self.outcome.status


def display_path(path: Path) -> str:
    if not path.is_absolute():
        return Path(os.path.normpath(path)).as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def select_files(settings: Settings, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES) -> list[tuple[Path, Problem | None]]:
    """Every file with one of `suffixes` the run will process (a missing path carries its problem), in output order."""
    excluder = Excluder(settings.exclude, settings.root)
    found = discover(settings.paths, suffixes, excluder, settings.force_exclude, settings.respect_gitignore)
    return [(item.path, Problem("no such file or directory", hint="check the path") if item.missing else None) for item in found]


def process_file(path: Path, settings: Settings) -> FileResult:
    shown = display_path(path)
    try:
        real_path = resolve_inside(path, settings.roots)
        raw = read_limited(real_path, settings.max_file_size)
        source = decode(raw)
        migrate = front_end(path.suffix)
        if migrate is None:
            return _failed(shown, f"unsupported file type `{path.suffix}`", "pass " + " or ".join(SUPPORTED_SUFFIXES) + " files")
        directives = suppressions.parse(source.text)
        notices = tuple(Problem(f"unknown rule code `{code}` in a `# migrator: ignore` comment", line, 1, "see `migrator rules`") for line, code in directives.unknown_codes(RULES))
        if directives.skip_file:
            return FileResult(shown, Outcome(Status.SKIPPED, skip_reason=SKIP_FILE), notices=notices)
        outcome = migrate(source.text, settings.options)
        if outcome.status is not Status.MIGRATED or outcome.new_text is None:
            return FileResult(shown, outcome, notices=notices)
        new_bytes = source.restore(outcome.new_text)
        if settings.mode is Mode.WRITE:
            write_atomic(real_path, new_bytes, original=raw)
        outcome = replace(outcome, new_text=None)
        if settings.mode is Mode.DIFF:
            return FileResult(shown, outcome, raw.decode("utf-8"), new_bytes.decode("utf-8"), notices)
        return FileResult(shown, outcome, notices=notices)
    except FileError as exc:
        return _failed(shown, exc.message, exc.hint)
    except OSError as exc:
        return _failed(shown, f"cannot read or write: {exc.strerror or exc}", "check permissions and free space")
    except Exception as exc:  # one file's bug must never stop the run
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return _failed(shown, f"internal error: {detail}", "please report this file")


def _failed(shown: str, message: str, hint: str) -> FileResult:
    return FileResult(shown, Outcome(Status.FAILED, problem=Problem(message, hint=hint)))


def _process_chunk(paths: Sequence[Path], settings: Settings) -> list[FileResult]:
    return [process_file(path, settings) for path in paths]


def worker_count(settings: Settings, files: int) -> int:
    jobs = settings.jobs or _available_cpus()
    return max(1, min(jobs, files // MIN_FILES_PER_WORKER))


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def run(settings: Settings, on_progress: ProgressCallback | None = None, stop: StopFlag | None = None) -> list[FileResult]:
    selected = select_files(settings)
    results: list[FileResult] = []
    # Interruption seam: a requested `stop` (Ctrl-C, SIGTERM) ends the stream after the files in hand, all
    # reported. A KeyboardInterrupt raised in this loop (a second Ctrl-C) closes the stream at once (the pool
    # cancels what has not started and is shut down) and leaves `results` holding every finished file.
    with closing(iter_results(selected, settings, stop)) as stream:
        for result in stream:
            results.append(result)
            if on_progress is not None:
                on_progress(len(results), len(selected))
    return results


def iter_results(selected: Sequence[tuple[Path, Problem | None]], settings: Settings, stop: StopFlag | None = None) -> Generator[FileResult, None, None]:
    """One result per selected path, in the order given; after a requested stop, only the files already in hand."""
    files = [path for path, problem in selected if problem is None]
    workers = worker_count(settings, len(files))
    processed = _in_process(files, settings, stop) if workers == 1 else _in_pool(files, settings, workers, stop)
    for path, problem in selected:
        if problem is not None:
            yield FileResult(display_path(path), Outcome(Status.FAILED, problem=problem))
            continue
        result = next(processed, None)
        if result is None:  # stopped
            return
        yield result


def _in_process(files: Iterable[Path], settings: Settings, stop: StopFlag | None) -> Iterator[FileResult]:
    for path in files:
        if stop is not None and stop.requested:
            return
        yield process_file(path, settings)


def _in_pool(files: Sequence[Path], settings: Settings, workers: int, stop: StopFlag | None) -> Iterator[FileResult]:
    size = max(1, min(MAX_CHUNK, len(files) // (workers * 4)))
    chunks = [files[start : start + size] for start in range(0, len(files), size)]
    # Workers leave Ctrl-C and SIGTERM to this process, which lets the chunks in hand finish.
    executor = ProcessPoolExecutor(max_workers=workers, initializer=ignore_stop_signals)
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
                    results.append(_failed(display_path(path), "the worker process died on this file", "please report this file"))
                    break
    return results


def exit_code(results: Iterable[FileResult], mode: Mode) -> int:
    statuses = [result.status for result in results]
    if Status.FAILED in statuses:
        return 2
    if mode is not Mode.WRITE and Status.MIGRATED in statuses:
        return 1
    return 0
