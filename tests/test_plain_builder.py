"""The plain builder (`loading.plain_data`) builds what PyYAML's SafeConstructor builds, types included, and
hands every tree it does not cover to that constructor."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrator.yaml import loading
from migrator.yaml.document import YamlDocument
from migrator.yaml.loading import YamlError, load_data
from migrator.yaml.verify import same_data
from tests.recipe_strategies import recipe_texts
from tests.test_loader_divergence import yaml_ish


def _built(text: str) -> Any:
    """The plain builder's answer on libyaml's tree of `text`."""
    loader = yaml.CSafeLoader(text)
    try:
        return loading.plain_data(loader.get_single_node(), loader, text)
    finally:
        loader.dispose()


PLAIN = {
    "scalars of each type": "a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: '1'\ng: 0x1f\nh: .inf\ni: 1e-5\nj: 0o17\n",
    "YAML 1.1 spellings": "a: yes\nb: Off\nc: 1_000\nd: 0b101\ne: 1:30\nf: -.INF\n",
    "explicit standard tags": "a: !!str 12\nb: !!int '7'\nc: !!float 3\nd: !!null x\n",
    "nested blocks and flows": "model:\n  layers: [1, 2, {x: [a, b]}]\n  opts: {lr: 1.0e-4, betas: [0.9, 0.95]}\n",
    "an ampersand that is no anchor": "# log to W&B\nname: R&D\n",
    "empty values": "a:\nb: []\nc: {}\nd: ''\n",
}
NOT_PLAIN = {
    "an alias": "a: &x {b: 1}\nc: *x\n",
    "an anchor after a flow colon": '{"a":&x 1, "b": *x}\n',
    "a merge key": "base: {a: 1}\nchild:\n  <<: {a: 2}\n  b: 3\n",
    "a timestamp": "when: 2024-01-01\n",
    "a binary": "blob: !!binary aGVsbG8=\n",
    "a set": "s: !!set {a, b}\n",
    "an integer key": "1: one\n",
    "a null key": "~: none\n",
    "a duplicate key": "a: 1\na: 2\n",
    "a bad explicit bool": "a: !!bool maybe\n",
    "nesting past the limit": "a: " + "[" * (loading.MAX_DEPTH + 1) + "]" * (loading.MAX_DEPTH + 1) + "\n",
}


@pytest.mark.parametrize("text", PLAIN.values(), ids=PLAIN.keys())
def test_a_plain_tree_is_built_as_safe_load_builds_it(text: str) -> None:
    built = _built(text)
    assert built is not loading.NOT_PLAIN
    assert same_data(built, yaml.safe_load(text))


@pytest.mark.parametrize("text", NOT_PLAIN.values(), ids=NOT_PLAIN.keys())
def test_any_other_tree_is_left_to_the_constructor(text: str) -> None:
    assert _built(text) is loading.NOT_PLAIN


def test_the_constructors_path_keeps_its_checks_and_results() -> None:
    """What the builder leaves out still loads (or fails) exactly as before."""
    assert same_data(YamlDocument(NOT_PLAIN["an alias"]).data, {"a": {"b": 1}, "c": {"b": 1}})
    assert YamlDocument(NOT_PLAIN["an alias"]).has_aliases
    assert same_data(YamlDocument(NOT_PLAIN["a merge key"]).data, yaml.safe_load(NOT_PLAIN["a merge key"]))
    with pytest.raises(YamlError, match="duplicate key `a`"):
        YamlDocument(NOT_PLAIN["a duplicate key"])
    with pytest.raises(YamlError, match="nested deeper"):
        YamlDocument(NOT_PLAIN["nesting past the limit"])
    assert YamlDocument(NOT_PLAIN["an integer key"]).first_non_string_key() is not None


def test_memoised_resolution_answers_as_the_resolver_does() -> None:
    """The same value resolves alike plain and quoted, and again from the memo."""
    for _ in range(2):
        assert same_data(load_data("a: '1'\nb: 1\nc: 'true'\nd: true\n"), {"a": "1", "b": 1, "c": "true", "d": True})


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(yaml_ish, recipe_texts().map(lambda recipe: recipe.text)))
def test_generated_texts_build_exactly_what_safe_load_builds(text: str) -> None:
    try:
        reference = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return
    built = _built(text)
    if built is not loading.NOT_PLAIN:
        assert same_data(built, reference), repr(text)


def test_every_corpus_config_loads_the_same_data_as_safe_load(corpus: Path) -> None:
    configs = sorted(path for path in (corpus / "examples").rglob("*") if path.suffix in (".yaml", ".yml"))
    assert len(configs) > 500
    plain = 0
    for path in configs:
        text = path.read_text()
        assert same_data(YamlDocument(text).data, yaml.safe_load(text)), path
        assert same_data(load_data(text), yaml.safe_load(text)), path
        plain += _built(text) is not loading.NOT_PLAIN
    assert plain > 0.95 * len(configs)  # the fast path is the common one


def test_loading_a_plain_config_leaves_no_reference_cycle() -> None:
    """Each file's loader must be freed when the file is done: garbage in cycles waits for the cycle collector,
    which a run makes rare (it raises the GC thresholds), and piled up to 3x the memory on a large run."""
    text = PLAIN["nested blocks and flows"] + PLAIN["scalars of each type"]
    gc.collect()
    gc.disable()
    try:
        YamlDocument(text)
        load_data(text)
        assert gc.collect() == 0
    finally:
        gc.enable()
