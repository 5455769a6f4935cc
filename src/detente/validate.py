"""Judge a graph: OWL-RL closure and inconsistencies, SHACL shapes, SPARQL checks."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from pyshacl_turbo import validate as turbo_validate
from rdflib import Graph, Literal, Namespace, Node, URIRef
from rdflib.namespace import RDF, SH, NamespaceManager

from detente.engines import from_oxigraph, from_oxigraph_or_none, oxigraph_store, to_oxigraph
from detente.kg import DET, META_GRAPH, Project, load_sources, meta_graph
from detente.read import InputError, read_text, refuse_remote_sparql
from detente.reason import Inconsistency, Reasoner, close, inconsistencies

CHECK = Namespace("https://w3id.org/detente/checks#")
POLICY = Namespace("https://w3id.org/detente/policy#")
ILL_TYPED = CHECK["ill-typed-literal"]


@dataclass(frozen=True)
class Finding:
    """One result: which node broke which rule, on which path and value, and why.

    `rule` is the SHACL shape, the SPARQL check (check:NAME) or the contribution policy
    (policy:NAME) that failed. `line` is the contribution's own line, when known;
    `contributed` says whether a contribution brings the finding (True) or would break
    something already in the graph (False); it is None when the whole graph is judged.
    """

    focus: Node
    path: Node | None
    value: Node | None
    rule: URIRef
    component: URIRef
    severity: str
    message: str
    line: int | None = None
    file: str | None = None
    contributed: bool | None = None

    def key(self) -> tuple[str, ...]:
        """A sort key: by node, rule, path, value (then constraint and words, so that two
        findings of one shape on one value keep one order)."""
        return (
            str(self.focus),
            str(self.rule),
            str(self.path or ""),
            str(self.value or ""),
            str(self.component),
            self.message,
        )

    def as_dict(self, names: NamespaceManager) -> dict[str, str | int | bool | None]:
        """The finding with compact names, for JSON and text."""
        return {
            "focus": compact(self.focus, names),
            "path": compact(self.path, names),
            "value": compact(self.value, names),
            "rule": compact(self.rule, names),
            "component": compact(self.component, names),
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "contributed": self.contributed,
        }


def compact(node: Node | None, names: NamespaceManager) -> str | None:
    """A node written with the known prefixes (None stays None)."""
    return None if node is None else str(node.n3(names))


@dataclass
class Outcome:
    """The result of judging a graph: findings, inconsistencies, and the prefixes to name them."""

    findings: list[Finding]
    inconsistencies: list[Inconsistency]
    names: NamespaceManager

    @property
    def conforms(self) -> bool:
        """Whether the graph has no violation and no inconsistency."""
        return not self.inconsistencies and not any(
            finding.severity == "Violation" for finding in self.findings
        )


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Findings in a stable order: by node, rule, path, value."""
    return sorted(set(findings), key=Finding.key)


def names_of(*graphs: Graph) -> NamespaceManager:
    """The prefixes of the given graphs (first binding wins), plus check: and policy:."""
    names = Graph(bind_namespaces="none")
    for graph in graphs:
        for prefix, namespace in graph.namespaces():
            names.bind(prefix, namespace, override=False)
    names.bind("check", CHECK, override=False)
    names.bind("policy", POLICY, override=False)
    return names.namespace_manager


def _shacl_findings(report: Graph, names: NamespaceManager) -> list[Finding]:
    """The findings of a SHACL validation report graph."""
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        found.append(
            Finding(
                focus=report.value(result, SH.focusNode),  # type: ignore[arg-type]
                path=report.value(result, SH.resultPath),
                value=report.value(result, SH.value),
                rule=report.value(result, SH.sourceShape),  # type: ignore[arg-type]
                component=report.value(result, SH.sourceConstraintComponent),  # type: ignore[arg-type]
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                message=str(report.value(result, SH.resultMessage) or ""),
            )
        )
    return found


def ill_typed_literals(graph: Graph) -> list[tuple[Node, Node, Literal]]:
    """Triples whose literal is not a valid value of its datatype ("2023-02-30"^^xsd:date)."""
    return [(s, p, o) for s, p, o in graph if isinstance(o, Literal) and o.ill_typed]


def _ill_typed_finding(triple: tuple[Node, Node, Literal], names: NamespaceManager) -> Finding:
    """The finding for one ill-typed literal."""
    subject, predicate, literal = triple
    return Finding(
        focus=subject,
        path=predicate,
        value=literal,
        rule=ILL_TYPED,
        component=SH.DatatypeConstraintComponent,
        severity="Violation",
        message=f"{literal!s} is not a valid {compact(literal.datatype, names)}; "
        "the triple is left out of validation.",
    )


SHACL_ENGINES = ("turbo", "pyshacl")  # pyshacl-turbo (Rust, the default); pySHACL, the reference
SHACL_VARIABLE = "DETENTE_SHACL"  # the environment variable that chooses the engine


