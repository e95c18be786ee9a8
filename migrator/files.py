"""Reading config files as text (keeping BOM and line endings) and writing them back atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

BOM = "\ufeff"


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
    if b"\x00" in raw:
        raise FileError("binary file (contains NUL bytes)", "only UTF-8 YAML and Python files can be migrated")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(f"not UTF-8 (byte {exc.start})", "re-encode the file as UTF-8") from None
    if text.startswith(BOM):
        return SourceText(text[1:], True)
    return SourceText(text, False)


def read_source(path: Path) -> SourceText:
    try:
        return decode(path.read_bytes())
    except OSError as exc:
        raise FileError(f"cannot read: {exc.strerror}", "check the path and its permissions") from None


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file in the target's folder, fsync, rename over: the file is old or new, never half."""
    target = path.resolve()
    mode = stat.S_IMODE(target.stat().st_mode)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".migrator-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
