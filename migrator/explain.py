"""`migrator rules` and `migrator explain CODE`: the rule registry and each rule's docstring, as text."""

from __future__ import annotations

import json

from migrator.rules import RULES, Rule  # importing the package registers every rule


class UnknownRule(LookupError):
    pass


def _level(rule: Rule) -> str:
    """The level reports give the rule's findings, and whether migrate fixes them."""
    return f"{rule.reported_level} (fixable)" if rule.fixable else rule.reported_level


def rules_table() -> str:
    rows = [(rule.code, rule.slug, _level(rule), rule.summary) for rule in (RULES[code] for code in sorted(RULES))]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "".join(
        f"{code:<{widths[0]}}  {slug:<{widths[1]}}  {level:<{widths[2]}}  {summary}\n"
        for code, slug, level, summary in rows
    )


def rules_json() -> str:
    rules = [
        {
            "code": rule.code,
            "name": rule.slug,
            "level": rule.reported_level,
            "fixable": rule.fixable,
            "summary": rule.summary,
        }
        for rule in (RULES[code] for code in sorted(RULES))
    ]
    return json.dumps(rules, indent=2) + "\n"


def explain(code_or_slug: str) -> str:
    wanted = code_or_slug.strip()
    rule = RULES.get(wanted.upper()) or next((rule for rule in RULES.values() if rule.slug == wanted.lower()), None)
    if rule is None:
        raise UnknownRule(f"unknown rule `{code_or_slug}`; known: {', '.join(sorted(RULES))} (see `migrator rules`)")
    return f"# {rule.code} ({rule.slug}): {rule.summary}\n\nLevel: {_level(rule)}\n\n{rule.doc}\n"
