"""The Python front end: the same decisions as the YAML engine, applied to launch scripts with libcst.

Imported only when a `.py` file is seen, so YAML-only runs never load libcst.
"""

from __future__ import annotations

import re

from migrator.engine import Outcome, Problem, Status
from migrator.rules import Options

# Text every rule needs to see before parsing is worth it: an optimizer, FSDP2, a dtype or a config key.
_GATE = re.compile(r"Adam|optim|fully_shard|MixedPrecisionPolicy|torch_dtype|_target_")


def migrate_python(text: str, options: Options) -> Outcome:
    if not _GATE.search(text):
        return Outcome(Status.NOT_RECIPE)
    from migrator.python.engine import analyse_text

    return analyse_text(text, options)


__all__ = ["migrate_python", "Outcome", "Problem", "Status"]
