"""The Python front end: the same decisions as the YAML engine, applied to launch scripts with libcst.

This module is cheap to import; libcst is loaded only when a `.py` file is worth parsing.
"""

from __future__ import annotations

import re

from migrator.core.outcome import Outcome, Status
from migrator.core.settings import Options
from migrator.core.suppressions import Directives

SUFFIXES = (".py",)

# Parsing with scope metadata costs about a second per thousand lines, so parse only when a rule can fire:
# a model loaded here and an optimizer or FSDP2 to train it, or a config key (dict, override, mutation).
_LOADER = re.compile(r"\bfrom_(?:pretrained|config)\b")
_TRAINER = re.compile(r"Adam|fully_shard|\boptim\b")
_CONFIG_KEY = re.compile(r"model\.torch_dtype|optimizer\._target_|[\"'](?:model|optimizer)[\"']\s*:")


def worth_parsing(text: str) -> bool:
    return bool(_CONFIG_KEY.search(text) or (_LOADER.search(text) and _TRAINER.search(text)))


def migrate_python(text: str, options: Options, directives: Directives | None = None) -> Outcome:
    if not worth_parsing(text):
        return Outcome(Status.NOT_RECIPE)
    from migrator.python.engine import analyse_text  # lazy: libcst costs start-up time

    return analyse_text(text, options, directives)
