"""`# migrator: ignore[...]` in Python: on any line of the call, argument, dict key or override value a finding
is about or edits (or the first line of its statement), it drops that finding's edits and reports it as suppressed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrator.cli import main
from migrator.core.outcome import SUPPRESSED_BLOCKER, Outcome, Status
from migrator.core.settings import Mode, Options, Settings
from migrator.process import process_file
from tests.python.tools import check_noop, check_transformed, codes, run
from tests.rules.cases import mp_policy_call, one_line_calls, te_arguments

HEAD = "import torch\nfrom torch.distributed.fsdp import fully_shard\n"
LOAD = "    model = M.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
SHARD = "    fully_shard(model)\n"
OPTIMIZER = "    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.0)\n"
POLICY = f"    mp_policy = {mp_policy_call()}\n"
WITH_POLICY_IMPORT = "import torch\nfrom torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard\n"
TE_ARGS = te_arguments()


def _script(load: str = LOAD, shard: str = SHARD, optimizer: str = OPTIMIZER) -> str:
    return HEAD + "def train(M, p):\n" + load + shard + optimizer


def _suppressed(outcome: Outcome) -> list[str]:
    return [located.finding.code for located in outcome.suppressed]


def test_suppressed_optimizer_stays_while_fully_shard_on_another_line_gets_its_policy() -> None:
    optimizer = OPTIMIZER.replace("\n", "  # migrator: ignore\n")
    after = (
        WITH_POLICY_IMPORT
        + "def train(M, p):\n"
        + LOAD
        + POLICY
        + "    fully_shard(model, mp_policy=mp_policy)\n"
        + optimizer
    )
    outcome = check_transformed(_script(optimizer=optimizer), after, pattern="te")
    assert _suppressed(outcome) == ["MIG001"]
    assert codes(outcome) == ["MIG005"]


def test_ignore_with_a_code_on_fully_shard_leaves_that_call_only() -> None:
    shards = "    for layer in model.layers:\n        fully_shard(layer)  # migrator: ignore[MIG005]\n" + SHARD
    after_shards = (
        "    for layer in model.layers:\n        fully_shard(layer)  # migrator: ignore[MIG005]\n"
        + POLICY
        + "    fully_shard(model, mp_policy=mp_policy)\n"
    )
    on_fp32 = LOAD.replace("bfloat16", "float32")  # already on pattern fp32: only the policies are due
    after = WITH_POLICY_IMPORT + "def train(M, p):\n" + on_fp32 + after_shards + OPTIMIZER
    outcome = check_transformed(_script(load=on_fp32, shard=shards), after, pattern="fp32")
    assert _suppressed(outcome) == ["MIG005"] and codes(outcome) == ["MIG005"]
    assert outcome.suppressed[0].line == 6


def test_ignore_with_another_code_does_not_suppress() -> None:
    outcome = run(_script(optimizer=OPTIMIZER.replace("\n", "  # migrator: ignore[MIG005]\n")), pattern="te")
    assert outcome.status is Status.MIGRATED and _suppressed(outcome) == []


def test_suppressing_one_argument_of_a_class_switch_keeps_the_whole_optimizer() -> None:
    # Dropping only the removal of `foreach` would hand FusedAdam an argument it rejects.
    optimizer = "    opt = torch.optim.AdamW(\n        model.parameters(),\n        foreach=False,  # migrator: ignore[MIG003]\n    )\n"
    outcome = check_noop(_script(shard="", optimizer=optimizer), pattern="te")
    assert outcome.status is Status.UNCHANGED
    assert sorted(_suppressed(outcome)) == ["MIG001", "MIG002", "MIG003"]


@pytest.mark.parametrize(
    "optimizer",
    [
        pytest.param(
            "    opt = torch.optim.AdamW(  # migrator: ignore\n        model.parameters(),\n    )\n",
            id="opening line of the call",
        ),
        pytest.param(
            "    opt = torch.optim.AdamW(\n        model.parameters(),\n    )  # migrator: ignore\n",
            id="closing line of the call",
        ),
        pytest.param(
            "    opt = (  # migrator: ignore\n        torch.optim.AdamW(model.parameters())\n    )\n",
            id="first line of the statement",
        ),
    ],
)
def test_any_line_of_a_multi_line_call(optimizer: str) -> None:
    outcome = check_noop(_script(shard="", optimizer=optimizer), pattern="te")
    assert "MIG001" in _suppressed(outcome) and codes(outcome) == []


def test_ignore_on_the_line_a_finding_edits() -> None:
    # pattern fp32: MIG001 is reported at the optimizer but edits the loading call's torch_dtype.
    outcome = check_noop(_script(load=LOAD.replace("\n", "  # migrator: ignore[MIG001]\n"), shard=""), pattern="fp32")
    assert _suppressed(outcome) == ["MIG001"] and outcome.suppressed[0].line == 5


def test_suppressed_error_holds_the_whole_file_as_it_was() -> None:
    # Unsuppressed, amsgrad=True fails the file; suppressing it must not let the fully_shard policy through.
    optimizer = "    opt = torch.optim.AdamW(model.parameters(), amsgrad=True)  # migrator: ignore[MIG101]\n"
    outcome = check_noop(_script(optimizer=optimizer), pattern="te")
    assert outcome.status is Status.SKIPPED and outcome.skip_reason == SUPPRESSED_BLOCKER
    assert "MIG101" in _suppressed(outcome)


def test_report_only_finding_is_suppressed() -> None:
    source = (
        HEAD + "def train(M, p, params):\n" + LOAD + "    opt = torch.optim.AdamW(params)  # migrator: ignore[MIG106]\n"
    )
    outcome = check_noop(source, pattern="te")
    assert _suppressed(outcome) == ["MIG106"] and codes(outcome) == []


RECIPE = """\
cfg = ConfigNode(
    {
        "model": {"torch_dtype": "bf16"},
        "optimizer": {
            "_target_": "torch.optim.AdamW",
            "foreach": False,
        },
    }
)
"""


@pytest.mark.parametrize(
    "commented",
    [
        pytest.param('        "optimizer": {', id="nested dict's key line"),
        pytest.param('            "foreach": False,', id="key line of one edit"),
        pytest.param("    {", id="dict literal's opening line"),
        pytest.param("cfg = ConfigNode(", id="first line of the statement"),
    ],
)
def test_dict_literal_opening_lines(commented: str) -> None:
    source = RECIPE.replace(commented + "\n", commented + "  # migrator: ignore\n", 1)
    assert source != RECIPE
    outcome = check_noop(source, pattern="te")
    assert {"MIG001", "MIG002", "MIG003"} <= set(_suppressed(outcome))


def test_dict_value_line_of_another_key_does_not_suppress() -> None:
    source = RECIPE.replace(
        '"model": {"torch_dtype": "bf16"},', '"model": {"torch_dtype": "bf16"},  # migrator: ignore'
    )
    outcome = run(source, pattern="te")  # pattern te keeps a bf16 storage dtype: the model key is not edited
    assert outcome.status is Status.MIGRATED and _suppressed(outcome) == []


def test_override_value_line() -> None:
    source = 'cmd = [\n    "--model.torch_dtype", "bf16",  # migrator: ignore\n    "--optimizer._target_=torch.optim.AdamW",\n]\n'
    outcome = check_noop(source, pattern="fp32")
    assert _suppressed(outcome) == ["MIG001"]


def test_lines_are_counted_as_python_counts_them() -> None:
    # U+2028 ends a line for YAML, not for Python: the directive is still on the optimizer's line.
    source = _script(
        shard="", optimizer="    # a note\u2028 pasted from a doc\n" + OPTIMIZER.replace("\n", "  # migrator: ignore\n")
    )
    assert _suppressed(check_noop(source, pattern="te")) == ["MIG001"]


def test_unknown_code_is_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(_script(optimizer=OPTIMIZER.replace("\n", "  # migrator: ignore[MIG999]\n")))
    result = process_file(path, Settings((str(path),), Options(pattern="te"), Mode.CHECK))
    assert [(notice.line, "MIG999" in notice.message) for notice in result.notices] == [(6, True)]
    assert result.status is Status.MIGRATED  # an unknown code suppresses nothing


def test_suppressed_python_finding_in_the_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "train.py").write_text(_script(optimizer=OPTIMIZER.replace("\n", "  # migrator: ignore\n")))
    assert (
        main(["--check", "--pattern", "te", "--output-format", "json", str(tmp_path)]) == 1
    )  # mp_policy still pending
    (report,) = json.loads(capsys.readouterr().out)["files"]
    assert [(finding["code"], finding["suppressed"]) for finding in report["findings"]] == [
        ("MIG005", False),
        ("MIG001", True),
    ]


def test_unsuppressed_script_migrates_fully() -> None:
    # The control for the cases above: without comments every finding is made.
    outcome = run(_script(), pattern="te")
    assert outcome.status is Status.MIGRATED and outcome.new_text is not None
    assert f"FusedAdam(model.parameters(), lr=1e-5, weight_decay=0.0, {TE_ARGS})" in one_line_calls(outcome.new_text)
    assert sorted(codes(outcome)) == ["MIG001", "MIG005"]
