"""The real AutoModel configs (MIGRATOR_CORPUS): both patterns, on a copy, with the product's invariants."""

from __future__ import annotations

import csv
import difflib
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from migrator import patterns
from migrator.core import automodel, builders
from migrator.core.classify import Kind, storage_key
from migrator.core.outcome import FileResult, Status
from migrator.core.settings import Mode, Options, Settings
from migrator.patterns import te
from migrator.runner import run
from tests.conftest import writable_copy

# Keys a migration may write or remove; any other changed line is a defect.
_EDITABLE = ("torch_dtype", "dtype", "_target_", "adam_w_mode", "weight_decay", "mp_policy")
EDITABLE_KEY = re.compile(
    r"^\s*(" + "|".join(dict.fromkeys((*_EDITABLE, *te.SETTINGS, *patterns.MP_POLICY, *te.REJECTED_ARGUMENTS))) + "):"
)
TOUCHABLE = {"model": {"torch_dtype", "dtype"}, "distributed": {"mp_policy"}, "optimizer": None}  # None: whole section


def _manifest(corpus: Path) -> dict[str, dict[str, str]]:
    with open(corpus / "manifest.tsv", newline="") as handle:
        return {row["path"]: row for row in csv.DictReader(handle, delimiter="\t")}


def _without_touchable(data: dict) -> dict:
    data = dict(data)
    for section, keys in TOUCHABLE.items():
        if isinstance(data.get(section), dict):
            data[section] = {} if keys is None else {k: v for k, v in data[section].items() if k not in keys}
    return data


@pytest.fixture(scope="module", params=["te", "fp32"])
def migrated(request: pytest.FixtureRequest, corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp(f"corpus-{request.param}")
    writable_copy(corpus / "examples", root / "examples")
    results = run(Settings((str(root / "examples"),), Options(pattern=request.param), Mode.WRITE))
    return request.param, root, results


def _relative(result: FileResult, root: Path) -> str:
    return Path(result.path).resolve().relative_to(root.resolve()).as_posix()


def test_every_config_processed_without_failure(migrated, corpus: Path) -> None:
    pattern, _root, results = migrated
    assert len([r for r in results if not r.path.endswith(".py")]) == len(_manifest(corpus)) == 511  # .py: tests/python
    failed = [(r.path, r.outcome.problem) for r in results if r.status is Status.FAILED]
    assert failed == []
    print(pattern, Counter(r.outcome.classification.kind.value for r in results if r.outcome.classification))


def test_every_risky_config_migrated(migrated, corpus: Path) -> None:
    pattern, root, results = migrated
    manifest = _manifest(corpus)
    by_path = {_relative(r, root): r for r in results}
    for path, row in manifest.items():
        if row["risky"] != "yes":
            continue
        result = by_path[path]
        data = yaml.safe_load((corpus / path).read_text())
        codes = {located.finding.code for located in result.outcome.findings}
        kd_resolves_fp32 = row["recipe"].startswith("KnowledgeDistillation") and row["torch_dtype"] in ("UNSET", "auto")
        tp_size = (data.get("distributed") or {}).get("tp_size") or 1
        if kd_resolves_fp32:
            assert "MIG001" not in codes, path
        elif pattern == "te" and int(tp_size) > 1:
            assert result.status is Status.SKIPPED and "MIG102" in codes, path
        else:
            assert result.status is Status.MIGRATED and "MIG001" in codes, path


def test_written_files_hold_intended_data_and_nothing_else(migrated, corpus: Path) -> None:
    pattern, root, results = migrated
    for result in results:
        if result.status is not Status.MIGRATED:
            continue
        path = _relative(result, root)
        before = yaml.safe_load((corpus / path).read_text())
        after = yaml.safe_load((root / path).read_text())
        assert _without_touchable(after) == _without_touchable(before), path
        optimizer, model = after["optimizer"], after.get("model") or {}
        if optimizer.get("_target_") in automodel.TE_FUSED_ADAM_TARGETS:
            assert optimizer["master_weights"] is True and not set(te.REJECTED_ARGUMENTS) & optimizer.keys(), path
        elif pattern == "fp32" and "MIG001" in {f.finding.code for f in result.outcome.findings}:
            written = (before.get("model") or {}).get("torch_dtype", (before.get("model") or {}).get("dtype"))
            family = "torch." if isinstance(written, str) and written.startswith("torch.") else ""  # kept, as written
            assert model.get("torch_dtype", model.get("dtype")) == family + patterns.PATTERNS["fp32"].storage_dtype, (
                path
            )
        policy = (after.get("distributed") or {}).get("mp_policy")
        if isinstance(policy, dict):
            assert set(patterns.MP_POLICY) <= policy.keys(), path


def test_only_migrated_keys_change_and_comments_survive(migrated, corpus: Path) -> None:
    _, root, results = migrated
    for result in results:
        if result.status is not Status.MIGRATED:
            continue
        path = _relative(result, root)
        before = (corpus / path).read_text().splitlines()
        after = (root / path).read_text().splitlines()
        for line in difflib.ndiff(before, after):
            if line.startswith(("- ", "+ ")):
                assert EDITABLE_KEY.match(line[2:]), f"{path}: unexpected change {line!r}"
        comments = [
            line.split("#", 1)[1]
            for line in before
            if "#" in line and not re.match(r"\s*(foreach|fused|amsgrad)\s*:", line)
        ]
        remaining = "\n".join(after)
        assert all(comment in remaining for comment in comments), path


def test_second_run_changes_nothing(migrated) -> None:
    pattern, root, _ = migrated
    snapshot = {path: path.read_bytes() for path in (root / "examples").rglob("*.yaml")}
    again = run(Settings((str(root / "examples"),), Options(pattern=pattern), Mode.WRITE))
    assert [r.path for r in again if r.status is Status.MIGRATED] == []
    assert snapshot == {path: path.read_bytes() for path in (root / "examples").rglob("*.yaml")}


def test_every_corpus_builder_decides_the_storage_dtype(migrated, corpus: Path) -> None:
    """Every corpus `model._target_` that leaves the dtype unset has a known default (core/builders.py); the
    others (Hugging Face targets, Gemma4WithDrafter, the retrieval student) all write their dtype. The one config
    left unproven is the KD recipe whose unset storage depends on the AutoModel version (fp32 where AutoModel
    resolves it, bf16 on 0.7.0, as `migrator verify` measured)."""
    _, root, results = migrated
    unproven = [r for r in results if r.outcome.classification and r.outcome.classification.kind is Kind.UNPROVEN]
    assert [Path(r.path).relative_to(root).as_posix() for r in unproven] == [
        "examples/vlm_kd/qwen3_5/qwen3_5_vl_4b_kd.yaml"
    ]
    assert "bf16 on the released nemo-automodel 0.7.0" in unproven[0].outcome.classification.reason
    for path in _manifest(corpus):
        data = yaml.safe_load((corpus / path).read_text())
        model = data.get("model") if isinstance(data, dict) else None
        if isinstance(model, dict) and storage_key(model) not in model:
            assert builders.builder_of(model.get("_target_")).proven, path