def shacl_engine() -> str:
    """The SHACL engine the environment asks for (DETENTE_SHACL), turbo by default."""
    engine = os.environ.get(SHACL_VARIABLE) or SHACL_ENGINES[0]
    if engine not in SHACL_ENGINES:
        raise InputError(
            SHACL_VARIABLE, f"{engine!r} is no SHACL engine: choose {' or '.join(SHACL_ENGINES)}"
        )
    return engine


def validate(
    graph: Graph,
    shapes: Graph,
    names: NamespaceManager,
    spare_shapes: bool = False,
    engine: str | None = None,
) -> list[Finding]:
    """Validate ontology + asserted data against the shapes, with no inference.

    SHACL runs on the asserted graph, not on the closure: a range axiom would otherwise make
    any value an instance of the class a shape requires. Subclasses are still followed, since
    the ontology's rdfs:subClassOf triples are in the graph. Ill-typed literals are reported
    on their own and left out, since SHACL engines cannot compare them. `spare_shapes`: the
    shapes graph is a copy of the caller's own, which pySHACL may change. `engine`: one of
    SHACL_ENGINES (default: `shacl_engine()`); they give the same results
    (tests/test_shapes.py compares them).
    """
    engine = engine or shacl_engine()
    bad = ill_typed_literals(graph)
    checked = graph
    if bad:
        checked = Graph(bind_namespaces="none")
        checked += graph
        for triple in bad:
            checked.remove(triple)
    own_shapes = shapes
    if engine == "pyshacl" and not spare_shapes:  # pySHACL adds axioms to the shapes given
        own_shapes = Graph(bind_namespaces="none")
        own_shapes += shapes
    # With no SHACL rule to add triples, the engine need not copy the data graph first
    # (pySHACL only binds the sh: prefix on it).
    in_place = (None, SH.rule, None) not in shapes
    run = turbo_validate
    if engine == "pyshacl":
        from pyshacl import validate as run  # the reference, read only when asked for
    _, report, _ = run(
        checked,
        shacl_graph=own_shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=in_place,
    )
    ill_typed = [_ill_typed_finding(t, names) for t in bad]
    covered = {(f.focus, f.path) for f in ill_typed}
    shaped = [
        f
        for f in _shacl_findings(report, names)
        if not (f.component == SH.MinCountConstraintComponent and (f.focus, f.path) in covered)
    ]
    return sorted_findings(shaped + ill_typed)  # each once: engines repeat some results


def _header(text: str, key: str) -> str | None:
    """The value of a `# key: value` line in a SPARQL script's header."""
    found = re.search(rf"^#\s*{key}:\s*(.+)$", text, re.MULTILINE | re.IGNORECASE)
    return found.group(1).strip() if found else None


@dataclass(frozen=True)
class Check:
    """A `*-violation.rq` quality check and what its header says."""

    name: str
    path: Path
    text: str
    severity: str
    message: str
    on_closure: bool
    restates: URIRef | None
    restates_shape: URIRef | None = None
    reach: str | None = None  # the paths from ?this to the other nodes whose triples it reads


def load_checks(folder: Path) -> list[Check]:
    """The checks of a folder, their headers validated."""
    checks = []
    for path in sorted(folder.glob("*-violation.rq")):
        text = read_text(path)
        refuse_remote_sparql(text, str(path))
        severity = (_header(text, "severity") or "").upper()
        if severity not in ("ERROR", "WARN"):
            raise InputError(str(path), "a check needs a header line '# severity: ERROR|WARN'")
        restates = _header(text, "path")
        checks.append(
            Check(
                name=path.stem,
                path=path,
                text=text,
                severity="Warning" if severity == "WARN" else "Violation",
                message=_header(text, "message") or path.stem,
                on_closure=(_header(text, "closure") or "no").lower() == "yes",
                restates=URIRef(restates) if restates else None,
                restates_shape=URIRef(shape) if (shape := _header(text, "shape")) else None,
                reach=_header(text, "reach"),
            )
        )
    return checks


def code_of(text: str) -> str:
    """A SPARQL text with its comments blanked out (same length, same positions)."""
    return re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), text)


def values_opening(text: str, names: list[str], rows: list[tuple[Node, ...]]) -> str:
    """The query with a VALUES block of these rows opening its (outer) WHERE clause.

    Joined with the rest of the clause, it keeps exactly the solutions whose variables have
    one of these rows' values.
    """
    variables = " ".join(f"?{name}" for name in names)
    values = " ".join("(" + " ".join(term.n3() for term in row) + ")" for row in rows)
    block = f"VALUES ({variables}) {{ {values} }}"
    where = re.search(r"\bWHERE\s*\{", code_of(text), re.IGNORECASE)
    if where is None:
        return f"{text.rstrip()}\n{block}\n"
    return f"{text[: where.end()]} {block}{text[where.end() :]}"


