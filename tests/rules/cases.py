"""Running one rule case through a front end, and the canonical blocks rendered from `migrator.patterns`.

A case is `before` text, the exact `after` text (None: the file is left as it was) and the findings it must
report, each as `(code, key part of its message)`, in report order. `check` runs it through the YAML or the
Python front end, checks the result parses and is idempotent, and returns the outcome for further asserts.

The canonical values are never typed here: `te_settings`, `mp_policy` and their renderings below read them
from the pattern objects, so a test follows a change of `patterns/` instead of hiding it.
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from migrator import patterns
from migrator.core import automodel, wording
from migrator.core.outcome import Outcome, Status
from migrator.core.settings import Mode, Options
from migrator.patterns import te
from migrator.python import migrate_python, migrate_test_code
from migrator.yaml.front_end import migrate_yaml

Findings = Sequence[tuple[str, str]]


def _compile(text: str) -> None:
    compile(text, "after.py", "exec", dont_inherit=True)


@dataclass(frozen=True)
class FrontEnd:
    name: str
    migrate: Callable[[str, Options], Outcome]
    parse: Callable[[str], object]  # the result must still be valid YAML / Python

    def __repr__(self) -> str:  # shown in parametrized test ids
        return self.name


YAML = FrontEnd("yaml", migrate_yaml, yaml.safe_load)
PYTHON = FrontEnd("python", migrate_python, _compile)
# The Python front end on a file the discovery takes for test code (`test_*.py`, `conftest.py`, `tests/...`).
PYTHON_TEST_CODE = FrontEnd("python-test-code", migrate_test_code, _compile)


def codes(outcome: Outcome) -> list[str]:
    return [located.finding.code for located in outcome.findings]


def check(
    front: FrontEnd,
    before: str,
    after: str | None,
    findings: Findings,
    status: Status | None = None,
    **options: Any,
) -> Outcome:
    """Run `before` (dedented) with `Options(**options)`; `after` None means no new text and `status` (default
    UNCHANGED). Every finding must be listed: codes exactly, messages by a key part, as a write run reports them
    (what is wrong, then what the fix did or why it did not happen)."""
    before = textwrap.dedent(before)
    outcome = front.migrate(before, Options(**options))
    reported = [
        (located.finding.code, wording.finding_message(located, outcome, Mode.WRITE)) for located in outcome.findings
    ]
    # Reports list findings in file order; a case lists them by rule: compare per code, in order within a code.
    reported = sorted(reported, key=lambda item: item[0])
    expected = sorted(findings, key=lambda item: item[0])
    assert [code for code, _ in reported] == [code for code, _ in expected], reported
    for (code, message), (_, part) in zip(reported, expected, strict=True):
        assert part in message, f"{code}: {part!r} not in {message!r}"
    if after is None:
        assert outcome.new_text is None, outcome.new_text
        assert outcome.status is (status or Status.UNCHANGED), (outcome.status, outcome.problem)
        return outcome
    return transformed(front, before, after, outcome, **options)


def one_line_calls(text: str) -> str:
    """`text` with every call written one argument per line (as the Python front end wraps a call that outgrows the
    file's width) joined back onto one line. Rule cases state what an edit writes on one line; the wrapping itself is
    checked by the golden fixtures (`fixtures/*/py_long_call_wrapped`) and `tests/python/test_front_end.py`."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        j = i + 1
        args: list[str] = []
        while line.endswith("(") and j < len(lines) and lines[j].startswith(indent + "    ") and lines[j].endswith(","):
            inner = lines[j][len(indent) + 4 :]
            if inner[:1].isspace() or inner.endswith("("):
                break
            args.append(inner[:-1])
            j += 1
        if args and j < len(lines) and lines[j].startswith(indent + ")"):
            out.append(line + ", ".join(args) + lines[j][len(indent) :])
            i = j + 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def transformed(front: FrontEnd, before: str, after: str, outcome: Outcome | None = None, **options: Any) -> Outcome:
    """`before` (dedented) migrates to `after` (dedented), which parses and migrates no further. A call the edit
    wrapped one argument per line (it outgrew the file's width) may be written on one line in `after`."""
    after = textwrap.dedent(after)
    if outcome is None:
        outcome = front.migrate(textwrap.dedent(before), Options(**options))
    assert outcome.status is Status.MIGRATED, outcome.problem or outcome.findings
    new_text = outcome.new_text or ""
    assert new_text == after or one_line_calls(new_text) == after, "".join(
        difflib.unified_diff(after.splitlines(True), one_line_calls(new_text).splitlines(True), "after", "new_text")
    )
    front.parse(after)
    again = front.migrate(after, Options(**options))
    assert again.new_text is None, f"not idempotent:\n{again.new_text}"
    return outcome


def failed(front: FrontEnd, before: str, code: str, part: str, line: int, **options: Any) -> Outcome:
    """A case that fails the file: nothing written, the problem names the rule, its message part and the line."""
    outcome = front.migrate(textwrap.dedent(before), Options(**options))
    assert outcome.status is Status.FAILED and outcome.new_text is None, outcome.status
    assert outcome.problem is not None
    assert outcome.problem.message.startswith(code) and part in outcome.problem.message, outcome.problem.message
    assert outcome.problem.line == line
    return outcome


# -- canonical values, from the pattern objects ---------------------------------------------------------
TE = patterns.PATTERNS["te"]
FP32 = patterns.PATTERNS["fp32"]
TE_TARGET = automodel.TE_FUSED_ADAM


def te_settings(adam_w_mode: bool = True) -> dict[str, Any]:
    """What a switch to pattern te writes after `_target_`: the update rule, then the FusedAdam settings."""
    return {"adam_w_mode": adam_w_mode, **te.SETTINGS}


def mp_policy() -> dict[str, Any]:
    return dict(patterns.MP_POLICY)


# -- as YAML -----------------------------------------------------------------------------------------------
def yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def yaml_lines(mapping: Mapping[str, Any], indent: str = "  ") -> str:
    """Block-style `key: value` lines, one per entry, each indented by `indent`."""
    return "".join(f"{indent}{key}: {yaml_scalar(value)}\n" for key, value in mapping.items())


def yaml_flow(mapping: Mapping[str, Any]) -> str:
    """The entries of a flow mapping, without braces: `a: 1, b: true`."""
    return ", ".join(f"{key}: {yaml_scalar(value)}" for key, value in mapping.items())


def te_yaml(adam_w_mode: bool = True, indent: str = "  ") -> str:
    """The lines a switch to pattern te appends to an `optimizer` block."""
    return yaml_lines(te_settings(adam_w_mode), indent)


def mp_policy_yaml(indent: str = "  ") -> str:
    """`mp_policy:` and its canonical block, as added under `distributed`."""
    return f"{indent}mp_policy:\n" + yaml_lines(patterns.MP_POLICY, indent * 2)


# -- as Python ---------------------------------------------------------------------------------------------
def python_argument(value: Any, torch: str = "torch") -> str:
    """A value as a real call's argument: dtypes are `torch.<dtype>` attributes."""
    if isinstance(value, str) and automodel.dtype_kind(value) is not None:
        return f"{torch}.{value.removeprefix('torch.')}"
    return repr(value)


def python_arguments(mapping: Mapping[str, Any], torch: str = "torch") -> str:
    return ", ".join(f"{key}={python_argument(value, torch)}" for key, value in mapping.items())


def te_arguments(adam_w_mode: bool = True, torch: str = "torch") -> str:
    """The keyword arguments a switch to pattern te appends to the optimizer call."""
    return python_arguments(te_settings(adam_w_mode), torch)


def mp_policy_call(name: str = "MixedPrecisionPolicy") -> str:
    fields = {key: value for key, value in patterns.MP_POLICY.items() if key != "_target_"}
    return f"{name}({python_arguments(fields)})"


def python_literal(value: Any) -> str:
    """A value inside a Python config dict: strings double-quoted, as the cases write them."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f'"{key}": {python_literal(item)}' for key, item in value.items()) + "}"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def python_import(target: str) -> str:
    module, _, name = target.rpartition(".")
    return f"from {module} import {name}\n"


# The import a switch to te adds for module-level code: right after the module's last leading import, as is
# (no blank line added). Code inside a function gets it right before the statement that builds the optimizer,
# at that statement's indentation (`te_import_in`), so the module still imports without TE installed.
TE_IMPORT = python_import(TE_TARGET)


def te_import_in(indent: str = "    ") -> str:
    """The TE import as written inside a function body, before the optimizer's statement."""
    return indent + python_import(TE_TARGET)


# An AutoModel loader: with no dtype (or None, "auto") it loads bf16 (core/builders.py), so Python inputs that
# need proven bf16 storage without writing a dtype load with it. Other loaders (`M.from_pretrained`) prove nothing.
AUTOMODEL_LOADER = "NeMoAutoModelForCausalLM"
AUTOMODEL_IMPORT = f"from nemo_automodel import {AUTOMODEL_LOADER}\n"
# FusedAdam's other spelling, the package re-export: inputs use it to show a switch keeps any spelling.
TE_REEXPORT = min(automodel.TE_FUSED_ADAM_TARGETS - {TE_TARGET})
