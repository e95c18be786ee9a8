"""Many paths in, one result per file out, in a stable order; writes only what verified.

Files are processed in-process for one job or a small run, else in chunks on a process pool. Workers get
paths and plain `Settings` only; every result is picklable data. A file that raises is that file's error,
and a worker that dies takes only the file it was on with it (the rest are re-run).
"""

from __future__ import annotations

import gc
import os
import traceback
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Generator, Iterable, Iterator, Sequence

from migrator import suppressions
from migrator.discovery import Excluder, discover
from migrator.engine import PYTHON_SUFFIXES, SUPPORTED_SUFFIXES, Outcome, Problem, Status, front_end
from migrator.files import FileError, decode, forget_resolved_folders, read_limited, resolve_inside, write_atomic
from migrator.interrupt import StopFlag
from migrator.rules import RULES
from migrator.settings import Mode, Settings

__all__ = ["FileResult", "Mode", "Settings", "exit_code", "process_file", "run", "select_files"]

SKIP_FILE = "skip-file"
# Below this many files per worker, starting the pool costs more than it saves.
MIN_FILES_PER_WORKER = 16

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
            return failed(shown, f"unsupported file type `{path.suffix}`", "pass " + " or ".join(SUPPORTED_SUFFIXES) + " files")
        directives = suppressions.parse(source.text, python=path.suffix in PYTHON_SUFFIXES)
        notices = tuple(Problem(f"unknown rule code `{code}` in a `# migrator: ignore` comment", line, 1, "see `migrator rules`") for line, code in directives.unknown_codes(RULES))
        if directives.skip_file:
            return FileResult(shown, Outcome(Status.SKIPPED, skip_reason=SKIP_FILE), notices=notices)
        outcome = migrate(source.text, settings.options)
        if outcome.status is not Status.MIGRATED or outcome.new_text is None:
            return FileResult(shown, outcome, notices=notices)
        # `migrate --verify`: a migrated recipe whose proof with the real libraries fails is not written.
        if settings.verify and path.suffix in (".yaml", ".yml"):
            from migrator.proof.verify import failed_proof

            why = failed_proof(outcome.new_text, shown)
            if why is not None:
                problem = Problem(why, hint="run `migrator verify` on the migrated file for details")
                unproven = replace(outcome, status=Status.FAILED, problem=problem, new_text=None)
                return FileResult(shown, unproven, notices=notices)
        new_bytes = source.restore(outcome.new_text)
        if settings.mode is Mode.WRITE:
            write_atomic(real_path, new_bytes, original=raw)
        outcome = replace(outcome, new_text=None)
        if settings.mode is Mode.DIFF:
            return FileResult(shown, outcome, raw.decode("utf-8"), new_bytes.decode("utf-8"), notices)
        return FileResult(shown, outcome, notices=notices)
    except FileError as exc:
        return failed(shown, exc.message, exc.hint)
    except OSError as exc:
        return failed(shown, f"cannot read or write: {exc.strerror or exc}", "check permissions and free space")
    except Exception as exc:  # one file's bug must never stop the run
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return failed(shown, f"internal error: {detail}", "please report this file")


def failed(shown: str, message: str, hint: str) -> FileResult:
    return FileResult(shown, Outcome(Status.FAILED, problem=Problem(message, hint=hint)))


def worker_count(settings: Settings, files: int) -> int:
    if settings.verify:
        return 1  # each proving process pays AutoModel's imports (about 5 s): prove in this one
    jobs = settings.jobs or _available_cpus()
    return max(1, min(jobs, files // MIN_FILES_PER_WORKER))


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


# Parsing allocates many short-lived containers that reference counting frees; the default gen-0 threshold
# (700) makes the cycle collector scan them again and again for nothing (about 7% of a run's time).
PARSING_GC_THRESHOLD = (50_000, 20, 20)


@contextmanager
def tuned_for_parsing() -> Iterator[None]:
    previous = gc.get_threshold()
    gc.set_threshold(*PARSING_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def run(settings: Settings, on_progress: ProgressCallback | None = None, stop: StopFlag | None = None) -> list[FileResult]:
    with tuned_for_parsing():
        return _run(settings, on_progress, stop)


def _run(settings: Settings, on_progress: ProgressCallback | None, stop: StopFlag | None) -> list[FileResult]:
    forget_resolved_folders()
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
    if workers == 1:
        processed = _in_process(files, settings, stop)
    else:
        from migrator import pool  # multiprocessing is imported only for runs that use it

        processed = pool.in_pool(files, settings, workers, stop)
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


def exit_code(results: Iterable[FileResult], mode: Mode) -> int:
    statuses = [result.status for result in results]
    if Status.FAILED in statuses:
        return 2
    if mode is not Mode.WRITE and Status.MIGRATED in statuses:
        return 1
    return 0