def _solutions(check: Check, store: ox.Store, foci: set[Node] | None = None) -> ox.QuerySolutions:
    """The rows of a check (about the foci alone, when given), or an error naming its file."""
    text = check.text
    if foci is not None and not re.search(r"\bAS\s+[?$]this\b", code_of(text), re.IGNORECASE):
        text = values_opening(text, ["this"], [(node,) for node in sorted(foci, key=str)])
    try:
        solutions = store.query(text)
    except SyntaxError as err:
        raise InputError(str(check.path), f"SPARQL syntax error: {err.msg}") from None
    if not isinstance(solutions, ox.QuerySolutions) or ox.Variable("this") not in [
        *solutions.variables
    ]:
        raise InputError(str(check.path), "a check is a SELECT query with a ?this column")
    return solutions


def checks_store(graph: Graph, graphs: dict[URIRef, Graph] | None = None) -> ox.Store:
    """A store for the checks: the graph as default graph, each source graph named, with meta."""
    store = oxigraph_store(graph)
    if graphs:
        named = {**graphs, META_GRAPH: meta_graph(graphs)}
        store.bulk_extend(
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(name)))  # type: ignore[arg-type]
            for name, part in named.items()
            for s, p, o in part
        )
    return store


def run_checks(
    graph: Graph,
    checks: list[Check],
    closed: Graph | None = None,
    graphs: dict[URIRef, Graph] | None = None,
) -> list[Finding]:
    """Run the checks; each row is a finding (ERROR or WARN) about its ?this.

    A check runs on the asserted graph (ontology + data), or on the closure when its header
    says `# closure: yes`; either way as the default graph, with the source graphs (when
    given) named, so that a check can ask which report says what (`GRAPH ?g`). The checks
    run on pyoxigraph: standard SPARQL, and far faster than rdflib's engine.
    """
    stores: dict[bool, ox.Store] = {}
    found = []
    for check in checks:
        on_closure = check.on_closure and closed is not None
        if on_closure not in stores:
            stores[on_closure] = checks_store(closed if on_closure else graph, graphs)  # type: ignore[arg-type]
        found += check_findings(check, stores[on_closure])
    return found


def check_findings(check: Check, store: ox.Store, foci: set[Node] | None = None) -> list[Finding]:
    """The findings of one check on a store (its default graph, and its named graphs): all,
    or those about the foci."""
    found = []
    for row in _solutions(check, store, foci):
        if row["this"] is None:
            raise InputError(str(check.path), "a row of this check leaves ?this unbound")
        found.append(
            Finding(
                focus=from_oxigraph(row["this"]),
                path=from_oxigraph_or_none(row["path"]),
                value=from_oxigraph_or_none(row["value"]),
                rule=CHECK[check.name],
                component=SH.SPARQLConstraintComponent,
                severity=check.severity,
                message=check.message,
            )
        )
    return found


def restated_elsewhere(
    checked: list[Finding], shaped: list[Finding], checks: list[Check]
) -> list[Finding]:
    """The check findings that no shape already reports.

    A check whose header says `# path: P` restates a shape's rule on that path, and one whose
    header says `# shape: S` restates shape S: where a shape already reports the same node
    (on P, or as S), the check's finding is left out.
    """
    by_rule = {CHECK[check.name]: check for check in checks}
    on_path = {(f.focus, f.path) for f in shaped}
    by_shape = {(f.focus, f.rule) for f in shaped}

    def restated(finding: Finding) -> bool:
        check = by_rule.get(finding.rule)
        if check is None:
            return False
        return (check.restates is not None and (finding.focus, check.restates) in on_path) or (
            check.restates_shape is not None and (finding.focus, check.restates_shape) in by_shape
        )

    return [f for f in checked if not restated(f)]


@dataclass
class Judgement:
    """A judged graph: the outcome, and the closure it was judged with."""

    outcome: Outcome
    closed: Graph


def judge(
    graph: Graph,
    shapes: Graph,
    checks: Path | None = None,
    reasoner: Reasoner = "reasonable",
    graphs: dict[URIRef, Graph] | None = None,
) -> Judgement:
    """Close a graph, find its inconsistencies, validate it, and run the SPARQL checks.

    `graphs` are the source graphs the data comes from, for checks that ask who says what.
    """
    names = names_of(graph, shapes)
    closed = close(graph, reasoner)
    findings = validate(graph, shapes, names)
    if checks is not None:
        loaded = load_checks(checks)
        checked = run_checks(graph, loaded, closed, graphs)
        findings += restated_elsewhere(checked, findings, loaded)
    outcome = Outcome(sorted_findings(findings), inconsistencies(closed, graph), names)
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


def check_project(project: Project, reasoner: Reasoner = "reasonable") -> CheckResult:
    """Load, close and validate a whole project: shapes, then the SPARQL checks."""
    start = time.perf_counter()
    sources = load_sources(project)
    merged = sources.merged()
    checks = project.root / "scripts" / "checks"
    judgement = judge(merged, sources.shapes, checks, reasoner, sources.graphs)
    return CheckResult(
        outcome=judgement.outcome,
        triples=len(merged),
        inferred=len(judgement.closed) - len(merged),
        fact_nodes=count_fact_nodes(judgement.closed),
        seconds=time.perf_counter() - start,
    )
