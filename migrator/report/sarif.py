"""SARIF 2.1.0 for GitHub code scanning: every rule from the registry, one result per finding.

URIs are relative to the repository root (`%SRCROOT%`), which is what code scanning resolves against.
Problems that are not a rule's finding (a file that does not parse) become tool execution notifications.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from migrator import __version__
from migrator.core.findings import Rule
from migrator.core.outcome import FileResult
from migrator.core.settings import Mode
from migrator.report.records import Record, records
from migrator.rules import RULES

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_ROOT_ID = "%SRCROOT%"
_FIRST_PARAGRAPH = re.compile(r"## What it does\s*\n(.*?)(?:\n\s*\n|\n##|$)", re.DOTALL)


def render(results: Sequence[FileResult], mode: Mode, verbose: bool = False) -> str:
    root = repository_root()
    codes = sorted(RULES)
    index = {code: position for position, code in enumerate(codes)}
    sarif_results, notifications = [], []
    for record in records(results, mode):
        if record.rule is None:
            notifications.append(notification(record, root))
        else:
            sarif_results.append(_result(record, index[record.code], root))
    return document([_rule(RULES[code]) for code in codes], sarif_results, notifications, root)


def document(
    rules: list[dict[str, Any]], sarif_results: list[dict[str, Any]], notifications: list[dict[str, Any]], root: Path
) -> str:
    """The SARIF log of one run: the tool and its rules, what it found, and what kept it from checking a file."""
    run = {
        "tool": {
            "driver": {
                "name": "migrator",
                "version": __version__,
                "informationUri": "https://github.com/NVIDIA-NeMo/Automodel",
                "rules": rules,
            }
        },
        "originalUriBaseIds": {_ROOT_ID: {"uri": root.as_uri() + "/"}},
        "invocations": [
            {
                "executionSuccessful": not notifications or all(n["level"] != "error" for n in notifications),
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": sarif_results,
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(rule: Rule) -> dict[str, Any]:
    match = _FIRST_PARAGRAPH.search(rule.doc)
    full = " ".join(match.group(1).split()) if match else rule.summary
    return {
        "id": rule.code,
        "name": rule.slug,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": rule.doc or rule.summary, "markdown": rule.doc or rule.summary},
        "defaultConfiguration": {"level": rule.reported_level},
        "properties": {"tags": ["migrator", rule.level.value]},
    }


def _result(record: Record, rule_index: int, root: Path) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": record.code,
        "ruleIndex": rule_index,
        "level": record.level,
        "message": {"text": record.message},
        "locations": [location(record, root)],
    }
    if record.suppressed:
        result["suppressions"] = [{"kind": "inSource", "justification": "# migrator: ignore"}]
    return result


def notification(record: Record, root: Path) -> dict[str, Any]:
    message = record.message + (f" ({record.hint})" if record.hint else "")
    return {"level": record.level, "message": {"text": message}, "locations": [location(record, root)]}


def location(record: Record, root: Path) -> dict[str, Any]:
    uri = _relative_uri(record.path, root)
    # A relative URI is resolved against the repository root; an absolute one (outside it) stands alone.
    artifact = {"uri": uri} if uri.startswith("file:") else {"uri": uri, "uriBaseId": _ROOT_ID}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if record.line:
        physical["region"] = {"startLine": record.line, "startColumn": max(record.column, 1)}
    return {"physicalLocation": physical}


def _relative_uri(path: str, root: Path) -> str:
    # Resolve the folder, not the file: a symlinked config is reported where it is linked from.
    absolute = Path(os.path.realpath(os.path.dirname(os.path.abspath(path))), os.path.basename(path))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return absolute.as_uri()  # outside the repository: keep it absolute rather than wrong
    return "/".join(quote(part, safe="") for part in relative.parts)


def repository_root() -> Path:
    """The git work tree's top folder (what code scanning resolves URIs against), else the current folder."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], capture_output=True, check=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return Path.cwd().resolve()
    return Path(top).resolve()
