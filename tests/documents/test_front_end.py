"""Documents through the engine, the runner and the CLI: positions, fragments, suppressions, failures, reports."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from migrator.cli import group_main, main
from migrator.core.outcome import Outcome, Status
from migrator.core.settings import Options, Settings
from migrator.documents.front_end import migrate_document
from migrator.process import process_file
from tests.conftest import FIXTURES

RISKY_BLOCK = """\
model:
  torch_dtype: bfloat16
optimizer:
  _target_: torch.optim.AdamW
"""


def migrate(source: str, pattern: str = "fp32", suffix: str = ".md") -> Outcome:
    return migrate_document(textwrap.dedent(source), Options(pattern=pattern), suffix=suffix)


def where(outcome: Outcome, code: str) -> list[tuple[int, int]]:
    return [(located.line, located.column) for located in outcome.findings if located.finding.code == code]


def test_findings_are_at_document_positions_through_list_and_quote_prefixes() -> None:
    outcome = migrate(
        """\
        # Title

        1. Step

           ```yaml
           model:
             torch_dtype: bfloat16
           optimizer:
             _target_: torch.optim.AdamW
           ```

        > ```yaml
        > model:
        >   torch_dtype: bf16
        > optimizer:
        >   _target_: torch.optim.AdamW
        > ```
        """
    )
    assert outcome.status is Status.MIGRATED
    assert where(outcome, "MIG001") == [(9, 6), (16, 5)]
    assert "   model:\n     torch_dtype: float32\n" in outcome.new_text
    assert ">   torch_dtype: float32\n" in outcome.new_text


def test_inserted_lines_keep_the_block_prefix_and_the_document_line_breaks() -> None:
    lines = ["- item", "", "  ```yaml", "  model:", "    name: x", "", "  optimizer:"]
    lines += ["    _target_: torch.optim.AdamW", "  ```"]
    source = "\r\n".join(lines) + "\r\n"
    outcome = migrate_document(source, Options(pattern="fp32"), suffix=".md")
    assert outcome.new_text == source.replace("    name: x\r\n", "    name: x\r\n    torch_dtype: float32\r\n")


@pytest.mark.parametrize(
    "block",
    [
        "distributed:\n  tp_size: 2\n",  # not enough to decide anything
        "model:\n  torch_dtype: bfloat16\n",  # a model shown alone (inference, loading)
        "optimizer:\n  lr: 1.0e-4\n",  # an optimizer override without its class
        "import torch\nprint(torch.cuda.is_available())\n",
    ],
)
def test_blocks_that_are_not_recipes_are_silent(block: str) -> None:
    language = "python" if "import" in block else "yaml"
    outcome = migrate_document(f"Text\n\n```{language}\n{block}```\n", Options(), suffix=".md")
    assert outcome.status is Status.NOT_RECIPE and outcome.findings == ()


def test_a_block_that_does_not_parse_is_skipped_and_the_others_migrate() -> None:
    outcome = migrate(f"```yaml\nmodel:\n  ...\n  x: 1\noptimizer: [\n```\n\n```yaml\n{RISKY_BLOCK}```\n")
    assert outcome.status is Status.MIGRATED and outcome.new_text.count("float32") == 1


def test_a_block_that_cannot_be_migrated_fails_the_document_at_its_line() -> None:
    source = f"Intro\n\n```yaml\n{RISKY_BLOCK}  amsgrad: true\n```\n\n```yaml\n{RISKY_BLOCK}```\n"
    outcome = migrate_document(source, Options(pattern="te"), suffix=".md")
    assert outcome.status is Status.FAILED and outcome.new_text is None
    assert (outcome.problem.line, outcome.problem.column) == (8, 3)


COMMENTS = ["<!-- migrator: ignore -->", "<!-- migrator: ignore[MIG001] -->", "{/* migrator: ignore */}"]


@pytest.mark.parametrize("comment", COMMENTS)
def test_a_comment_before_a_block_leaves_the_whole_block(comment: str) -> None:
    source = f"{comment}\n```yaml\n{RISKY_BLOCK}```\n"
    outcome = migrate_document(source, Options(pattern="te"), suffix=".mdx")
    assert outcome.status is Status.SKIPPED and outcome.new_text is None
    assert {located.finding.code for located in outcome.suppressed} >= {"MIG001"}
    assert outcome.findings == ()


def test_a_comment_for_other_codes_leaves_the_block_migrated() -> None:
    outcome = migrate(f"<!-- migrator: ignore[MIG102] -->\n```yaml\n{RISKY_BLOCK}```\n")
    assert outcome.status is Status.MIGRATED and outcome.suppressed == ()


def test_a_comment_inside_the_block_works_as_in_a_yaml_file() -> None:
    outcome = migrate(f"```yaml\n{RISKY_BLOCK.replace('model:', 'model:  # migrator: ignore')}```\n")
    assert outcome.status is Status.UNCHANGED and where(outcome, "MIG001") == []
    assert [(located.finding.code, located.line) for located in outcome.suppressed] == [("MIG001", 5)]


@pytest.mark.parametrize(
    ("top", "skipped"),
    [
        ("<!-- migrator: skip-file -->", True),
        ("{/* migrator: skip-file */}", True),
        ("```yaml\n# migrator: skip-file\n```", False),  # an example in a page
    ],
)
def test_skip_file_is_a_document_comment(tmp_path: Path, top: str, skipped: bool) -> None:
    path = tmp_path / "page.mdx"
    path.write_text(f"{top}\n\n```yaml\n{RISKY_BLOCK}```\n")
    result = process_file(path, Settings((str(tmp_path),), Options()))
    assert (result.outcome.skip_reason == "skip-file") is skipped


def test_python_blocks_go_through_the_python_front_end() -> None:
    outcome = migrate(
        """\
        ```python
        import torch
        from nemo_automodel import NeMoAutoModelForCausalLM

        model = NeMoAutoModelForCausalLM.from_pretrained("m", torch_dtype=torch.bfloat16)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
        ```
        """
    )
    assert outcome.status is Status.MIGRATED and "torch_dtype=torch.float32" in outcome.new_text
    assert where(outcome, "MIG001")[0][0] == 6


def _case(tmp_path: Path, suffix: str = ".md") -> Path:
    target = tmp_path / f"page{suffix}"
    shutil.copyfile(FIXTURES / "te" / "doc_markdown_blocks" / f"input{suffix}", target)
    return target


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github", "markdown"])
def test_every_report_format_names_document_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    _case(tmp_path)
    assert main(["--check", "--pattern", "te", "--no-progress", "--output-format", output_format, str(tmp_path)]) == 1
    captured = capsys.readouterr()
    report = captured.out + captured.err
    assert "page.md" in report and "MIG001" in report
    if output_format == "json":
        json.loads(captured.out)


def test_diff_applies_with_git_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _case(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["--diff", "--pattern", "te", "page.md"]) == 1
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run(["git", "apply", "-"], input=capsys.readouterr().out.encode(), check=True)
    assert page.read_bytes() == (FIXTURES / "te" / "doc_markdown_blocks" / "expected.md").read_bytes()


def test_validate_reports_block_misses_at_document_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\n```yaml\n{RISKY_BLOCK}```\n")
    assert group_main(["validate", "--pattern", "fp32", str(page)]) == 1
    assert f"{page}:5:3: model.torch_dtype" in capsys.readouterr().err
    page.write_text("# Title\n\n```bash\nls\n```\n")
    assert group_main(["validate", str(page)]) == 0


def test_a_directive_shown_in_prose_directs_nothing() -> None:
    outcome = migrate(f"Write `<!-- migrator: ignore -->` above a block:\n```yaml\n{RISKY_BLOCK}```\n")
    assert outcome.status is Status.MIGRATED


def test_rst_comments_suppress_a_directive_and_skip_a_file(tmp_path: Path) -> None:
    directive = ".. code-block:: yaml\n\n" + "".join(f"   {line}\n" for line in RISKY_BLOCK.splitlines())
    outcome = migrate_document(f"Title\n=====\n\n.. migrator: ignore\n\n{directive}", Options(), suffix=".rst")
    assert outcome.status is Status.SKIPPED
    assert [(found.finding.code, found.line) for found in outcome.suppressed] == [("MIG104", 8), ("MIG001", 11)]
    path = tmp_path / "page.rst"
    path.write_text(f".. migrator: skip-file\n\n{directive}")
    assert process_file(path, Settings((str(tmp_path),), Options())).outcome.skip_reason == "skip-file"
