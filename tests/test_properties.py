"""Property tests: generated recipes in every style, and random mutations of the golden fixtures.

For every input the engine returns an outcome (never raises). A migrated output:
- loads with `yaml.safe_load` (AutoModel's own, pure-Python loader, not the libyaml one the engine uses)
  to exactly the intended data, and outside the migrated keys to the same data as before;
- keeps every line that holds no migrated key byte-identical, and its BOM, line endings and final newline;
- reaches the target pattern, and a second run changes nothing.
Generated recipes are valid YAML, so the only failures allowed there are designed refusals (MIG101, schema gate).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from migrator.core import changes as changes_mod
from migrator.core.classify import Kind, classify
from migrator.core.outcome import Outcome, Status
from migrator.core.settings import Options
from migrator.files import decode
from migrator.rules import make_plan
from migrator.yaml.document import YamlDocument
from migrator.yaml.front_end import migrate_yaml
from migrator.yaml.verify import same_data
from tests.recipe_strategies import RecipeText, mutated_fixtures, recipe_texts

# About 10 ms per generated recipe on one core: the whole module takes seconds. Raise it for a long
# fuzzing session: MIGRATOR_FUZZ_EXAMPLES=20000 python -m pytest tests/test_properties.py
EXAMPLES = int(os.environ.get("MIGRATOR_FUZZ_EXAMPLES", "400"))
PROPERTY_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MUTATION_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=EXAMPLES * 5 // 2)  # a mutation costs a third as much
options_strategy = st.builds(Options, st.sampled_from(["te", "fp32"]), st.booleans(), st.booleans(), st.booleans())
DESIGNED_REFUSALS = ("MIG101",)
# What a migration may change in the data; anything else must load exactly as before.
TOUCHABLE = {"model": {"torch_dtype", "dtype"}, "distributed": {"mp_policy"}, "optimizer": None}


def _without_touchable(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    data = dict(data)
    for section, keys in TOUCHABLE.items():
        if section in data and (data[section] is None or isinstance(data[section], dict)):  # `model:` may gain keys
            data[section] = {} if keys is None else {k: v for k, v in (data[section] or {}).items() if k not in keys}
    return data


def _editable_lines(text: str, planned: list[changes_mod.Change]) -> set[int]:
    """0-based lines an edit may rewrite: the changed entries, or the inline (flow/null) parent of a new key."""
    doc = YamlDocument(text)
    lines: set[int] = set()
    for change in planned:
        found, _ = doc.walk(change.path)
        if (
            len(found) < len(change.path)
            and found
            and isinstance(found[-1].value, yaml.MappingNode)
            and not found[-1].value.flow_style
        ):
            continue  # a key added to a block mapping only adds lines
        if not found:
            lines |= set(range(len(doc.line_starts)))  # a flow root: any line
            continue
        entry = found[-1]
        lines |= set(range(entry.key.start_mark.line, entry.value.end_mark.line + 1))
    return lines


def _check_untouched_lines(before: str, after: str, editable: set[int]) -> None:
    old, new = before.splitlines(), after.splitlines()
    allowed = {old[index] for index in editable if index < len(old)}
    if old and len(old) - 1 in editable and not before.endswith(("\n", "\r")):
        # Deleting a last line that had no line break leaves the break before it as the end of the file:
        # blank lines just above it read as that missing final newline.
        allowed.add("")
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            for index in range(i1, i2):
                assert index in editable or old[index] in allowed, f"line {index + 1} changed: {old[index]!r}\n{after}"


def _line_style(text: str) -> tuple[bool, bool]:
    crlf_only = "\r\n" in text and text.count("\n") == text.count("\r\n") == text.count("\r")
    return crlf_only, text.endswith(("\n", "\r"))


def check_outcome(text: str, outcome: Outcome, options: Options, bom: bool = False) -> None:
    """Everything the engine promises about one outcome; `text` is the input without its BOM."""
    event(f"status {outcome.status.value}")
    if outcome.status is not Status.MIGRATED:
        assert outcome.new_text is None
        return
    assert outcome.new_text is not None
    new_text = outcome.new_text
    restored = decode(("\ufeff" if bom else "").encode() + new_text.encode("utf-8"))
    assert restored.bom == bom and restored.text == new_text
    try:
        before = yaml.safe_load(text)
        load: Callable[[str], Any] = yaml.safe_load
    except yaml.YAMLError:  # libyaml accepts a few inputs PyYAML's pure loader rejects (a tab inside a key)
        event("input rejected by PyYAML's pure loader, accepted by libyaml")
        before, load = YamlDocument(text).data, lambda new: YamlDocument(new).data
    planned = make_plan(before, classify(before, options.include_peft), options).changes
    after = load(new_text)
    assert same_data(after, changes_mod.apply(before, planned)), new_text
    assert same_data(_without_touchable(after), _without_touchable(before))
    result = classify(after, options.include_peft)
    assert result.kind is Kind.ON_PATTERN and result.pattern == outcome.target, (result, new_text)
    assert _line_style(new_text) == _line_style(text) or not _line_style(text)[0]
    _check_untouched_lines(text, new_text, _editable_lines(text, planned))
    again = migrate_yaml(new_text, options)
    assert again.status is not Status.MIGRATED, f"second run changed it again:\n{again.new_text}"


@PROPERTY_SETTINGS
@given(recipe=recipe_texts(), options=options_strategy)
def test_generated_recipes_migrate_faithfully(recipe: RecipeText, options: Options) -> None:
    source = decode(recipe.raw)
    outcome = migrate_yaml(source.text, options)
    if outcome.status is Status.FAILED:
        # Designed refusals only: a setting the new optimizer cannot honour (MIG101). Splice, verification
        # or schema failures are bugs.
        assert outcome.problem is not None and outcome.problem.message.startswith(DESIGNED_REFUSALS), (
            outcome.problem,
            source.text,
        )
        event(f"refused: {outcome.problem.message.split(':')[0]}")
    check_outcome(source.text, outcome, options, source.bom)


@MUTATION_SETTINGS
@given(text=mutated_fixtures(), options=options_strategy)
def test_mutated_fixtures_never_crash_and_never_write_wrong_data(text: str, options: Options) -> None:
    source = decode(text.encode("utf-8"))  # as the runner reads it: a leading BOM is not text
    outcome = migrate_yaml(source.text, options)
    if outcome.status is Status.FAILED:
        assert outcome.problem is not None and outcome.problem.message
    check_outcome(source.text, outcome, options, source.bom)


def test_generated_styles_include_every_variant() -> None:
    """The generator really produces what the properties claim to cover (guards against a silent narrowing)."""
    seen: set[str] = set()

    @settings(max_examples=200, deadline=None, database=None)
    @given(recipe_texts())
    def collect(recipe: RecipeText) -> None:
        text = recipe.text
        features = {
            "bom": recipe.bom,
            "crlf": "\r\n" in text,
            "no-final-newline": not text.endswith("\n"),
            "flow-mapping": ": {" in text,
            "block-sequence": "- " in text,
            "flow-sequence": ": [" in text,
            "four-space": "\n    _target_" in text.replace("\r\n", "\n"),
            "comment": "# note" in text,
            "quoted-key": '"model":' in text or "'optimizer':" in text,
        }
        seen.update(name for name, present in features.items() if present)

    collect()
    assert seen == {
        "bom",
        "crlf",
        "no-final-newline",
        "flow-mapping",
        "block-sequence",
        "flow-sequence",
        "four-space",
        "comment",
        "quoted-key",
    }
