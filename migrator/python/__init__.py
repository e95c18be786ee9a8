"""The Python front end: the same decisions as the YAML engine, applied to launch scripts.

Decisions are made on CPython's `ast`; libcst is imported only to write a file that changes.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from migrator.core.classify import Classification, Kind
from migrator.core.outcome import Outcome, Status
from migrator.core.settings import Options
from migrator.core.suppressions import Directives

SUFFIXES = (".py",)

# Parse only when a rule can fire: a model loaded here and an optimizer or FSDP2 to train it, or a config key
# (dict, override, mutation).
_LOADER = re.compile(r"\bfrom_(?:pretrained|config)\b")
_TRAINER = re.compile(r"Adam|fully_shard|\boptim\b")
_CONFIG_KEY = re.compile(r"model\.torch_dtype|optimizer\._target_|[\"'](?:model|optimizer)[\"']\s*:")
# Test code (pytest's discovery names, and anything under a `tests` folder) is reported, not edited.
_TEST_FILE = re.compile(r"test_.*\.py|.*_test\.py|conftest\.py")
TEST_FOLDERS = frozenset({"tests"})
NOT_WORTH_PARSING = Classification(
    Kind.NOT_RECIPE, "no model loading call with an optimizer or FSDP2, and no recipe config key"
)


def worth_parsing(text: str) -> bool:
    return bool(_CONFIG_KEY.search(text) or (_LOADER.search(text) and _TRAINER.search(text)))


def is_test_code(path: PurePath) -> bool:
    return bool(_TEST_FILE.fullmatch(path.name)) or not TEST_FOLDERS.isdisjoint(path.parent.parts)


def migrate_python(
    text: str, options: Options, directives: Directives | None = None, *, test_code: bool = False
) -> Outcome:
    if not worth_parsing(text):
        return Outcome(Status.NOT_RECIPE, NOT_WORTH_PARSING)
    from migrator.python.engine import analyse_text

    return analyse_text(text, options, directives, test_code=test_code)


def migrate_test_code(text: str, options: Options, directives: Directives | None = None) -> Outcome:
    return migrate_python(text, options, directives, test_code=True)
