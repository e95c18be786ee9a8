"""The CI gate on a copy of the real corpus: under pattern te the configs with `tp_size > 1` stay risky, so
`--check` names them as open and exits 1 until a write run with `--force`, or with pattern fp32, fixes them."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from migrator.cli import main
from tests.conftest import writable_copy

_OPEN = re.compile(r"^(?P<path>\S+): left unchanged, open", re.MULTILINE)


def _tensor_parallel_risky(corpus: Path) -> set[str]:
    with open(corpus / "manifest.tsv", newline="") as handle:
        rows = [row for row in csv.DictReader(handle, delimiter="\t") if row["risky"] == "yes"]
    found = set()
    for row in rows:
        distributed = yaml.safe_load((corpus / row["path"]).read_text()).get("distributed") or {}
        kd_resolves_fp32 = row["recipe"].startswith("KnowledgeDistillation") and row["torch_dtype"] in ("UNSET", "auto")
        if int(distributed.get("tp_size") or 1) > 1 and not kd_resolves_fp32:
            found.add(row["path"])
    return found


# The KD recipe whose unset storage is fp32 or bf16 by AutoModel version (MIG115): open until the user decides.
KD_BY_VERSION = "examples/vlm_kd/qwen3_5/qwen3_5_vl_4b_kd.yaml"


@pytest.mark.parametrize(
    "fix", [["--pattern", "te", "--force", "--assume-bf16-storage"], ["--pattern", "fp32", "--assume-bf16-storage"]]
)
def test_check_stays_red_on_open_configs_until_they_are_fixed(
    fix: list[str],
    corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    writable_copy(corpus / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    expected = _tensor_parallel_risky(corpus) | {KD_BY_VERSION}
    assert len(expected) == 16

    assert main(["--check", "--pattern", "te", "--no-progress", "examples"]) == 1
    err = capsys.readouterr().err
    assert set(_OPEN.findall(err)) == expected
    assert "16 open" in err.splitlines()[-1]

    assert main(["--pattern", "te", "--no-progress", "examples"]) == 1  # a write run fixes the rest only
    assert "16 open" in capsys.readouterr().err.splitlines()[-1]
    assert main(["--check", "--pattern", "te", "--no-progress", "examples"]) == 1
    capsys.readouterr()

    assert main([*fix, "--no-progress", "examples"]) == 0
    assert main(["--check", "--pattern", "te", "--no-progress", "examples"]) == 0
    assert " open" not in capsys.readouterr().err
