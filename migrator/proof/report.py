"""`migrator verify` output: one line per config (text) or one object per config (JSON), a summary, the exit code."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from migrator import __version__
from migrator.proof.prove import Proof, Verdict

FAILING = frozenset({Verdict.LOW_PRECISION_STATE, Verdict.NO_MASTER_WEIGHTS})


@dataclass(frozen=True)
class Run:
    """What one verify run proved, with the facts a reader needs to trust it."""

    proofs: Sequence[Proof]
    pattern: str | None  # the pattern every applicable config must be on (--pattern), or either
    versions: dict[str, str]  # library -> version (TE: the release whose signature was read, or "not used")
    seconds: float  # proving the configs, after start-up
    start_up_seconds: float  # importing torch and AutoModel, once per process
    placeholders: tuple[str, ...] = field(default=())  # credential variables set to a placeholder inside verify

    def off_pattern(self, proof: Proof) -> bool:
        return self.pattern is not None and proof.pattern is not None and proof.pattern != self.pattern


def exit_code(run: Run) -> int:
    """2 any config could not be loaded; 1 any kept low-precision state (or is off --pattern); else 0."""
    verdicts = {proof.verdict for proof in run.proofs}
    if Verdict.COULD_NOT_LOAD in verdicts:
        return 2
    if verdicts & FAILING or any(run.off_pattern(proof) for proof in run.proofs):
        return 1
    return 0


def render_text(run: Run) -> str:
    lines = [_text_line(run, proof) for proof in run.proofs]
    return "\n".join([*lines, *summary_lines(run)]) + "\n"


def summary_lines(run: Run) -> list[str]:
    counts = Counter(_summary_key(proof) for proof in run.proofs)
    per_verdict = ", ".join(f"{count} {verdict}" for verdict, count in counts.most_common())
    versions = ", ".join(f"{name} {version}" for name, version in run.versions.items())
    timing = f"{run.seconds:.1f} s (after {run.start_up_seconds:.1f} s of start-up)"
    lines = [f"{len(run.proofs)} configs verified in {timing}: {per_verdict or 'none'}", f"with {versions}"]
    if run.placeholders:
        lines.append(f"placeholder values were set inside verify only for the unset {', '.join(run.placeholders)}")
    return lines


def render_json(run: Run) -> str:
    document = {
        "tool": {"name": "migrator", "version": __version__},
        "command": "verify",
        "pattern": run.pattern,
        "versions": run.versions,
        "placeholder_env": list(run.placeholders),
        "summary": dict(Counter(_summary_key(proof) for proof in run.proofs)),
        "seconds": round(run.seconds, 3),
        "start_up_seconds": round(run.start_up_seconds, 3),
        "exit_code": exit_code(run),
        "files": [_json_file(run, proof) for proof in run.proofs],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _text_line(run: Run, proof: Proof) -> str:
    facts = [
        f"recipe {proof.recipe}" if proof.recipe else "",
        f"storage {proof.storage_dtype}" if proof.storage_dtype else "",
        proof.optimizer or "",
        f"exp_avg {proof.exp_avg}, exp_avg_sq {proof.exp_avg_sq}" if proof.exp_avg else "",
        _mp_policy_text(proof),
        f"read {', '.join(proof.placeholders)} as a placeholder" if proof.placeholders else "",
    ]
    how = proof.detail if proof.verdict not in (Verdict.NOT_APPLICABLE, Verdict.COULD_NOT_LOAD) else ""
    shown = "; ".join(fact for fact in (*facts, how) if fact)
    off = f" (not pattern {run.pattern})" if run.off_pattern(proof) else ""
    return f"{proof.path}: {proof.label}{off}" + (f" [{shown}]" if shown else "")


def _mp_policy_text(proof: Proof) -> str:
    if proof.mp_policy is None:
        return ""
    if not proof.mp_policy_changes:
        return "mp_policy: AutoModel's default"
    return "mp_policy changes " + ", ".join(proof.mp_policy_changes)


def _summary_key(proof: Proof) -> str:
    # `not applicable`/`could not load` are counted together; their reasons are on the lines above.
    return proof.verdict.value if proof.verdict in (Verdict.NOT_APPLICABLE, Verdict.COULD_NOT_LOAD) else proof.label


def _json_file(run: Run, proof: Proof) -> dict[str, Any]:
    return {
        "path": proof.path,
        "verdict": proof.label,
        "kind": proof.verdict.name.lower(),
        "detail": proof.detail or None,
        "recipe": proof.recipe,
        "storage_dtype": proof.storage_dtype,
        "optimizer": proof.optimizer,
        "exp_avg": proof.exp_avg,
        "exp_avg_sq": proof.exp_avg_sq,
        "pattern": proof.pattern,
        "off_pattern": run.off_pattern(proof),
        "mp_policy": proof.mp_policy,
        "mp_policy_changes": list(proof.mp_policy_changes),
        "placeholder_env": list(proof.placeholders),
    }
