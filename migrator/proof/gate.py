"""`migrate --verify`: the proof as a gate before a migrated recipe is written, with one prover per process."""

from __future__ import annotations

import time

from migrator.proof.prove import Prover, Verdict
from migrator.proof.report import FAILING

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


def start_up_seconds() -> float:
    """What building the shared prover cost (AutoModel's imports), for the report."""
    return _start_up_seconds


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
