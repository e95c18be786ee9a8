"""libyaml (the fast path) against PyYAML's pure-Python loader (AutoModel's `yaml.safe_load`, the reference).

The property test generates YAML-ish text from the pieces that make the two disagree; every disagreement it
found is in `divergence_possible` (texts that take the reference loader) and listed in the README.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from migrator.yaml import loading
from migrator.yaml.document import YamlDocument
from migrator.yaml.loading import YamlError

PIECES = [
    *"ab: \n#-'\"1[]{},?!|>\r\\~@`%",
    "  ", "\t", "\x85", "\u2028", "\u2029", "\ufeff", "\u00e9", "\U0001f600", "x y", "&x", "*x", "...", "---",
    "<<", "!!str", "!x", "|-", ">+2", "\n- ", ": ", "k: ", "\n  k: ", "0x1", "1e3", ".inf", "'a\n b'", '"\\t"',
]  # fmt: skip
yaml_ish = st.lists(st.sampled_from(PIECES), min_size=1, max_size=16).map("".join)

# One text per divergence the README lists: libyaml accepts it, safe_load rejects it or reads other data.
DIVERGENCES = {
    "tab before a comment": "a: x\t# c\n",
    "tab after a colon": "a:\tb\n",
    "tab in a flow collection": "a: [b,\tc]\n",
    "comment glued to a block scalar header": "a: |# c\n  x\n",
    "empty tag": "a: !\n",
    "reserved directive": "%FOO bar\n---\na: 1\n",
    "reserved directive after a carriage return": "# c\r%FOO bar\r---\ra: 1\r",
    "question mark in a flow collection": "a: [b?c]\n",
    "question mark on a later line of a flow collection": "a: [b,\n  c?]\n",
}


def _load(loader: type, text: str) -> tuple[str, Any]:
    try:
        return "ok", yaml.load(text, Loader=loader)
    except yaml.YAMLError:
        return "error", None


# What the tool refuses on purpose though safe_load loads it (reported as file problems, see the README).
_POLICY = ("duplicate key", "aliases expand", "recursive alias", "nested deeper")


def _ours(text: str) -> tuple[str, Any]:
    try:
        return "ok", YamlDocument(text).data
    except YamlError as exc:
        return ("policy" if exc.message.startswith(_POLICY) else "error"), None


@pytest.mark.parametrize("text", DIVERGENCES.values(), ids=DIVERGENCES.keys())
def test_each_listed_divergence_is_real_and_follows_the_reference(text: str) -> None:
    assert _load(yaml.CSafeLoader, text) != _load(yaml.SafeLoader, text)
    assert loading.divergence_possible(text)
    assert _ours(text) == _load(yaml.SafeLoader, text)


def test_a_rejected_text_reports_the_reference_loaders_message_and_position() -> None:
    with pytest.raises(YamlError) as caught:
        YamlDocument("model:\n  torch_dtype: bf16\t# note\n")
    error = caught.value
    assert (error.line, error.column) == (2, 20)
    assert "found character '\\t' that cannot start any token" in error.message
    assert "yaml.safe_load" in error.hint


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_ish)
@example("a: x\t# c\n")
@example("\n\ufeff*x")
def test_libyaml_and_the_reference_agree_unless_a_divergence_is_possible(text: str) -> None:
    if not loading.divergence_possible(text):
        fast, reference = _load(yaml.CSafeLoader, text), _load(yaml.SafeLoader, text)
        assert fast == reference, repr(text)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_ish)
def test_a_document_loads_exactly_what_the_reference_loads(text: str) -> None:
    ours, reference = _ours(text), _load(yaml.SafeLoader, text)
    if ours[0] != "policy":
        assert ours == reference, repr(text)
