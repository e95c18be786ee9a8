"""Many paths in, one result per file out, in a stable order; writes only what verified."""

from __future__ import annotations

import enum
import os
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from migrator.engine import PYTHON_SUFFIXES, YAML_SUFFIXES, Outcome, Problem, Status, front_end
from migrator.files import FileError, decode, write_atomic
from migrator.rules import Options

# Folders that never hold a user's recipes but can hold thousands of YAML files.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "env", "__pycache__", "node_modules", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages"})


class Mode(enum.Enum):
    WRITE = "write"
    CHECK = "check"
    DIFF = "diff"


@dataclass(frozen=True)
class Settings:
    paths: tuple[str, ...]
    options: Options
    mode: Mode = Mode.WRITE


@dataclass(frozen=True)
class FileResult:
    path: str  # as shown to the user
    outcome: Outcome
    before: str | None = None  # full decoded text (BOM included) when the file changed
    after: str | None = None

    @property
    def status(self) -> Status:
        return self.outcome.status


def display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: Iterable[str]) -> Iterator[tuple[Path, Problem | None]]:
    """Every YAML file under the paths, sorted and once each; a missing path is a problem."""
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(_walk(path))
        elif path.is_file():
            found = [path]
        else:
            yield path, Problem("no such file or directory", hint="check the path")
            continue
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file, None


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name not in SKIPPED_DIRS]
        for name in files:
            if name.endswith(YAML_SUFFIXES + PYTHON_SUFFIXES):
                yield Path(folder, name)


def process_file(path: Path, settings: Settings) -> FileResult:
    shown = display_path(path)
    try:
        raw = path.read_bytes()
        source = decode(raw)
        migrate = front_end(path.suffix)
        if migrate is None:
            return FileResult(shown, Outcome(Status.FAILED, problem=Problem(f"unsupported file type `{path.suffix}`", hint="pass .yaml or .yml files")))
        outcome = migrate(source.text, settings.options)
        if outcome.status is not Status.MIGRATED or outcome.new_text is None:
            return FileResult(shown, outcome)
        new_bytes = source.restore(outcome.new_text)
        if settings.mode is Mode.WRITE:
            write_atomic(path, new_bytes)
        return FileResult(shown, outcome, raw.decode("utf-8"), new_bytes.decode("utf-8"))
    except FileError as exc:
        return FileResult(shown, Outcome(Status.FAILED, problem=Problem(exc.message, hint=exc.hint)))
    except OSError as exc:
        return FileResult(shown, Outcome(Status.FAILED, problem=Problem(f"cannot read or write: {exc.strerror or exc}", hint="check permissions and free space")))
    except Exception as exc:  # one file's bug must never stop the run
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return FileResult(shown, Outcome(Status.FAILED, problem=Problem(f"internal error: {detail}", hint="please report this file")))


def run(settings: Settings) -> list[FileResult]:
    results = []
    for path, problem in discover(settings.paths):
        if problem is not None:
            results.append(FileResult(display_path(path), Outcome(Status.FAILED, problem=problem)))
        else:
            results.append(process_file(path, settings))
    return results


def exit_code(results: Iterable[FileResult], mode: Mode) -> int:
    statuses = [result.status for result in results]
    if Status.FAILED in statuses:
        return 2
    if mode is not Mode.WRITE and Status.MIGRATED in statuses:
        return 1
    return 0
