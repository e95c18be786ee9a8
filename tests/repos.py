"""Temporary project trees for CLI and discovery tests: files from a dict, optionally a git work tree."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import FIXTURES

RISKY = (FIXTURES / "fp32" / "unset_dtype_inserted" / "input.yaml").read_text()
RISKY_MIGRATED_FP32 = (FIXTURES / "fp32" / "unset_dtype_inserted" / "expected.yaml").read_text()
CLEAN = (FIXTURES / "fp32" / "already_fp32_unchanged" / "input.yaml").read_text()
BROKEN = "model:\n  torch_dtype: bf16\noptimizer: [unclosed\n"
# Risky under pattern te and left unchanged there (TE state is not sharded by TP): an open finding.
RISKY_TP = RISKY.replace("  dp_size: none\n", "  dp_size: none\n  tp_size: 2\n")
RISKY_TP_SUPPRESSED = RISKY.replace("  dp_size: none\n", "  dp_size: none\n  tp_size: 2  # migrator: ignore[MIG102]\n")
# The storage dtype is read from the environment when AutoModel loads the config: undecidable, open.
INTERPOLATED = RISKY.replace("  backend:\n", "  torch_dtype: ${oc.env:DTYPE,bf16}\n  backend:\n")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def make_tree(root: Path, files: Mapping[str, str], git_repo: bool = False) -> Path:
    if git_repo:
        git(root, "init", "-q")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def commit_all(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "fixtures")
