"""Prove an edited text before it is written: it parses to exactly the intended data."""

from __future__ import annotations

from typing import Any

from migrator.yaml_doc import YamlError, load_data


class VerificationError(Exception):
    pass


def same_data(left: Any, right: Any) -> bool:
    """Deep equality that also compares types: `True == 1` and `1 == 1.0` must not pass."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same_data(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(same_data(a, b) for a, b in zip(left, right))
    if isinstance(left, float) and left != left:  # NaN
        return right != right
    return bool(left == right)


def first_difference(left: Any, right: Any, path: str = "") -> str:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(left.keys() | right.keys(), key=str):
            if key not in left or key not in right or not same_data(left[key], right[key]):
                return first_difference(left.get(key), right.get(key), f"{path}.{key}" if path else str(key))
    return f"{path or '<root>'}: expected {right!r}, got {left!r}"


def verify(new_text: str, intended: Any) -> Any:
    """The edited text's data, which must equal `intended` exactly."""
    try:
        data = load_data(new_text)
    except YamlError as exc:
        raise VerificationError(f"the edited text does not parse: {exc.message} (line {exc.line})") from None
    if not same_data(data, intended):
        raise VerificationError("the edited text does not hold the intended data: " + first_difference(data, intended))
    return data
