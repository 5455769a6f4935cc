"""Render check results as text, JSON or a SHACL validation report in Turtle."""

from __future__ import annotations

import json
from itertools import groupby

from rich.console import Console
from rich.markup import escape

from detente.validate import CheckResult

FORMATS = ("text", "json", "turtle")


def summary_line(result: CheckResult) -> str:
    """One line: verdict, triples, fact nodes, violations, time."""
    outcome = result.outcome
    violations = sum(1 for f in outcome.findings if f.severity == "Violation")
    warnings = len(outcome.findings) - violations
    verdict = "conforms" if outcome.conforms else "does not conform"
    return (
        f"{verdict}: {result.triples} triples (+{result.inferred} inferred), "
        f"{result.fact_nodes} fact nodes, {violations} violations, {warnings} warnings, "
        f"{len(outcome.inconsistencies)} inconsistencies, {result.seconds:.2f} s"
    )


def print_text(result: CheckResult, console: Console) -> None:
    """Print findings grouped by offending node, then the summary line."""
    outcome = result.outcome
    for item in outcome.inconsistencies:
        console.print(f"[bold red]inconsistent[/] {escape(item.node)}: {escape(item.message)}")
    for focus, group in groupby(outcome.findings, key=lambda f: f.focus):
        console.print(f"[bold]{escape(focus)}[/]")
        for finding in group:
            colour = "red" if finding.severity == "Violation" else "yellow"
            console.print(f"  [{colour}]{finding.severity}[/] {escape(finding.message)}")
            console.print(f"    path:  {escape(finding.path or '-')}")
            if finding.value is not None:
                console.print(f"    value: {escape(finding.value)}")
            console.print(f"    shape: {escape(finding.shape)} ({escape(finding.component)})")
    style = "green" if outcome.conforms else "red"
    console.print(f"[{style}]{escape(summary_line(result))}[/]")


def as_json(result: CheckResult) -> str:
    """The findings, inconsistencies and figures as a JSON document."""
    outcome = result.outcome
    document = {
        "conforms": outcome.conforms,
        "triples": result.triples,
        "inferred": result.inferred,
        "factNodes": result.fact_nodes,
        "seconds": round(result.seconds, 3),
        "inconsistencies": [
            {"node": item.node, "message": item.message} for item in outcome.inconsistencies
        ],
        "findings": [finding.as_dict() for finding in outcome.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def as_turtle(result: CheckResult) -> str:
    """The standard SHACL validation report graph, in Turtle."""
    return result.outcome.report.serialize(format="turtle")
