"""`migrator verify` and `migrate --verify`: find the YAML recipes, prove each in one process, collect a `Run`."""

from __future__ import annotations

import time
from importlib import metadata
from pathlib import Path
from typing import Sequence

from migrator.proof import te_signature
from migrator.proof.prove import Proof, Prover, Verdict
from migrator.proof.report import FAILING, Run
from migrator.runner import display_path, select_files
from migrator.settings import Settings

YAML_SUFFIXES = (".yaml", ".yml")
_prover: Prover | None = None
_start_up_seconds = 0.0


def shared_prover() -> Prover:
    """One prover per process: AutoModel's imports (about 5 s) are paid once however many files are proven."""
    global _prover, _start_up_seconds
    if _prover is None:
        started = time.perf_counter()
        _prover = Prover()
        _start_up_seconds = time.perf_counter() - started
    return _prover


def verify_paths(paths: Sequence[str], pattern: str | None) -> Run:
    selected = select_files(Settings(tuple(paths)), YAML_SUFFIXES)
    prover = shared_prover()
    started = time.perf_counter()
    proofs = [_proof(prover, path, problem is not None) for path, problem in selected]
    placeholders = tuple(sorted({name for proof in proofs for name in proof.placeholders}))
    seconds = time.perf_counter() - started
    return Run(proofs, pattern, versions(prover, proofs), seconds, _start_up_seconds, placeholders)


def _proof(prover: Prover, path: Path, missing: bool) -> Proof:
    shown = display_path(path)
    if missing:
        return Proof(shown, Verdict.COULD_NOT_LOAD, "no such file or directory")
    if path.suffix not in YAML_SUFFIXES:  # named on the command line; Python launch scripts are not proven
        return Proof(shown, Verdict.NOT_APPLICABLE, "not a YAML recipe (verify proves YAML recipes)")
    return prover.prove_file(path, shown)


def versions(prover: Prover, proofs: Sequence[Proof]) -> dict[str, str]:
    found = {name: _version(name) for name in ("nemo-automodel", "torch", "transformers")}
    if prover.real_te_version is not None:
        found["transformer-engine"] = f"{prover.real_te_version} (imported, stepped on CUDA)"
    elif any(proof.optimizer == "FusedAdam" for proof in proofs):
        found["transformer-engine"] = f"{te_signature.load().version} (signature read from its source, not imported)"
    return found


def failed_proof(text: str, shown: str) -> str | None:
    """For `migrate --verify`: why the migrated `text` must not be written, or None when its proof holds."""
    proof = shared_prover().prove_text(text, shown)
    if proof.verdict is Verdict.COULD_NOT_LOAD:
        return f"proof failed: {proof.label}"
    if proof.verdict in FAILING:
        state = (
            f"storage {proof.storage_dtype}, {proof.optimizer} exp_avg {proof.exp_avg}, exp_avg_sq {proof.exp_avg_sq}"
        )
        return f"proof failed: {proof.label} ({state})"
    return None


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"
