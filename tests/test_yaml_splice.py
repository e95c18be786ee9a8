"""Text-level splicing: exactly the intended bytes move."""

from __future__ import annotations

import pytest

from migrator.core.changes import Delete, Set
from migrator.yaml.document import YamlDocument
from migrator.yaml.loading import YamlError
from migrator.yaml.splice import render_scalar, splice


@pytest.mark.parametrize(
    ("source", "change", "expected"),
    [
        pytest.param("a:\n  b: 1\n", Set(("a", "c"), True), "a:\n  b: 1\n  c: true\n", id="insert-bool"),
        pytest.param("a:\n  b: 1", Set(("a", "c"), 2), "a:\n  b: 1\n  c: 2", id="insert-no-final-newline"),
        pytest.param("a:\r\n  b: 1\r\n", Set(("a", "c"), 2), "a:\r\n  b: 1\r\n  c: 2\r\n", id="insert-crlf"),
        pytest.param(
            "a:\n  b:\n  - 1\n  - 2\nz: 0\n",
            Set(("a", "c"), 2),
            "a:\n  b:\n  - 1\n  - 2\n  c: 2\nz: 0\n",
            id="after-flush-sequence",
        ),
        pytest.param(
            "a:\n  b: 1  # why\n\n  # c: 3\nz: 0\n",
            Set(("a", "c"), 2),
            "a:\n  b: 1  # why\n  c: 2\n\n  # c: 3\nz: 0\n",
            id="before-trailing-comment",
        ),
        pytest.param("a: {}\n", Set(("a", "c"), 2), "a: {c: 2}\n", id="empty-flow"),
        pytest.param("a: {b: 1}\n", Set(("a", "c"), 2), "a: {b: 1, c: 2}\n", id="flow"),
        pytest.param("a:\n  b:\n", Set(("a", "b"), "x"), "a:\n  b: x\n", id="empty-value"),
        pytest.param("a:\n  b: 'q'  # c\n", Set(("a", "b"), "x"), "a:\n  b: 'x'  # c\n", id="quoted-value"),
        pytest.param("a:\n  b: 1\n", Set(("a", "n", "m"), 2), "a:\n  b: 1\n  n:\n    m: 2\n", id="missing-parent"),
        pytest.param("a:\n  n: ~  # d\n", Set(("a", "n", "m"), 2), "a:\n  n:  # d\n    m: 2\n", id="null-parent"),
        pytest.param("a:\n  b: 1\n  c: 2  # x\n  d: 3\n", Delete(("a", "c")), "a:\n  b: 1\n  d: 3\n", id="delete"),
        pytest.param("a: {b: 1, c: 2}\n", Delete(("a", "b")), "a: {c: 2}\n", id="delete-flow-first"),
        pytest.param("a: {b: 1, c: 2}\n", Delete(("a", "c")), "a: {b: 1}\n", id="delete-flow-last"),
        pytest.param("# é ✓\na:\n  b: é\n", Set(("a", "c"), "ü"), "# é ✓\na:\n  b: é\n  c: ü\n", id="unicode"),
    ],
)
def test_splice(source: str, change: Set | Delete, expected: str) -> None:
    assert splice(YamlDocument(source), [change]) == expected


def test_alias_is_never_edited_through() -> None:
    doc = YamlDocument("x: &x\n  b: 1\na: *x\n")
    with pytest.raises(YamlError, match="anchored block"):
        splice(doc, [Set(("a", "b"), 2)])


@pytest.mark.parametrize("value", ["torch.float32", "1e-8", "yes", "null", "a: b", "", 0.01, 1e-05, 3, None, "#x"])
def test_rendered_scalars_read_back_as_the_same_value(value: object) -> None:
    assert YamlDocument(f"k: {render_scalar(value)}\n").data == {"k": value}


def test_insert_after_block_scalar_stays_in_its_block() -> None:
    source = "a:\n  b: |\n    text\nz: 0\n"
    assert splice(YamlDocument(source), [Set(("a", "c"), 1)]) == "a:\n  b: |\n    text\n  c: 1\nz: 0\n"


def test_nested_block_follows_its_own_section_indentation() -> None:
    source = "x:\n    deep:\n        k: 1\nd:\n  s: 1\n"
    assert (
        splice(YamlDocument(source), [Set(("d", "p"), {"k": 1})])
        == "x:\n    deep:\n        k: 1\nd:\n  s: 1\n  p:\n    k: 1\n"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("a:\n  b: 'bf16'\n", "a:\n  b: 'float32'\n", id="single"),
        pytest.param('a:\n  b: "bf16"  # c\n', 'a:\n  b: "float32"  # c\n', id="double"),
        pytest.param("a:\n  b: bf16\n", "a:\n  b: float32\n", id="plain"),
    ],
)
def test_replaced_string_keeps_its_quote_style(source: str, expected: str) -> None:
    assert splice(YamlDocument(source), [Set(("a", "b"), "float32")]) == expected


def test_a_stray_carriage_return_does_not_decide_the_inserted_line_breaks() -> None:
    source = "\r# c\na:\n  b: 1\n"
    assert splice(YamlDocument(source), [Set(("a", "c"), 2)]) == "\r# c\na:\n  b: 1\n  c: 2\n"
