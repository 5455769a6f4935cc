"""Render judgements as text, JSON, or a SHACL validation report in Turtle."""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, Node
from rdflib.namespace import RDF, SH, XSD

from detente.contribution import Addition, ContributionResult
from detente.validate import CHECK, CheckResult, Finding, Outcome, compact

FORMATS = ("text", "json", "turtle")
REPORT = Namespace("https://w3id.org/detente/report#")  # report:line, the contribution's line


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


def text_lines(outcome: Outcome, findings: Iterable[Finding] | None = None) -> list[str]:
    """Findings grouped by offending node: message, path, value, rule, line."""
    names = outcome.names
    lines = []
    chosen = outcome.findings if findings is None else list(findings)
    for focus, group in groupby(chosen, key=lambda f: f.focus):
        lines.append(compact(focus, names) or "")
        for finding in group:
            where = _where(finding)
            lines.append(f"  {finding.severity}{where}: {finding.message}")
            lines.append(f"    path:  {compact(finding.path, names) or '-'}")
            if finding.value is not None:
                lines.append(f"    value: {compact(finding.value, names)}")
            component = compact(finding.component, names)
            lines.append(f"    rule:  {compact(finding.rule, names)} ({component})")
    return lines


def _where(finding: Finding) -> str:
    """ " (FILE, line N)" for a finding placed in a contribution's file, else ""."""
    if finding.file is None and finding.line is None:
        return ""
    placed = [
        part for part in (finding.file, f"line {finding.line}" if finding.line else None) if part
    ]
    return f" ({', '.join(placed)})"


def inconsistency_lines(outcome: Outcome) -> list[str]:
    """One line per inconsistency."""
    return [
        f"inconsistent: {compact(item.node, outcome.names) or '(graph)'} {item.message}"
        for item in outcome.inconsistencies
    ]


def as_data(outcome: Outcome, figures: dict[str, Any]) -> dict[str, Any]:
    """The judgement as plain data: verdict, figures, inconsistencies, findings."""
    return {
        "conforms": outcome.conforms,
        **figures,
        "inconsistencies": [
            {"node": compact(item.node, outcome.names), "message": item.message}
            for item in outcome.inconsistencies
        ],
        "findings": [finding.as_dict(outcome.names) for finding in outcome.findings],
    }


def as_json(outcome: Outcome, figures: dict[str, Any]) -> str:
    """The judgement as a JSON document."""
    return json.dumps(as_data(outcome, figures), indent=2, ensure_ascii=False)


def report_graph(outcome: Outcome) -> Graph:
    """A SHACL validation report graph of every finding (shapes, checks and policies) and of
    every inconsistency (as a result with the component check:InconsistencyConstraintComponent)."""
    graph = Graph(bind_namespaces="none")
    graph.namespace_manager = outcome.names
    graph.bind("sh", SH, override=False)
    graph.bind("detente-report", REPORT, override=False)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(outcome.conforms)))
    for finding in outcome.findings:
        result = _result(graph, report, finding.focus, finding.message, finding.severity)
        if finding.path is not None:
            graph.add((result, SH.resultPath, finding.path))
        if finding.value is not None:
            graph.add((result, SH.value, finding.value))
        graph.add((result, SH.sourceShape, finding.rule))
        graph.add((result, SH.sourceConstraintComponent, finding.component))
        if finding.line is not None:
            graph.add((result, REPORT.line, Literal(finding.line, datatype=XSD.integer)))
    for item in outcome.inconsistencies:
        result = _result(graph, report, item.node, item.message, "Violation")
        graph.add((result, SH.sourceShape, CHECK.inconsistency))
        graph.add((result, SH.sourceConstraintComponent, CHECK.InconsistencyConstraintComponent))
    return graph


def _result(graph: Graph, report: BNode, focus: Node | None, message: str, severity: str) -> BNode:
    """A new sh:ValidationResult of the report, with its focus node, message and severity."""
    result = BNode()
    graph.add((report, SH.result, result))
    graph.add((result, RDF.type, SH.ValidationResult))
    if focus is not None:
        graph.add((result, SH.focusNode, focus))
    graph.add((result, SH.resultSeverity, SH[severity]))
    graph.add((result, SH.resultMessage, Literal(message)))
    return result


def as_turtle(outcome: Outcome) -> str:
    """The standard SHACL validation report, in Turtle."""
    return report_graph(outcome).serialize(format="turtle")


def figures_of(result: CheckResult) -> dict[str, Any]:
    """The figures of a whole-graph check, for JSON."""
    return {
        "triples": result.triples,
        "inferred": result.inferred,
        "factNodes": result.fact_nodes,
        "seconds": round(result.seconds, 3),
    }


def text_report(outcome: Outcome) -> list[str]:
    """The text report: inconsistencies, then findings; for a contribution, what it brings
    apart from what it would break in the graph already there."""
    lines = inconsistency_lines(outcome)
    brought = [f for f in outcome.findings if f.contributed is not False]
    broken = [f for f in outcome.findings if f.contributed is False]
    lines += text_lines(outcome, brought)
    if broken:
        lines.append("Would break what is already in the graph:")
        lines += ["  " + line for line in text_lines(outcome, broken)]
    return lines


def verdict_line(result: ContributionResult) -> str:
    """One line: accepted or rejected, triples, findings, time."""
    findings = result.outcome.findings
    violations = [f for f in findings if f.severity == "Violation"]
    breaking = sum(1 for f in violations if f.contributed is False)
    verdict = "accepted" if result.accepted else "rejected"
    files = ", ".join(parsed.name for parsed in result.contribution.files)
    return (
        f"{verdict}: {files}: {result.triples} triples ({result.new_triples} new), "
        f"{len(violations)} violations ({breaking} in the graph already there), "
        f"{len(findings) - len(violations)} warnings, "
        f"{len(result.outcome.inconsistencies)} inconsistencies, {result.seconds:.2f} s"
        + (
            " (changes only: the graph's own judgement is not recorded; run `detente index "
            "--judge` to judge it whole)"
            if result.partial
            else ""
        )
    )


def contribution_figures(result: ContributionResult) -> dict[str, Any]:
    """The figures of a contribution's judgement, for JSON."""
    return {
        "accepted": result.accepted,
        "files": [parsed.name for parsed in result.contribution.files],
        "triples": result.triples,
        "newTriples": result.new_triples,
        "seconds": round(result.seconds, 3),
        "changesOnly": result.partial,
    }


def addition_line(addition: Addition) -> str:
    """What `detente add` did to data/."""
    if not addition.result.accepted or addition.target is None:
        return "rejected: nothing written; data/ unchanged"
    if addition.added == 0:
        return f"nothing new: its report's file holds every triple; {addition.target} unchanged"
    verb = "added" if addition.written else "would add (dry run)"
    return f"{verb} {addition.added} triples to {addition.target}"
