"""What one run was asked to do, as plain frozen data: cheap to import, to build and to pickle.

Worker processes receive a `Settings` with every file chunk, so nothing here may hold rule objects,
callables or open resources.
"""

from __future__ import annotations

import enum
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from migrator import patterns

DEFAULT_MAX_FILE_SIZE = 1024 * 1024


@dataclass(frozen=True)
class Options:
    """What the engine needs to decide one file's migration."""

    pattern: str = patterns.DEFAULT
    convert: bool = False
    force: bool = False
    include_peft: bool = False
    assume_bf16_storage: bool = False  # a storage dtype the file cannot prove (a checkpoint's) is taken as bf16
    include_tests: bool = False  # also edit Python test code (else it is reported only)
    ignored: frozenset[str] = (
        frozenset()
    )  # rule codes not selected (--select/--ignore): as if suppressed everywhere, unreported


@dataclass(frozen=True)
class Shown:
    """What the human report shows."""

    verbose: bool = False  # notes for files that needed nothing, reasons for non-recipes
    quiet: bool = False  # findings and problems only: no summary line
    statistics: bool = False  # one line per rule with its count, instead of one per finding
    peft_option: str = "--include-peft"  # the command's option that takes PEFT configs in (generate: --peft)


class Mode(enum.Enum):
    WRITE = "write"
    CHECK = "check"
    DIFF = "diff"


@dataclass(frozen=True)
class Settings:
    paths: tuple[str, ...]
    options: Options = field(default_factory=Options)
    mode: Mode = Mode.WRITE
    jobs: int | None = None  # None: one per available CPU
    exclude: tuple[str, ...] = ()  # globs, matched relative to `root`
    force_exclude: bool = False  # apply `exclude` to paths named on the command line too
    respect_gitignore: bool = True
    root: str = "."  # the project root: the folder of the pyproject.toml the settings came from
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes; larger files fail unparsed
    verify: bool = False  # prove each migrated YAML with AutoModel before it is written (migrator.proof)
    # Per-file settings (as ruff): the options given on the command line, laid over the closest
    # `[tool.migrator]` of each file. None: `options` and `exclude` hold for every file (`--config`, the API).
    overrides: tuple[tuple[str, object], ...] | None = None
    # Globs excluded on top of `exclude` (or of each file's project's), matched relative to `root`.
    extend_exclude: tuple[str, ...] = ()
    given_globs: tuple[str, ...] = ()  # --exclude/--extend-exclude globs: the run warns about any that match nothing

    @functools.cached_property
    def roots(self) -> tuple[Path, ...]:
        """The scanned paths, resolved: no symlink may lead a read or write out of them."""
        return tuple(Path(os.path.realpath(path)) for path in self.paths)
