"""Without the `verify` extra the core tool runs as before, and the proof commands say which extra to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HINT = "from the optional `verify` extra: pip install 'automodel-precision-migrator[verify]'"
# Block the extra's modules in a fresh interpreter, whether or not this environment has them.
PROBE = (
    "import sys; sys.modules['nemo_automodel'] = sys.modules['torch'] = None; "
    "from migrator.cli import {entry}; sys.exit({entry}(sys.argv[1:]))"
)


@pytest.mark.parametrize(
    ("entry", "args"),
    [
        ("group_main", ["verify", "x.yaml"]),
        ("group_main", ["demo", "--steps", "1"]),
        ("main", ["--verify", "--check", "x.yaml"]),
    ],
)
def test_proof_commands_name_the_extra_and_exit_2(entry: str, args: list[str], tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(entry=entry), *args], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 2
    assert HINT in done.stderr
