"""Bad and hostile input through the whole `migrate` command: a specific message with the path (and line when
there is one), exit 2, and the file byte-identical; YAML that is not a recipe is left alone silently."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from migrator.cli import main

RECIPE = "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n  lr: 1.0e-4\n"


def _billion_laughs() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return RECIPE + "\n".join(lines) + "\n"


def _nested(depth: int) -> str:
    return RECIPE + "deep: " + "[" * depth + "]" * depth + "\n"


def _nested_through_aliases() -> str:
    """Each anchor is shallow, but expanding the aliases nests 20 x 10 levels."""
    lines = ["l0: &l0 " + "[" * 10 + "1" + "]" * 10]
    lines += [f"l{i}: &l{i} " + "[" * 9 + f"*l{i - 1}" + "]" * 9 for i in range(1, 20)]
    return RECIPE + "\n".join(lines) + "\n"


FAILED_CASES = [
    pytest.param(
        b"model:\n  torch_dtype: bf16 \xff\n",
        ": error: not UTF-8 (byte 27, line 2) (re-encode the file as UTF-8)",
        id="not-utf8",
    ),
    pytest.param(RECIPE.encode("utf-16"), ": error: UTF-16 encoded", id="utf16"),
    pytest.param(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 20, ": error: binary file (contains NUL bytes)", id="binary"),
    pytest.param(
        RECIPE + "---\nmodel: {}\n", ":6:1: error: a second YAML document starts at line 6", id="multi-document"
    ),
    pytest.param(
        RECIPE + "model:\n  torch_dtype: float32\n",
        ":6:1: error: duplicate key `model` (first at line 1)",
        id="duplicate-key",
    ),
    pytest.param(
        "model:\n\ttorch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n",
        ":2:1: error: tab character in the indentation (YAML indents with spaces only",
        id="tab-indent",
    ),
    pytest.param(RECIPE + "  \tfused: true\n", ":6:3: error: tab character in the indentation", id="tab-after-spaces"),
    pytest.param(
        RECIPE + "scheduler: !foo {warmup: 10}\n",
        ":6:12: error: unsafe or unknown tag `!foo` (never constructed)",
        id="unknown-tag",
    ),
    pytest.param(_billion_laughs(), ":12:5: error: aliases expand to more than 1,000,000 nodes", id="alias-bomb"),
    pytest.param(RECIPE + "loop: &x [*x]\n", ":6:7: error: recursive alias: a node contains itself", id="self-alias"),
    pytest.param(_nested(100_000), ":6:1006: error: nested deeper than 100 levels", id="nesting-100k-brackets"),
    pytest.param(_nested(150), ":6:106: error: nested deeper than 100 levels", id="nesting-150"),
    pytest.param(
        "".join(" " * i + f"k{i}:\n" for i in range(120)) + RECIPE,
        ":101:101: error: nested deeper than 100 levels",
        id="nesting-block",
    ),
    pytest.param(
        _nested_through_aliases(), ":14:5: error: nested deeper than 100 levels", id="nesting-through-aliases"
    ),
    pytest.param(
        "model: gpt-4o\noptimizer:\n  _target_: torch.optim.AdamW\n",
        ":1:1: error: `model` must be a mapping, found str",
        id="model-scalar",
    ),
    pytest.param(
        "model:\n  torch_dtype: bf16\noptimizer: [adamw]\n",
        ":3:1: error: `optimizer` must be a mapping, found list",
        id="optimizer-list",
    ),
    pytest.param(RECIPE + "  1: 0.5\n", ":6:3: error: key `1` is not a string (YAML reads it as int)", id="int-key"),
    pytest.param(
        RECIPE + "  yes: true\n", ":6:3: error: key `yes` is not a string (YAML reads it as bool)", id="bool-key"
    ),
    pytest.param(RECIPE + "~: x\n", ":6:1: error: key `~` is not a string (YAML reads it as null)", id="null-key"),
    pytest.param(
        RECIPE + "? [a, b]\n: 1\n",
        ":6:3: error: while constructing a mapping found unhashable key (a list or mapping cannot be a key",
        id="list-key",
    ),
    pytest.param(
        RECIPE + "optimizer_extra: [unclosed\n", ":7:1: error: while parsing a flow sequence", id="syntax-error"
    ),
]


def _run(tmp_path: Path, content: bytes | str, *args: str) -> tuple[int, str, Path, bytes]:
    path = tmp_path / "config.yaml"
    raw = content.encode() if isinstance(content, str) else content
    path.write_bytes(raw)
    return main([*args, str(path)]), path.as_posix(), path, raw


@pytest.mark.parametrize(("content", "expected"), FAILED_CASES)
def test_bad_input_fails_with_its_message_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | str, expected: str
) -> None:
    tracemalloc.start()
    try:
        code, shown, path, raw = _run(tmp_path, content, "--pattern", "te")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"{shown}{expected}" in err, err
    assert path.read_bytes() == raw
    # Memory, not wall time, is the deterministic witness: expanding an alias bomb or deep nesting allocates.
    assert peak < 64 * 1024 * 1024, "bounded memory"


def test_tag_that_would_run_code_is_never_constructed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sentinel = tmp_path / "pwned"
    payloads = [
        f"!!python/object/apply:os.system ['touch {sentinel}']",
        f"!!python/object/apply:builtins.exec [\"open('{sentinel}', 'w').close()\"]",
        f"!!python/object/new:subprocess.Popen [['touch', '{sentinel}']]",
    ]
    for payload in payloads:
        code, shown, path, raw = _run(tmp_path, RECIPE + f"callback: {payload}\n", "--pattern", "te")
        assert code == 2
        assert f"{shown}:6:11: error: unsafe or unknown tag `!!python/object" in capsys.readouterr().err
        assert path.read_bytes() == raw
    assert not sentinel.exists()


def test_size_limit_is_configurable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    size = len(RECIPE)
    code, shown, path, _raw = _run(tmp_path, RECIPE, "--check", "--max-file-size", str(size - 1))
    assert code == 2
    assert (
        f"{shown}: error: {size:,} bytes, over the size limit of {size - 1:,} (no recipe is this large; if this one is, raise --max-file-size)"
        in capsys.readouterr().err
    )
    assert main(["--check", "--max-file-size", str(size), str(path)]) == 1
    assert main(["--check", "--max-file-size", "1K", str(path)]) == 1


def test_default_size_limit_is_one_mebibyte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, path, raw = _run(tmp_path, RECIPE + "# padding\n" * 110_000)
    assert code == 2 and "over the size limit of 1,048,576" in capsys.readouterr().err
    assert path.read_bytes() == raw


@pytest.mark.parametrize("value", ["0", "-5", "lots", "1T"])
def test_bad_size_is_a_usage_error(value: str, tmp_path: Path) -> None:
    assert main(["--max-file-size", value, str(tmp_path)]) == 2


NOT_RECIPES = [
    pytest.param("", "empty: no YAML content (blank or only comments)", id="empty"),
    pytest.param("\n   \n\n", "empty: no YAML content", id="blank-lines"),
    pytest.param("# model:\n#   torch_dtype: bf16\n", "empty: no YAML content", id="comment-only"),
    pytest.param("\ufeff# only a BOM and a comment\n", "empty: no YAML content", id="bom-comment-only"),
    pytest.param(
        "model: gpt-4o\nauto-commits: false\n", "no `optimizer` or `model` mapping", id="other-tool-model-string"
    ),
    pytest.param(
        "apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Pod\n",
        "a second YAML document starts at line 3",
        id="kubernetes-multi-document",
    ),
    pytest.param(
        "site_name: docs\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
        "unsafe or unknown tag",
        id="mkdocs-python-tag",
    ),
    pytest.param(
        "Resources:\n  Bucket:\n    Properties:\n      BucketName: !Ref Name\n",
        "unsafe or unknown tag `!Ref`",
        id="cloudformation-tag",
    ),
    pytest.param(
        "apiVersion: v1\n{{- if .Values.enabled }}\nkind: Pod\n{{- end }}\n",
        "not loadable by yaml.safe_load",
        id="helm-template",
    ),
    pytest.param("on:\n  push:\n\tbranches: [main]\n", "tab character in the indentation", id="workflow-with-tab"),
]


@pytest.mark.parametrize(("content", "reason"), NOT_RECIPES)
def test_yaml_that_is_not_a_recipe_is_left_alone_silently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, reason: str
) -> None:
    code, shown, path, raw = _run(tmp_path, content)
    assert code == 0
    err = capsys.readouterr().err
    assert err == "1 file scanned: 0 migrated, 0 unchanged, 0 skipped, 1 not a recipe, 0 failed\n"
    assert path.read_bytes() == raw
    assert main(["-v", str(path)]) == 0
    assert f"{shown}: not a recipe: " in (verbose := capsys.readouterr().err) and reason in verbose


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for index, case in enumerate(FAILED_CASES):
        content = case.values[0]
        (tmp_path / f"bad{index:02}.yaml").write_bytes(content.encode() if isinstance(content, str) else content)
    (tmp_path / "good.yaml").write_text(RECIPE)
    assert main(["--pattern", "te", str(tmp_path)]) == 2
    assert (
        f"{len(FAILED_CASES) + 1} files scanned: 1 migrated, 0 unchanged, 0 skipped, 0 not recipes, {len(FAILED_CASES)} failed"
        in capsys.readouterr().err
    )
    assert "transformer_engine" in (tmp_path / "good.yaml").read_text()
