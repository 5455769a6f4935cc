"""Validate a closed graph against the SHACL shapes and collect readable findings."""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Node, URIRef
from rdflib.namespace import RDF, SH

from detente.kg import DET, Project, load_sources
from detente.reason import Inconsistency, Reasoner, close, inconsistencies


@dataclass(frozen=True)
class Finding:
    """One validation result: which node broke which rule, where, and why."""

    focus: str
    path: str | None
    value: str | None
    shape: str
    component: str
    severity: str
    message: str

    def as_dict(self) -> dict[str, str | None]:
        """The finding as a plain dictionary (for JSON)."""
        return asdict(self)


@dataclass
class Outcome:
    """The result of validating a graph: findings, inconsistencies and the SHACL report graph."""

    findings: list[Finding]
    inconsistencies: list[Inconsistency]
    report: Graph

    @property
    def conforms(self) -> bool:
        """Whether the graph has no violation and no inconsistency."""
        return not self.inconsistencies and not any(
            finding.severity == "Violation" for finding in self.findings
        )


def _text(graph: Graph, node: Node | None) -> str | None:
    """A node written compactly with the graph's prefixes (None stays None)."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return node.n3(graph.namespace_manager)
    return str(node.n3(graph.namespace_manager))


def _findings(report: Graph, names: Graph) -> list[Finding]:
    """The findings of a SHACL validation report graph."""
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        found.append(
            Finding(
                focus=_text(names, report.value(result, SH.focusNode)) or "",
                path=_text(names, report.value(result, SH.resultPath)),
                value=_text(names, report.value(result, SH.value)),
                shape=_text(names, report.value(result, SH.sourceShape)) or "",
                component=_text(names, report.value(result, SH.sourceConstraintComponent)) or "",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                message=str(report.value(result, SH.resultMessage) or ""),
            )
        )
    return sorted(found, key=lambda f: (f.focus, f.shape, f.path or "", f.value or ""))


def validate(closed: Graph, shapes: Graph, inconsistent: list[Inconsistency]) -> Outcome:
    """Validate a closed graph (ontology + data) against shapes; no further inference."""
    _, report, _ = shacl_validate(
        closed,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    names = Graph(bind_namespaces="none")
    for graph in (closed, shapes):
        for prefix, namespace in graph.namespaces():
            names.bind(prefix, namespace, override=False)
    return Outcome(_findings(report, names), inconsistent, report)


@dataclass
class CheckResult:
    """What `detente check` found, with the figures for its summary line."""

    outcome: Outcome
    triples: int
    inferred: int
    fact_nodes: int
    seconds: float


def count_fact_nodes(closed: Graph) -> int:
    """The number of fact nodes (instances of det:Fact) in a closed graph."""
    return len(set(closed.subjects(RDF.type, DET.Fact)))


def _header(text: str, key: str) -> str | None:
    """The value of a `# key: value` line in a SPARQL script's header."""
    found = re.search(rf"^#\s*{key}:\s*(.+)$", text, re.MULTILINE | re.IGNORECASE)
    return found.group(1).strip() if found else None


def run_checks(closed: Graph, folder: Path) -> list[Finding]:
    """Run every `*-violation.rq` check of a folder; each row is a finding (ERROR or WARN)."""
    found = []
    for path in sorted(folder.glob("*-violation.rq")):
        text = path.read_text(encoding="utf-8")
        severity = "Warning" if (_header(text, "severity") or "ERROR").upper() == "WARN" else "Violation"
        message = _header(text, "message") or path.stem
        for row in closed.query(text):
            values = row.asdict()  # type: ignore[union-attr]
            found.append(
                Finding(
                    focus=_text(closed, values.get("this")) or "",
                    path=_text(closed, values.get("path")),
                    value=_text(closed, values.get("value")),
                    shape=f"check:{path.stem}",
                    component="sparql-check",
                    severity=severity,
                    message=message,
                )
            )
    return found


def check_project(project: Project, reasoner: Reasoner = "reasonable") -> CheckResult:
    """Load, close and validate a whole project: shapes, then the SPARQL checks."""
    start = time.perf_counter()
    sources = load_sources(project)
    merged = sources.merged()
    closed = close(merged, reasoner)
    outcome = validate(closed, sources.shapes, inconsistencies(closed))
    outcome.findings = sorted(
        outcome.findings + run_checks(closed, project.root / "scripts" / "checks"),
        key=lambda f: (f.focus, f.shape, f.path or "", f.value or ""),
    )
    return CheckResult(
        outcome=outcome,
        triples=len(merged),
        inferred=len(closed) - len(merged),
        fact_nodes=count_fact_nodes(closed),
        seconds=time.perf_counter() - start,
    )
