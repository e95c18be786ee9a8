"""`[tool.migrator]`: the schema is the single description; our reading of it agrees with jsonschema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from migrator import config, patterns
from migrator.report import FORMATS


def test_schema_is_valid_and_matches_the_code() -> None:
    schema = config.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    properties = schema["properties"]
    assert set(properties["pattern"]["enum"]) == set(patterns.PATTERNS)
    assert tuple(properties["output-format"]["enum"]) == FORMATS
    assert {key.replace("-", "_") for key in properties} == set(config.DEFAULTS)


@pytest.mark.parametrize(
    "table",
    [
        pytest.param({}, id="empty"),
        pytest.param(
            {"pattern": "te", "exclude": ["a", "b/*"], "jobs": 4, "include-peft": True, "force-exclude": False},
            id="valid",
        ),
        pytest.param({"pattern": "fp16"}, id="bad enum"),
        pytest.param({"jobs": 0}, id="below minimum"),
        pytest.param({"jobs": True}, id="bool is not an integer"),
        pytest.param({"exclude": "legacy"}, id="string instead of list"),
        pytest.param({"exclude": ["ok", 3]}, id="bad item"),
        pytest.param({"include_peft": True}, id="underscore spelling is unknown"),
    ],
)
def test_validation_agrees_with_jsonschema(table: dict[str, Any]) -> None:
    expected_valid = jsonschema.Draft202012Validator(config.schema()).is_valid(table)
    assert (config.validate(table) == []) == expected_valid


def test_the_closest_pyproject_with_a_table_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.migrator]\npattern = 'te'\n")
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no table: passed over, as ruff does
    assert config.load(inner).values == {"pattern": "te"}
    assert config.load(inner).root == tmp_path.resolve()
    (inner / "pyproject.toml").write_text("[tool.migrator]\npattern = 'fp32'\n")
    config.forget()
    assert config.load(inner).values == {"pattern": "fp32"}
    assert config.load(tmp_path).values == {"pattern": "te"}


def test_command_line_wins_only_when_given(tmp_path: Path) -> None:
    project = config.ProjectConfig(tmp_path, None, {"pattern": "te", "include-peft": True, "exclude": ["x"]})
    merged = config.merge({"pattern": None, "include_peft": False, "exclude": None, "jobs": 3}, project)
    assert (merged["pattern"], merged["include_peft"], merged["exclude"], merged["jobs"]) == ("te", False, ("x",), 3)


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.migrator\n")
    with pytest.raises(config.ConfigError, match="cannot read"):
        config.load(tmp_path)
