"""Many paths in, one result per file out, in a stable order; writes only what verified.

Files are processed in-process for one job or a small run, else in chunks on a process pool. Workers get
paths and plain `Settings` only; every result is picklable data. A file that raises is that file's error,
and a worker that dies takes only the file it was on with it (the rest are re-run).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing
from pathlib import Path

from migrator import config
from migrator.core.outcome import FileResult, Outcome, Problem, Status
from migrator.core.settings import Mode, Settings
from migrator.discovery import EitherExcluder, Excluder, Excludes, NearestExcluder, discover
from migrator.files import display_path, forget_resolved_folders
from migrator.interrupt import StopFlag
from migrator.process import SUPPORTED_SUFFIXES, process_file, tuned_for_parsing

# Below this many files per worker, starting the pool costs more than it saves.
MIN_FILES_PER_WORKER = 16

ProgressCallback = Callable[[int, int], None]  # (files done, files in total)


def select_files(
    settings: Settings, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES, matched: set[str] | None = None
) -> list[tuple[Path, Problem | None]]:
    """Every file with one of `suffixes` the run will process (a missing path carries its problem), in output order.
    `matched` receives the `exclude`/`extend_exclude` globs of `settings` that excluded something."""
    flat = Excluder(settings.exclude, settings.root)
    excluder: Excludes = flat
    if settings.overrides is not None and dict(settings.overrides).get("exclude") is None:
        excluder = NearestExcluder(_project_excluder)
    extended = Excluder(settings.extend_exclude, settings.root)
    if settings.extend_exclude:
        excluder = EitherExcluder((excluder, extended))
    found = list(discover(settings.paths, suffixes, excluder, settings.force_exclude, settings.respect_gitignore))
    if matched is not None:
        matched |= flat.matched | extended.matched
    return [
        (item.path, Problem("no such file or directory", hint="check the path") if item.missing else None)
        for item in found
    ]


def select_and_warn(
    settings: Settings,
    suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES,
    on_warning: Callable[[str], None] | None = None,
) -> list[tuple[Path, Problem | None]]:
    """`select_files`, telling `on_warning` of each exclude glob given on the command line that matched nothing
    (a typo there would silently check files meant to be left out), and when no file at all was found (a run that
    looked at nothing must not pass for a clean one unnoticed)."""
    matched: set[str] = set()
    selected = select_files(settings, suffixes, matched)
    if on_warning is None:
        return selected
    for glob in settings.given_globs:
        if glob not in matched:
            on_warning(f"exclude glob `{glob}` matched nothing (globs match paths relative to {settings.root})")
    if not selected:
        kinds = ", ".join(f"*{suffix}" for suffix in suffixes)
        on_warning(f"no file found to check ({kinds}) under the given paths, after excludes and .gitignore")
    return selected


def _project_excluder(folder: Path) -> Excluder:
    """The excludes of the project `folder` lies in; none where its table is invalid (its files fail, saying why)."""
    try:
        project = config.nearest(folder)
    except config.ConfigError:
        return _excluder((), folder)
    return _excluder(tuple(project.values.get("exclude", ())), project.root)


@functools.cache
def _excluder(globs: tuple[str, ...], root: Path) -> Excluder:
    return Excluder(globs, root)


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


def run(
    settings: Settings,
    on_progress: ProgressCallback | None = None,
    stop: StopFlag | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> list[FileResult]:
    with tuned_for_parsing():
        return _run(settings, on_progress, stop, on_warning)


def _run(
    settings: Settings,
    on_progress: ProgressCallback | None,
    stop: StopFlag | None,
    on_warning: Callable[[str], None] | None,
) -> list[FileResult]:
    forget_resolved_folders()
    config.forget()
    _excluder.cache_clear()
    selected = select_and_warn(settings, on_warning=on_warning)
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


def iter_results(
    selected: Sequence[tuple[Path, Problem | None]], settings: Settings, stop: StopFlag | None = None
) -> Generator[FileResult, None, None]:
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
    """2 a file failed; 1 open findings remain (any mode) or changes are pending (--check, --diff); else 0."""
    results = list(results)
    statuses = {result.status for result in results}
    if Status.FAILED in statuses:
        return 2
    if any(result.open for result in results):
        return 1
    if mode is not Mode.WRITE and Status.MIGRATED in statuses:
        return 1
    return 0
