"""Verification: the section-wise re-read must accept and reject exactly what a full re-read does."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.core import changes as changes_mod
from migrator.core.classify import classify
from migrator.core.settings import Options
from migrator.rules import make_plan
from migrator.yaml.document import YamlDocument
from migrator.yaml.splice import splice_with_edits
from migrator.yaml.text_edits import TextEdit, apply_edits
from migrator.yaml.verify import VerificationError, _edited_sections, verify, verify_edited

SOURCE = "recipe: r\nmodel:\n  torch_dtype: bf16\n# between\noptimizer:\n  _target_: torch.optim.AdamW\n  lr: 1.0e-5\nci:\n  time: 1\n"


def _planned(text: str, pattern: str) -> tuple[YamlDocument, list[changes_mod.Change]]:
    doc = YamlDocument(text)
    return doc, make_plan(doc.data, classify(doc.data), Options(pattern=pattern)).changes


@pytest.mark.parametrize("pattern", ["te", "fp32"])
def test_sections_read_back_like_the_whole_file(pattern: str) -> None:
    doc, planned = _planned(SOURCE, pattern)
    new_text, edits = splice_with_edits(doc, planned)
    intended = changes_mod.apply(doc.data, planned)
    assert _edited_sections(doc, edits, new_text) is not None, "the fast path applies to this shape"
    assert verify_edited(doc, edits, new_text, intended) == verify(new_text, intended)


def test_wrong_value_in_an_edited_section_is_caught() -> None:
    doc, planned = _planned(SOURCE, "fp32")
    new_text, edits = splice_with_edits(doc, planned)
    wrong = changes_mod.apply(doc.data, [changes_mod.Set(("model", "torch_dtype"), "bfloat16")])
    with pytest.raises(VerificationError, match=r"model\.torch_dtype"):
        verify_edited(doc, edits, new_text, wrong)


def test_edit_that_starts_a_new_top_level_key_is_caught() -> None:
    doc = YamlDocument(SOURCE)
    at = SOURCE.index("  lr:")
    broken = [TextEdit(at, at, "stray: 1\n")]  # column 0 inside optimizer: a new top-level key
    new_text = apply_edits(SOURCE, broken)
    with pytest.raises(VerificationError):
        verify_edited(doc, broken, new_text, doc.data)


def test_aliases_anywhere_mean_a_full_re_read() -> None:
    text = "base: &b 1\nmodel:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n  lr: *b\n"
    doc, planned = _planned(text, "fp32")
    new_text, edits = splice_with_edits(doc, planned)
    assert _edited_sections(doc, edits, new_text) is None


def test_every_migrated_corpus_config_agrees_with_the_full_re_read(corpus: Path) -> None:
    fast = 0
    for path in sorted((corpus / "examples").rglob("*.yaml")):
        doc, planned = _planned(path.read_text(), "te")
        if not planned:
            continue
        new_text, edits = splice_with_edits(doc, planned)
        intended = changes_mod.apply(doc.data, planned)
        fast += _edited_sections(doc, edits, new_text) is not None
        assert verify_edited(doc, edits, new_text, intended) == verify(new_text, intended), path
    assert fast > 250, "the section-wise re-read serves most real configs"
