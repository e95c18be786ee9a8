"""`migrator verify` and `migrate --verify` with the real AutoModel and torch: dtypes come from real optimizer state."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from migrator.cli import group_main, main
from migrator.proof.prove import Prover, Verdict
from tests.proof.conftest import needs_proof_extra, recipe

pytestmark = needs_proof_extra

HEAD = (
    "recipe: TrainFinetuneRecipeForNextTokenPrediction\nmodel:\n"
    "  _target_: nemo_automodel.NeMoAutoModelForCausalLM.from_pretrained\n"
    "  pretrained_model_name_or_path: meta-llama/Llama-3.2-1B\n"
)
ADAMW = "optimizer:\n  _target_: torch.optim.AdamW\n  lr: 1.0e-5\n"
TE = (
    "optimizer:\n  _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam\n"
    "  lr: 1.0e-5\n  weight_decay: 0.01\n  master_weights: true\n  store_param_remainders: true\n"
    "  exp_avg_dtype: torch.float32\n  exp_avg_sq_dtype: torch.float32\n"
)
FSDP2 = "distributed:\n  strategy: fsdp2\n"
EXPLICIT_MP = FSDP2 + (
    "  mp_policy:\n    _target_: torch.distributed.fsdp.MixedPrecisionPolicy\n    param_dtype: bfloat16\n"
    "    reduce_dtype: float32\n    output_dtype: bfloat16\n    cast_forward_inputs: true\n"
)


def test_unset_storage_dtype_keeps_adam_state_in_bf16(prover: Prover, tmp_path: Path) -> None:
    proof = prover.prove_file(recipe(tmp_path, HEAD + ADAMW + FSDP2), "r.yaml")
    assert proof.verdict is Verdict.LOW_PRECISION_STATE and proof.label == "bf16 state"
    assert (proof.storage_dtype, proof.optimizer, proof.exp_avg, proof.exp_avg_sq) == (
        "bfloat16",
        "AdamW",
        "bfloat16",
        "bfloat16",
    )
    assert proof.mp_policy_changes == ()  # no mp_policy: AutoModel's default


def test_float32_storage_keeps_adam_state_in_fp32(prover: Prover, tmp_path: Path) -> None:
    body = HEAD + "  torch_dtype: float32\n" + ADAMW + EXPLICIT_MP
    proof = prover.prove_file(recipe(tmp_path, body), "r.yaml")
    assert proof.verdict is Verdict.FP32_STATE and proof.pattern == "fp32"
    assert (proof.storage_dtype, proof.exp_avg, proof.exp_avg_sq) == ("float32", "float32", "float32")
    # On AutoModel 0.7.0 the recommended explicit block changes two fields of the parsed default.
    assert proof.mp_policy_changes == ("output_dtype None->bf16", "cast_forward_inputs False->True")


def test_te_block_passes_te_signature_without_te(prover: Prover, tmp_path: Path) -> None:
    proof = prover.prove_file(recipe(tmp_path, HEAD + "  torch_dtype: bfloat16\n" + TE), "r.yaml")
    assert proof.verdict is Verdict.TE_VERIFIED and proof.label == "TE arguments verified (not executed)"
    assert (proof.storage_dtype, proof.optimizer, proof.exp_avg, proof.exp_avg_sq) == (
        "bfloat16",
        "FusedAdam",
        "float32",
        "float32",
    )
    assert "transformer_engine" not in sys.modules  # the stand-in is gone after the proof


def test_te_block_with_a_keyword_te_rejects_could_not_load(prover: Prover, tmp_path: Path) -> None:
    proof = prover.prove_file(recipe(tmp_path, HEAD + TE + "  foreach: true\n"), "r.yaml")
    assert proof.verdict is Verdict.COULD_NOT_LOAD
    assert "TypeError" in proof.detail and "foreach" in proof.detail


def test_te_without_master_weights_is_reported(prover: Prover, tmp_path: Path) -> None:
    proof = prover.prove_file(
        recipe(tmp_path, HEAD + TE.replace("master_weights: true", "master_weights: false")), "r.yaml"
    )
    assert proof.verdict is Verdict.NO_MASTER_WEIGHTS


def test_peft_speculative_and_missing_sections_are_classified(prover: Prover, tmp_path: Path) -> None:
    peft = prover.prove_file(
        recipe(
            tmp_path,
            HEAD + ADAMW + "peft:\n  _target_: nemo_automodel.components._peft.lora.PeftConfig\n  dim: 8\n",
            "p.yaml",
        ),
        "p.yaml",
    )
    assert peft.verdict is Verdict.PEFT and peft.storage_dtype == "bfloat16"
    speculative = prover.prove_file(
        recipe(tmp_path, "recipe: TrainEagle3Recipe\n" + HEAD.split("\n", 1)[1] + ADAMW, "s.yaml"), "s.yaml"
    )
    assert speculative.verdict is Verdict.NOT_APPLICABLE and "speculative" in speculative.detail
    no_optimizer = prover.prove_file(recipe(tmp_path, HEAD, "n.yaml"), "n.yaml")
    assert no_optimizer.label == "not applicable: no `optimizer` section"


def test_unset_variable_could_not_load_with_the_exact_error(prover: Prover, tmp_path: Path) -> None:
    variable = "MIGRATOR_TEST_UNSET_VARIABLE"
    proof = prover.prove_file(recipe(tmp_path, HEAD + f"  cache_dir: ${{{variable}}}\n" + ADAMW), "r.yaml")
    expected = f"Environment variable '{variable}' is not set (required by '${{{variable}}}')."
    assert proof.label == f'could not load: KeyError: "{expected}"'


def test_hf_token_gets_a_placeholder_only_inside_verify(
    prover: Prover, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    proof = prover.prove_file(recipe(tmp_path, HEAD + "  token: ${HF_TOKEN}\n" + ADAMW), "r.yaml")
    assert proof.verdict is Verdict.LOW_PRECISION_STATE and proof.placeholders == ("HF_TOKEN",)
    assert "HF_TOKEN" not in os.environ


def test_cli_exit_codes_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fp32 = recipe(tmp_path, HEAD + "  torch_dtype: float32\n" + ADAMW, "fp32.yaml")
    bf16 = recipe(tmp_path, HEAD + ADAMW, "bf16.yaml")
    broken = recipe(tmp_path, HEAD + "optimizer:\n  _target_: no.such.Optimizer\n", "broken.yaml")
    assert group_main(["verify", str(fp32)]) == 0
    assert group_main(["verify", "--pattern", "te", str(fp32)]) == 1  # fp32 state, but not on pattern te
    assert group_main(["verify", str(fp32), str(bf16)]) == 1
    capsys.readouterr()
    assert group_main(["verify", "--output-format", "json", str(fp32), str(bf16), str(broken)]) == 2
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert [file["verdict"] for file in document["files"]][:2] == ["fp32 state", "bf16 state"]
    assert document["files"][2]["kind"] == "could_not_load" and "no.such.Optimizer" in document["files"][2]["verdict"]
    assert document["versions"]["nemo-automodel"] == "0.7.0"
    assert "3 configs verified" in captured.err


def test_migrate_verify_writes_only_what_proves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    risky = recipe(tmp_path, HEAD + ADAMW + FSDP2, "risky.yaml")
    # On AutoModel 0.7.0 a KD recipe does not resolve unset storage to fp32: the result still has bf16 state.
    kd_text = (
        HEAD.replace("TrainFinetuneRecipeForNextTokenPrediction", "KnowledgeDistillationRecipeForNextTokenPrediction")
        + ADAMW
        + FSDP2
    )
    kd = recipe(tmp_path, kd_text, "kd.yaml")
    # migrate itself holds the KD recipe now (its storage is not provable from the file: MIG115, open)...
    assert main(["--verify", "--pattern", "fp32", "--no-progress", str(risky), str(kd)]) == 1
    err = capsys.readouterr().err
    assert "torch_dtype: float32" in risky.read_text()
    assert kd.read_text() == kd_text
    assert "MIG115" in err
    # ...and the gate refuses such a text if it were to be written: AutoModel 0.7.0 keeps it in bf16.
    from migrator.proof.gate import failed_proof

    assert (failed_proof(kd_text, "kd.yaml") or "").startswith("proof failed: bf16 state")


@pytest.mark.parametrize("pattern", ["fp32", "te"])
def test_corpus_sample_before_and_after_migrate(corpus: Path, tmp_path: Path, pattern: str, prover: Prover) -> None:
    from tests.conftest import writable_copy

    sample = {
        "examples/llm_finetune/llama3_2/llama3_2_1b_squad.yaml": "bf16 state",
        "examples/llm_finetune/llama3_2/llama3_2_1b_hellaswag_peft.yaml": "PEFT: adapters only",
        "examples/llm_finetune/llama3_3/llama_3_3_70b_instruct_squad.yaml": "TE arguments verified (not executed)",
    }
    for name, label in sample.items():
        assert prover.prove_file(corpus / name, name).label == label
    copy = tmp_path / "corpus"
    writable_copy(corpus / "examples" / "llm_finetune", copy)
    # te leaves the tp_size > 1 recipes open (exit 1); fp32 migrates every risky one.
    assert main(["--pattern", pattern, "--no-progress", str(copy)]) == (1 if pattern == "te" else 0)
    migrated = {"fp32": "fp32 state", "te": "TE arguments verified (not executed)"}[pattern]
    assert prover.prove_file(copy / "llama3_2/llama3_2_1b_squad.yaml", "squad").label == migrated
    assert prover.prove_file(copy / "llama3_2/llama3_2_1b_hellaswag_peft.yaml", "peft").label == "PEFT: adapters only"


def test_te_guards_run_through_automodel_typed_config(prover: Prover, tmp_path: Path) -> None:
    # AutoModel 0.7.0's FusedAdamConfig passes master_weight_dtype=None when unset; TE's own guard rejects it.
    typed = "optimizer:\n  _target_: nemo_automodel.components.optim.optimizer.FusedAdamConfig\n  lr: 1.0e-5\n"
    proof = prover.prove_file(recipe(tmp_path, HEAD + typed), "r.yaml")
    assert proof.label == "could not load: RuntimeError: FusedAdam only supports fp32/fp16 master weights."
    assert proof.optimizer == "FusedAdam"


def test_a_python_file_named_on_the_command_line_is_not_applicable(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text("import torch\n", encoding="utf-8")
    from migrator.proof.verify import verify_paths

    (proof,) = verify_paths([str(script)], None).proofs
    assert proof.label == "not applicable: not a YAML recipe (verify proves YAML recipes)"
