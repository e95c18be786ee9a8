"""`migrator demo` at a CI-sized step count: the three runs, their real state dtypes, the picture."""

from __future__ import annotations

from pathlib import Path

from migrator.cli import group_main
from tests.proof.conftest import needs_demo_extra

pytestmark = needs_demo_extra


def test_three_runs_keep_the_state_dtypes_their_pattern_promises() -> None:
    from migrator.proof import demo

    bf16, fp32, te = demo.run(steps=300)
    assert (bf16.storage, bf16.state) == ("bfloat16", "bfloat16")
    assert (fp32.storage, fp32.state) == ("float32", "float32")
    assert (te.storage, te.state) == ("bfloat16", "float32")
    # bf16 storage swallows AdamW's 1e-4 updates; the fp32 master copy tracks fp32 storage.
    assert bf16.final > 3 * fp32.final
    assert abs(te.final - fp32.final) < 0.1 * fp32.final


def test_cli_writes_the_picture_and_the_table(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    picture = tmp_path / "demo.png"
    assert group_main(["demo", "--steps", "50", "-o", str(picture)]) == 0
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = capsys.readouterr().out
    assert "bf16 storage (unset torch_dtype)" in out and "50 steps per run" in out
