"""## What it does
Leaves torch Adam/AdamW configs unchanged, with a warning, when the file does not decide the parameters'
storage dtype: a Hugging Face `transformers.*.from_pretrained` target without a dtype (the checkpoint's
dtype), `from_config` over a config loaded from a checkpoint, AutoModel's retrieval encoders (which hand
`auto` on to Hugging Face), or a builder migrator does not know (it decides). No other finding is raised
for such a config until its dtype is known. `--assume-bf16-storage` migrates it as bf16 storage.

In Python the same holds for a model trained by a torch Adam/AdamW: a Hugging Face or diffusers
`from_pretrained` without a dtype (transformers < 5 loads fp32, >= 5 the checkpoint's own dtype), a loader
the tool does not know (a mock, a project's own class), or a dtype its builder ignores (diffusers'
`from_config`) leaves the code as it is, with the reason (`--assume-bf16-storage` does not apply there).

## Why?
Only AutoModel's `NeMoAutoModelFor*` entry points turn an unset `torch_dtype` into bf16; any other
`model._target_` is called with the YAML's arguments alone. Most checkpoints are bf16, so the Adam state
there is probably bf16 too, but not provably: a finding that may be false would be an edit that may be
needless. `migrator verify` runs AutoModel's own loader on the CPU and shows the dtype it gives.

## Example
```yaml
model:
  _target_: transformers.AutoModelForCausalLM.from_pretrained
  pretrained_model_name_or_path: meta-llama/Llama-3.2-1B
optimizer:
  _target_: torch.optim.AdamW
```
```python
model = AutoModelForCausalLM.from_pretrained(path)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
```
Use instead: write the dtype (`dtype: float32` for pattern fp32), or `migrate --assume-bf16-storage`. In
Python, nothing to do while the model trains in fp32; if the checkpoint is bf16, load it with
`torch_dtype=torch.float32` (or keep bf16 and use TE FusedAdam with `master_weights=True`).
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.core.classify import Kind, storage_key
from migrator.core.findings import Finding, Level
from migrator.rules import Context, rule


@rule(
    "MIG115",
    "storage-not-provable",
    "the parameters' storage dtype is not decided by this file (a checkpoint's or a builder's)",
    Level.WARNING,
    __doc__,
    sole_for=Kind.UNPROVEN,  # every other rule assumes a storage dtype: until it is proven, this is the only finding
)
def storage_not_provable(ctx: Context) -> Iterator[Finding]:
    if ctx.classification.kind is not Kind.UNPROVEN:
        return
    message = (
        f"{ctx.classification.reason}; if that is bf16, so is the Adam state. Write model.{storage_key(ctx.model)} "
        "(float32 or bfloat16), "
        "pass --assume-bf16-storage to migrate it as bf16, or run `migrator verify` to see what AutoModel loads"
    )
    yield storage_not_provable.finding(message, ("model", "_target_"), blocks=True)
