"""Judge a graph: OWL-RL closure and inconsistencies, SHACL shapes, SPARQL checks."""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, Node, URIRef
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
    return _sorted(found)


def _names(*graphs: Graph) -> Graph:
    """An empty graph carrying the prefixes of the given graphs (first binding wins)."""
    names = Graph(bind_namespaces="none")
    for graph in graphs:
        for prefix, namespace in graph.namespaces():
            names.bind(prefix, namespace, override=False)
    return names


def ill_typed_literals(graph: Graph) -> list[tuple[Node, Node, Literal]]:
    """Triples whose literal is not a valid value of its datatype ("2023-02-30"^^xsd:date)."""
    return [(s, p, o) for s, p, o in graph if isinstance(o, Literal) and o.ill_typed]


def _ill_typed_finding(names: Graph, triple: tuple[Node, Node, Literal]) -> Finding:
    """The finding for one ill-typed literal."""
    subject, predicate, literal = triple
    datatype = _text(names, literal.datatype)
    return Finding(
        focus=_text(names, subject) or "",
        path=_text(names, predicate),
        value=_text(names, literal),
        shape="check:ill-typed-literal",
        component="sh:DatatypeConstraintComponent",
        severity="Violation",
        message=f"{literal!s} is not a valid {datatype}; the triple is left out of validation.",
    )


def validate(graph: Graph, shapes: Graph, inconsistent: list[Inconsistency]) -> Outcome:
    """Validate ontology + asserted data against the shapes, with no inference.

    SHACL runs on the asserted graph, not on the closure: a range axiom would otherwise make
    any value an instance of the class a shape requires. Subclasses are still followed, since
    the ontology's rdfs:subClassOf triples are in the graph. Ill-typed literals are reported
    on their own and left out, since SHACL engines cannot compare them.
    """
    names = _names(graph, shapes)
    bad = ill_typed_literals(graph)
    checked = graph
    if bad:
        checked = Graph(bind_namespaces="none")
        checked += graph
        for triple in bad:
            checked.remove(triple)
    _, report, _ = shacl_validate(
        checked,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    findings = _findings(report, names) + [_ill_typed_finding(names, t) for t in bad]
    return Outcome(_sorted(findings), inconsistent, report)


def _sorted(findings: list[Finding]) -> list[Finding]:
    """Findings in a stable order: by node, rule, path, value."""
    return sorted(findings, key=lambda f: (f.focus, f.shape, f.path or "", f.value or ""))


@dataclass
class Judgement:
    """A validated graph: the outcome, and the closure it was judged with."""

    outcome: Outcome
    closed: Graph


def judge(
    graph: Graph,
    shapes: Graph,
    checks: Path | None = None,
    reasoner: Reasoner = "reasonable",
) -> Judgement:
    """Close a graph, find its inconsistencies, validate it, and run the SPARQL checks."""
    closed = close(graph, reasoner)
    outcome = validate(graph, shapes, inconsistencies(closed))
    if checks is not None:
        outcome.findings = _sorted(outcome.findings + run_checks(closed, checks))
    return Judgement(outcome, closed)


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
        severity = (
            "Warning" if (_header(text, "severity") or "ERROR").upper() == "WARN" else "Violation"
        )
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
    judgement = judge(merged, sources.shapes, project.root / "scripts" / "checks", reasoner)
    return CheckResult(
        outcome=judgement.outcome,
        triples=len(merged),
        inferred=len(judgement.closed) - len(merged),
        fact_nodes=count_fact_nodes(judgement.closed),
        seconds=time.perf_counter() - start,
    )
