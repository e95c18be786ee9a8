"""AutoModel's real documentation (MIGRATOR_CORPUS/docs): both patterns, on a copy, with the product's invariants."""

from __future__ import annotations

import ast
import difflib
from collections import Counter
from pathlib import Path

import pytest
import yaml

from migrator import schema
from migrator.core.outcome import Status
from migrator.core.settings import Mode, Options, Settings
from migrator.documents import SUFFIXES as DOCUMENT_SUFFIXES
from migrator.documents.front_end import UNPARSABLE, code_blocks, migrate_blocks
from migrator.runner import run
from tests.conftest import writable_copy


def _documents(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.suffix in DOCUMENT_SUFFIXES)


@pytest.fixture(scope="module", params=["te", "fp32"])
def migrated(request: pytest.FixtureRequest, corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp(f"docs-{request.param}") / "docs"
    writable_copy(corpus / "docs", root)
    results = run(Settings((str(root),), Options(pattern=request.param), Mode.WRITE))
    return request.param, root, results


def _content_lines(text: str, suffix: str) -> set[int]:
    return {line.number for snippet in code_blocks(text, suffix) for line in snippet.block.lines}


def test_every_document_processed_without_failure(migrated, corpus: Path) -> None:
    _pattern, _root, results = migrated
    assert len(results) == len(_documents(corpus / "docs")) == 200
    assert [(r.path, r.outcome.problem) for r in results if r.status is Status.FAILED] == []


def test_only_lines_inside_code_blocks_change(migrated, corpus: Path) -> None:
    _, root, _ = migrated
    for path in _documents(root):
        before = (corpus / "docs" / path.relative_to(root)).read_text()
        after = path.read_text()
        if before == after:
            continue
        old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
        inside_before, inside_after = _content_lines(before, path.suffix), _content_lines(after, path.suffix)
        matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
            if tag != "equal":
                assert set(range(old_start, old_end)) <= inside_before, (path, old_lines[old_start:old_end])
                assert set(range(new_start, new_end)) <= inside_after, (path, new_lines[new_start:new_end])


def test_edited_blocks_parse_and_follow_their_pattern(migrated, corpus: Path) -> None:
    pattern, root, _ = migrated
    for path in _documents(root):
        before = (corpus / "docs" / path.relative_to(root)).read_text()
        after = path.read_text()
        old_blocks, new_blocks = code_blocks(before, path.suffix), code_blocks(after, path.suffix)
        assert [b.block.info for b in old_blocks] == [b.block.info for b in new_blocks], path
        targets = [result.outcome.target for _, result in migrate_blocks(before, Options(pattern=pattern), path.suffix)]
        for old, new, target in zip(old_blocks, new_blocks, targets, strict=False):
            if old.text == new.text:
                continue
            if new.suffix == ".py":
                ast.parse(new.text)
                continue
            assert target is not None, (path, new.block.opener)
            assert schema.violations(yaml.safe_load(new.text), target) == [], (path, new.block.opener)


def test_second_run_changes_nothing(migrated) -> None:
    pattern, root, _ = migrated
    snapshot = {path: path.read_bytes() for path in _documents(root)}
    again = run(Settings((str(root),), Options(pattern=pattern), Mode.WRITE))
    assert [r.path for r in again if r.status is Status.MIGRATED] == []
    assert snapshot == {path: path.read_bytes() for path in _documents(root)}


@pytest.mark.parametrize("pattern", ["te", "fp32"])
def test_block_counts(corpus: Path, pattern: str) -> None:
    """The measure reported in the README: what happens to the blocks of the real pages."""
    counts: Counter[str] = Counter()
    for path in _documents(corpus / "docs"):
        for snippet, result in migrate_blocks(path.read_text(), Options(pattern=pattern), path.suffix):
            outcome = result.outcome
            unparsable = outcome.skip_reason == UNPARSABLE
            counts["blocks"] += 1
            counts[f"{snippet.suffix} blocks"] += 1
            counts["recipes"] += outcome.status is not Status.NOT_RECIPE and not (result.fragment or unparsable)
            counts["migrated"] += outcome.status is Status.MIGRATED
            counts["fragments"] += result.fragment
            counts["unparsable"] += unparsable
            counts["skipped"] += outcome.status is Status.SKIPPED and not (result.fragment or unparsable)
    print(pattern, dict(counts))
    assert counts["migrated"] >= 10 and counts["fragments"] >= 1
