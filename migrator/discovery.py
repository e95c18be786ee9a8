"""Which files a run processes: folders searched (git's view when inside a work tree), excludes applied.

Inside a git work tree a folder yields the files git tracks or would track (`git ls-files -co
--exclude-standard`: `.gitignore`, `.git/info/exclude` and the global excludes respected); elsewhere, or
with `respect_gitignore=False`, the folder is walked. Either way virtualenvs (`.venv`, `venv`, or any folder
holding a `pyvenv.cfg`), cache and VCS folders are skipped and the `exclude` globs apply. A file named on the command line is always processed unless
`force_exclude` is set (pre-commit passes every staged file by name).
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Union

# Folders that never hold a user's recipes but can hold thousands of YAML files.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "__pycache__",
        "node_modules",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
    }
)


# Any other folder is a virtualenv, and skipped, when it holds one's marker file (`env/` is often a source package).
VIRTUALENV_MARKER = "pyvenv.cfg"


def _skipped(folder: Path) -> bool:
    return folder.name in SKIPPED_DIRS or (folder / VIRTUALENV_MARKER).is_file()


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
        patterns = {glob: fnmatch.translate(glob.rstrip("/")) for glob in globs if glob.strip("/")}
        self._regex = re.compile("|".join(patterns.values())) if patterns else None
        self._each = [(glob, re.compile(pattern)) for glob, pattern in patterns.items()]
        self._root = Path(root).resolve()
        self.matched: set[str] = set()  # the globs that excluded something, so a run can name those that did not

    def excludes(self, path: Path) -> bool:
        return self.under(path.parent)(path.name)

    def under(self, folder: Path) -> Callable[[str], bool]:
        """A test for paths relative to `folder` (`a/b.yaml`), with the folder's own position computed once."""
        if self._regex is None:
            return _never
        absolute = Path(os.path.abspath(folder))
        try:
            prefix = absolute.relative_to(self._root).parts
        except ValueError:
            prefix = absolute.parts[1:]
        match = self._regex.fullmatch

        def excludes(relative: str) -> bool:
            parts = (*prefix, *relative.split("/"))
            candidates = (*parts, *("/".join(parts[:end]) for end in range(2, len(parts) + 1)))
            hit = next((candidate for candidate in candidates if match(candidate)), None)
            if hit is None:
                return False
            self.matched.update(glob for glob, regex in self._each if regex.fullmatch(hit))
            return True

        return excludes


class NearestExcluder:
    """Each path excluded by the globs of the project it lies in (the closest `[tool.migrator]`), as ruff does."""

    def __init__(self, excluder_for: Callable[[Path], Excluder]) -> None:
        self._excluder_for = excluder_for  # a folder's project's Excluder

    def excludes(self, path: Path) -> bool:
        return self._excluder_for(path.parent).excludes(path)

    def under(self, folder: Path) -> Callable[[str], bool]:
        tests: dict[str, Callable[[str], bool]] = {}  # one per directory: its project and position, found once

        def excludes(relative: str) -> bool:
            head, _, name = relative.rpartition("/")
            test = tests.get(head)
            if test is None:
                directory = folder / head if head else folder
                test = tests[head] = self._excluder_for(directory).under(directory)
            return test(name)

        return excludes


class EitherExcluder:
    """A path excluded by any of several excluders (`exclude` and `extend-exclude`)."""

    def __init__(self, excluders: tuple[Excluder | NearestExcluder, ...]) -> None:
        self._excluders = excluders

    def excludes(self, path: Path) -> bool:
        return any(excluder.excludes(path) for excluder in self._excluders)

    def under(self, folder: Path) -> Callable[[str], bool]:
        tests = [excluder.under(folder) for excluder in self._excluders]
        return lambda relative: any(test(relative) for test in tests)


Excludes = Union[Excluder, NearestExcluder, EitherExcluder]


def _never(relative: str) -> bool:
    return False


def discover(
    paths: Iterable[str],
    suffixes: tuple[str, ...],
    excluder: Excludes,
    force_exclude: bool = False,
    respect_gitignore: bool = True,
) -> Iterator[Found]:
    """Each file once, in command-line order, each folder's files sorted; missing paths reported in place."""
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Resolving the folder once (not every file) still catches overlapping arguments (`a/ a/b/`).
            base = os.path.realpath(path)
            names = sorted(
                _search(path, suffixes, excluder.under(path), respect_gitignore), key=lambda name: name.split("/")
            )
            found = [(path / name, os.path.join(base, name)) for name in names]
        elif path.is_file():
            found = [] if force_exclude and excluder.excludes(path) else [(path, os.path.realpath(path))]
        else:
            yield Found(path, missing=True)
            continue
        for file, key in found:
            if key not in seen:
                seen.add(key)
                yield Found(file)


def _search(
    folder: Path, suffixes: tuple[str, ...], excludes: Callable[[str], bool], respect_gitignore: bool
) -> Iterable[str]:
    """Names relative to `folder` (with `/`) of the files to process under it."""
    listed = _git_files(folder) if respect_gitignore else None
    if listed is None:
        return _walk(folder, suffixes, excludes)
    virtualenvs = {name.rsplit("/", 1)[0] for name in listed if name.endswith("/" + VIRTUALENV_MARKER)}
    return (
        name
        for name in listed
        if name.lower().endswith(suffixes)
        and not any(part in SKIPPED_DIRS for part in name.split("/")[:-1])
        and not any(name.startswith(venv + "/") for venv in virtualenvs)
        # Tracked files deleted from the work tree are still listed; submodules are listed as folders.
        and os.path.isfile(folder / name)
        and not excludes(name)
    )


def _in_work_tree(folder: Path) -> bool:
    """Whether git may see `folder` as part of a work tree: a `.git` in it or above it, or git told where by the
    environment. Saves starting git (milliseconds) for a folder outside any repository."""
    if "GIT_DIR" in os.environ or "GIT_WORK_TREE" in os.environ:
        return True
    current = os.path.realpath(folder)  # git looks upwards from the real folder, as its `-C` enters it
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return True
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent


def _git_files(folder: Path) -> list[str] | None:
    """Paths (relative to `folder`) git tracks or would track, or None when not in a work tree or no git."""
    if not _in_work_tree(folder):
        return None
    import subprocess  # only folders in a repository need git

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


def _walk(root: Path, suffixes: tuple[str, ...], excludes: Callable[[str], bool]) -> Iterator[str]:
    for folder, dirs, files in os.walk(root):
        relative = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        dirs[:] = [name for name in dirs if not _skipped(Path(folder, name)) and not excludes(prefix + name)]
        for name in files:
            if name.lower().endswith(suffixes) and not excludes(prefix + name):
                yield prefix + name
