"""Which files a run processes: folders searched (git's view when inside a work tree), excludes applied.

Inside a git work tree a folder yields the files git tracks or would track (`git ls-files -co
--exclude-standard`: `.gitignore`, `.git/info/exclude` and the global excludes respected); elsewhere, or
with `respect_gitignore=False`, the folder is walked. Either way virtualenv, cache and VCS folders are
skipped and the `exclude` globs apply. A file named on the command line is always processed unless
`force_exclude` is set (pre-commit passes every staged file by name).
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

# Folders that never hold a user's recipes but can hold thousands of YAML files.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "env", "__pycache__", "node_modules", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages"})


@dataclass(frozen=True)
class Found:
    path: Path
    missing: bool = False  # named on the command line but does not exist


class Excluder:
    """`exclude` globs, matched against the path relative to the project root, each parent folder, and each name.

    So `legacy` drops every file under any folder named legacy, `examples/old/*` one folder's files, and
    `*.tmpl.yaml` a name anywhere. `*` also matches `/` (fnmatch semantics).
    """

    def __init__(self, globs: Iterable[str], root: str | os.PathLike[str]) -> None:
        patterns = [fnmatch.translate(glob.rstrip("/")) for glob in globs if glob.strip("/")]
        self._regex = re.compile("|".join(patterns)) if patterns else None
        self._root = Path(root).resolve()

    def __bool__(self) -> bool:
        return self._regex is not None

    def excludes(self, path: Path) -> bool:
        if self._regex is None:
            return False
        absolute = Path(os.path.abspath(path))
        try:
            parts = absolute.relative_to(self._root).parts
        except ValueError:
            parts = absolute.parts[1:]
        match = self._regex.fullmatch
        return any(match(name) for name in parts) or any(match("/".join(parts[:end])) for end in range(2, len(parts) + 1))


def discover(paths: Iterable[str], suffixes: tuple[str, ...], excluder: Excluder, force_exclude: bool = False, respect_gitignore: bool = True) -> Iterator[Found]:
    """Each file once, in command-line order, each folder's files sorted; missing paths reported in place."""
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found: Iterable[Path] = sorted(_search(path, suffixes, excluder, respect_gitignore))
        elif path.is_file():
            found = [] if force_exclude and excluder.excludes(path) else [path]
        else:
            yield Found(path, missing=True)
            continue
        for file in found:
            key = os.path.realpath(file)
            if key not in seen:
                seen.add(key)
                yield Found(file)


def _search(folder: Path, suffixes: tuple[str, ...], excluder: Excluder, respect_gitignore: bool) -> Iterable[Path]:
    listed = _git_files(folder) if respect_gitignore else None
    if listed is None:
        return _walk(folder, suffixes, excluder)
    return (
        folder / name
        for name in listed
        if name.endswith(suffixes)
        and not any(part in SKIPPED_DIRS for part in name.split("/")[:-1])
        # Tracked files deleted from the work tree are still listed; submodules are listed as folders.
        and os.path.isfile(folder / name)
        and not excluder.excludes(folder / name)
    )


def _git_files(folder: Path) -> list[str] | None:
    """Paths (relative to `folder`) git tracks or would track, or None when not in a work tree or no git."""
    try:
        listing = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    names = listing.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [name for name in dict.fromkeys(names) if name]  # an unmerged file is listed once per stage


def _walk(root: Path, suffixes: tuple[str, ...], excluder: Excluder) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name not in SKIPPED_DIRS and not excluder.excludes(Path(folder, name))]
        for name in files:
            if name.endswith(suffixes) and not excluder.excludes(Path(folder, name)):
                yield Path(folder, name)
