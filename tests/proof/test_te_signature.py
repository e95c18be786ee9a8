"""TE FusedAdam's constructor read from its source by `ast`: signature, guards, and the stand-in built from them."""

from __future__ import annotations

import pytest

from migrator.proof import te_signature
from tests.proof.conftest import needs_proof_extra

# The shape of TE's __init__: guards at the top, a value computed then checked late, a nested check.
SOURCE = """
class FusedAdam(torch.optim.Optimizer):
    def __init__(self, params, lr: float = 1e-3, amsgrad=False, *, capturable=False, master_weights=False,
                 exp_avg_dtype=torch.float32, store_param_remainders=False):
        if amsgrad:
            raise RuntimeError("no AMSGrad")
        if capturable:
            ok = exp_avg_dtype == torch.float32
            if not ok:
                raise RuntimeError("capturable needs fp32 moments")
        lr = torch.tensor(lr) if capturable else lr
        super().__init__(params, {"lr": lr})
        self.capturable = capturable
        self.store_param_remainders = store_param_remainders and master_weights
        if self.capturable and self.store_param_remainders:
            raise RuntimeError("capturable without remainders")
        if self.some_runtime_flag:
            raise RuntimeError("depends on state the stand-in cannot have")
"""


def test_signature_and_guards_are_extracted_without_importing() -> None:
    signature = te_signature.extract(SOURCE, "test")
    assert signature.guards == 3
    assert signature.skipped_guards == 1
    header = signature.init_source.splitlines()[0]
    assert header.startswith("def __init__(self, params, lr=0.001, amsgrad=False, *, capturable=False")
    assert "capturable and (store_param_remainders and master_weights)" in signature.init_source
    assert "capturable and (not exp_avg_dtype == torch.float32)" in signature.init_source


@needs_proof_extra
def test_stand_in_keeps_the_exact_signature_and_raises_like_te() -> None:
    import inspect

    import torch

    stand_in = te_signature.stand_in_class(te_signature.extract(SOURCE, "test"), torch.optim.Optimizer)
    assert list(inspect.signature(stand_in).parameters) == [
        "params",
        "lr",
        "amsgrad",
        "capturable",
        "master_weights",
        "exp_avg_dtype",
        "store_param_remainders",
    ]
    params = [torch.nn.Parameter(torch.zeros(2))]
    assert stand_in(params, master_weights=True)._bound["master_weights"] is True
    with pytest.raises(TypeError, match="foreach"):
        stand_in(params, foreach=False)
    with pytest.raises(RuntimeError, match="capturable without remainders"):
        stand_in(params, capturable=True, master_weights=True, store_param_remainders=True)
    with pytest.raises(RuntimeError, match="capturable needs fp32 moments"):
        stand_in(params, capturable=True, exp_avg_dtype=torch.bfloat16)


@needs_proof_extra
def test_the_real_wheel_yields_te_2_20_signature(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    signature = te_signature.load("2.20.2")  # fetched with pip download: 1.2 MB, pure Python
    for keyword in (
        "master_weights=False",
        "exp_avg_dtype=torch.float32",
        "store_param_remainders=False",
        "*, bias_correction=True",
    ):
        assert keyword in signature.init_source
    assert signature.guards == 7 and signature.skipped_guards == 0
    assert (tmp_path / "migrator" / "te-fused-adam-2.20.2.json").is_file()
    assert te_signature.load("2.20.2") == signature  # from the cache
