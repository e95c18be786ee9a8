"""`migrator verify` and `migrate --verify`: find the YAML recipes, prove each in one process, collect a `Run`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from migrator.core.settings import Settings
from migrator.files import display_path
from migrator.proof import gate, te_signature
from migrator.proof.prove import Proof, Prover, Verdict
from migrator.proof.report import Run
from migrator.runner import select_files

YAML_SUFFIXES = (".yaml", ".yml")


def verify_paths(paths: Sequence[str], pattern: str | None) -> Run:
    selected = select_files(Settings(tuple(paths)), YAML_SUFFIXES)
    prover = gate.shared_prover()
    started = time.perf_counter()
    proofs = [_proof(prover, path, problem is not None) for path, problem in selected]
    placeholders = tuple(sorted({name for proof in proofs for name in proof.placeholders}))
    seconds = time.perf_counter() - started
    return Run(proofs, pattern, versions(prover, proofs), seconds, gate.start_up_seconds(), placeholders)


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


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"
