"""Where the migration puts the imports it needs, and what it costs to decide that nothing changes."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.python.tools import check_transformed, run

BUILD = """\
import torch
from nemo_automodel import NeMoAutoModelForCausalLM


def build(path):
    model = NeMoAutoModelForCausalLM.from_pretrained(path)
    return torch.optim.AdamW(model.parameters(), weight_decay=0.1)
"""


def test_module_still_imports_where_te_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    new_text = run(BUILD, pattern="te").new_text
    assert new_text is not None and "    from transformer_engine" in new_text  # inside the function
    model = types.SimpleNamespace(parameters=list)
    loader = types.SimpleNamespace(from_pretrained=lambda path, **_: model)
    for name in ("torch", "nemo_automodel"):
        monkeypatch.setitem(
            sys.modules, name, types.SimpleNamespace(NeMoAutoModelForCausalLM=loader, bfloat16="bf16", float32="fp32")
        )
    monkeypatch.setitem(sys.modules, "transformer_engine", None)  # `import transformer_engine...` raises
    namespace: dict[str, object] = {}
    exec(compile(new_text, "migrated.py", "exec"), namespace)  # importing the module works as before
    with pytest.raises(ImportError):
        namespace["build"]("path")  # building the optimizer needs TE, as it should


def test_script_level_optimizer_imports_at_module_level() -> None:
    before = (
        "import torch\nfrom nemo_automodel import NeMoAutoModelForCausalLM\n\n"
        "model = NeMoAutoModelForCausalLM.from_pretrained(p)\nopt = torch.optim.AdamW(model.parameters(), weight_decay=0.1)\n"
    )
    after = (
        "import torch\nfrom nemo_automodel import NeMoAutoModelForCausalLM\n"
        "from transformer_engine.pytorch.optimizers.fused_adam import FusedAdam\n\n"
        "model = NeMoAutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
        "opt = FusedAdam(model.parameters(), weight_decay=0.1, adam_w_mode=True, bias_correction=True, master_weights=True, store_param_remainders=True, exp_avg_dtype=torch.float32, exp_avg_sq_dtype=torch.float32)\n"
    )
    check_transformed(before, after, pattern="te")


def test_an_existing_from_import_takes_the_new_name() -> None:
    before = (
        "import torch\nfrom torch.distributed.fsdp import fully_shard\nfrom nemo_automodel import NeMoAutoModelForCausalLM\n\n"
        "model = NeMoAutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.float32)\nfully_shard(model)\n"
        "opt = torch.optim.AdamW(model.parameters())\n"
    )
    outcome = run(before, pattern="fp32")
    assert outcome.new_text is not None
    assert "from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard\n" in outcome.new_text


def test_check_without_edits_never_imports_libcst(tmp_path: Path) -> None:
    for case in ("py_hf_unset_dtype_unchanged", "py_deepspeed_unchanged", "py_dtype_loop_unchanged"):
        (tmp_path / f"{case}.py").write_bytes((FIXTURES / "te" / case / "input.py").read_bytes())
    code = f"import sys; from migrator.cli import main; main(['--check', '-v', '--pattern', 'te', {str(tmp_path)!r}]); print('libcst' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
    assert "MIG115" in result.stderr and "MIG111" in result.stderr and "MIG112" in result.stderr
