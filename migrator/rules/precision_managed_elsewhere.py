"""## What it does
Notes, without changing anything, a torch Adam/AdamW whose precision something else owns: DeepSpeed
(`deepspeed.initialize`, accelerate's `DeepSpeedPlugin`), accelerate's FSDP plugin, PEFT adapters
(`get_peft_model`, `PeftModel`, LoRA configs) or a quantized load (`load_in_8bit`, `load_in_4bit`,
`quantization_config`).

## Why?
DeepSpeed and FSDP wrappers keep fp32 master weights and state themselves; adapters train a few
parameters whose precision PEFT sets; quantized weights are not trained. Editing the optimizer or the
storage dtype there changes a run that is already precision-safe, or breaks it.

## Example
```python
model = get_peft_model(AutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.bfloat16), lora_config)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
```
Nothing to do (`--include-peft` migrates PEFT runs anyway).
"""

from __future__ import annotations

from migrator.core.findings import Level
from migrator.rules import python_rule

precision_managed_elsewhere = python_rule(
    "MIG111",
    "precision-managed-elsewhere",
    "DeepSpeed, FSDP plugins, PEFT or quantization own the precision",
    Level.INFO,
    __doc__,
)
