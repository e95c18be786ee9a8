"""Reading config files as text (keeping BOM and line endings) and writing them back atomically.

A file is only ever replaced by a rename of a complete temporary file flushed to disk, so whatever happens
(an exception, a full disk, SIGKILL) the path holds either the old or the new bytes.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath

from migrator.core.settings import DEFAULT_MAX_FILE_SIZE

BOM = "\ufeff"
# Real recipes are under 50 KB; a YAML file 20x that size is data, not a config, and libyaml's node tree
# for it already costs tens of MB.
# Never ends in .yaml/.yml/.py, so no tool (this one included) mistakes a leftover for a config.
TEMP_SUFFIX = ".migrator-tmp"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class FileError(Exception):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class SourceText:
    """A file's text without its BOM; `restore` gives the exact bytes back for any text."""

    text: str
    bom: bool

    def restore(self, text: str) -> bytes:
        return ((BOM if self.bom else "") + text).encode("utf-8")


def decode(raw: bytes) -> SourceText:
    if raw.startswith(_UTF16_BOMS):
        raise FileError("UTF-16 encoded", "re-encode the file as UTF-8 (AutoModel reads recipes as UTF-8)")
    if b"\x00" in raw:
        raise FileError("binary file (contains NUL bytes)", "only UTF-8 YAML and Python files can be migrated")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FileError(f"not UTF-8 (byte {exc.start}, line {line})", "re-encode the file as UTF-8") from None
    if text.startswith(BOM):
        return SourceText(text[1:], True)
    return SourceText(text, False)


def _os_error(action: str, exc: OSError) -> FileError:
    hints = {
        errno.ENOSPC: "free some disk space and run again",
        errno.EDQUOT: "free some disk quota and run again",
        errno.EROFS: "the file system is mounted read-only",
        errno.EACCES: "check the file's and its folder's permissions",
        errno.EPERM: "check the file's and its folder's permissions",
    }
    return FileError(
        f"cannot {action}: {exc.strerror or exc}", hints.get(exc.errno or 0, "check the path and its permissions")
    )


@functools.lru_cache(maxsize=4096)
def _real_folder(folder: Path) -> Path:
    return folder.resolve(strict=True)


def forget_resolved_folders() -> None:
    """Start a run afresh: a folder may have become a link since the last run in this process."""
    _real_folder.cache_clear()


def _real_path(path: Path) -> Path:
    """`path.resolve(strict=True)`, with each folder resolved once per run: most files are not links."""
    try:
        if not path.is_symlink():
            return _real_folder(path.parent.absolute()) / path.name  # absolute: the cache must not depend on the cwd
    except OSError:
        pass  # the full resolution below raises the precise error
    return path.resolve(strict=True)


def _inside(target: Path, root: Path) -> bool:
    """`target == root or root in target.parents`, on the strings: both are resolved, so lexical is exact."""
    target_text, root_text = str(target), str(root)
    return target_text == root_text or target_text.startswith(root_text.rstrip(os.sep) + os.sep)


def resolve_inside(path: Path, roots: Iterable[Path]) -> Path:
    """The real file behind `path`; refuse a symlink that leads out of every scanned root (empty: no limit)."""
    try:
        target = _real_path(path)
    except FileNotFoundError:
        raise FileError("dangling symlink" if path.is_symlink() else "no such file", "check the path") from None
    except (RuntimeError, OSError) as exc:  # a loop is RuntimeError before Python 3.13, ELOOP after
        if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
            raise FileError("symlink loop", "fix or remove the link") from None
        raise _os_error("resolve the path", exc) from None
    roots = tuple(roots)
    if roots and not any(_inside(target, root) for root in roots):
        raise FileError(
            f"symlink leads outside the scanned folders (to {target})",
            "pass the target's folder to migrate it there, or replace the link with a copy",
        )
    return target


def read_limited(path: Path, max_size: int) -> bytes:
    """A regular file's bytes, refusing special files (a FIFO would block) and files over `max_size`."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _os_error("read", exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileError("not a regular file", "only regular YAML files can be migrated")
        if info.st_size > max_size:
            raise FileError(
                f"{info.st_size:,} bytes, over the size limit of {max_size:,}",
                "no recipe is this large; if this one is, raise --max-file-size",
            )
        chunks = []
        size = 0
        while size <= max_size:  # one read for a regular file; a short read only if it grows meanwhile
            chunk = os.read(fd, max_size + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise _os_error("read", exc) from None
    finally:
        os.close(fd)
    if size > max_size:  # grew since fstat
        raise FileError(f"over the size limit of {max_size:,} bytes", "raise --max-file-size if this is a recipe")
    return b"".join(chunks)


def read_source(path: Path) -> SourceText:
    return decode(read_limited(path, DEFAULT_MAX_FILE_SIZE))


def write_atomic(path: Path, data: bytes, original: bytes | None = None) -> None:
    """Temp file in the target's folder, flushed to disk, renamed over: the file is old or new, never half.

    A symlink is written through (the link stays a link); mode bits, and owner where permitted, are kept.
    With `original`, a file edited by someone else since it was read is left alone rather than overwritten.
    Any failure is a FileError and leaves the file and its folder as they were.
    """
    target = resolve_inside(path, ())
    try:
        info = target.stat()
        changed = original is not None and (info.st_size != len(original) or target.read_bytes() != original)
    except OSError as exc:
        raise _os_error("write", exc) from None
    if changed:
        raise FileError("file changed while migrate was running", "run migrate again on it")
    # os.replace only needs the folder to be writable: honour the file's own read-only bit ourselves.
    if not info.st_mode & stat.S_IWUSR or not os.access(target, os.W_OK):
        raise FileError("file is read-only", "make it writable (chmod u+w) to migrate it, or leave it out")
    import tempfile  # only write runs need it

    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:64]}.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise _os_error(f"create a temporary file in {target.parent}", exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(fd, stat.S_IMODE(info.st_mode))
            _keep_owner(fd, info)
            handle.write(data)
            handle.flush()
            _flush_data(fd)
        os.replace(temp, target)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _os_error("write", exc) from None
        raise


def _flush_data(fd: int) -> None:
    """The file's bytes (and the size needed to read them back) on disk before the rename: fdatasync, which
    skips the timestamps fsync would also write, where the system has it."""
    getattr(os, "fdatasync", os.fsync)(fd)


def _keep_owner(fd: int, info: os.stat_result) -> None:
    if hasattr(os, "fchown") and (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(
            OSError
        ):  # only root may give a file away; the new file is then ours, like any editor's
            os.fchown(fd, info.st_uid, info.st_gid)


def display_path(path: Path) -> str:
    if not path.is_absolute():
        return Path(os.path.normpath(path)).as_posix()
    cwd = os.getcwd()
    text = str(path)
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    if text.startswith(prefix):  # as `path.relative_to(Path.cwd())`, without building two paths per file
        return PurePath(text[len(prefix) :]).as_posix()
    return path.as_posix()
