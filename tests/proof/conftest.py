"""The proof tests need the optional `verify` extra (torch, AutoModel); without it they skip and say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.proof import DEMO_MODULES, PROOF_MODULES, ExtraMissing, require_extra


def _missing_reason(modules: tuple[str, ...]) -> str | None:
    try:
        require_extra(modules)
    except ExtraMissing as exc:
        return f"the optional `verify` extra is not installed: {exc}"
    return None


needs_proof_extra = pytest.mark.skipif(
    bool(_missing_reason(PROOF_MODULES)), reason=_missing_reason(PROOF_MODULES) or ""
)
needs_demo_extra = pytest.mark.skipif(bool(_missing_reason(DEMO_MODULES)), reason=_missing_reason(DEMO_MODULES) or "")


@pytest.fixture(scope="session")
def prover():  # type: ignore[no-untyped-def]
    from migrator.proof.gate import shared_prover

    return shared_prover()


def recipe(tmp_path: Path, body: str, name: str = "recipe.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path
