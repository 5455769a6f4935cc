"""Judge contributed triples in the context of the whole graph; add accepted ones to data/.

A contribution is judged on what it adds: policy (see policy.py), conflicts with values
already in the graph, then the shapes, checks and inconsistency search on the graph with the
contribution merged in, its triples in the named graph of the report it comes from.
"""

from __future__ import annotations

import fcntl
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, Node, URIRef
from rdflib.namespace import NamespaceManager

from detente.engines import from_oxigraph, to_oxigraph, to_quad
from detente.index import DEFAULT, Index, open_index
from detente.kg import (
    ID,
    RESERVED_GRAPHS,
    UNSOURCED_GRAPH,
    Project,
    Sources,
    graph_of_report,
    load_sources,
    meta_graph,
)
from detente.policy import (
    SLUG,
    Contribution,
    cited_reports,
    conflict_findings,
    policy_findings,
    single_valued,
)
from detente.read import merge_into, parse_rdf, read_text
from detente.reason import Reasoner
from detente.validate import POLICY, Finding, Outcome, judge, names_of, sorted_findings
from detente.write import faithful_turtle, leading_comments, write_atomically

# ------------------------------------------------------------------ judging


def contribution_graph(contribution: Contribution) -> URIRef:
    """The named graph a contribution's triples go to: its report's (id/graph/unsourced
    while it names no report, or several)."""
    reports = cited_reports(contribution)
    if len(reports) == 1 and str(reports[0]).startswith(ID + "report/"):
        name = graph_of_report(reports[0])  # type: ignore[arg-type]
        if name not in RESERVED_GRAPHS:
            return name
    return UNSOURCED_GRAPH


@dataclass
class ContributionResult:
    """The judgement of a contribution, with its figures."""

    outcome: Outcome
    contribution: Contribution
    triples: int
    new_triples: int
    seconds: float
    partial: bool = False  # only what the contribution changes was judged (see --changes-only)

    @property
    def accepted(self) -> bool:
        """Whether the contribution may enter the graph."""
        return self.outcome.conforms


def _placed(finding: Finding, contribution: Contribution, touched: set[Node]) -> Finding:
    """A graph finding placed in the contribution: its line, and who brings it."""
    if finding.focus not in touched:
        return replace(finding, contributed=False)
    file, line = contribution.place(finding.focus, finding.path)
    return replace(finding, contributed=True, file=file, line=line)


def judge_contribution(
    project: Project,
    contribution: Contribution,
    sources: Sources | None = None,
    reasoner: Reasoner = "reasonable",
) -> ContributionResult:
    """Judge a contribution against the project's graph."""
    start = time.perf_counter()
    sources = sources or load_sources(project)
    ontology, data, shapes = sources.ontology, sources.data, sources.shapes
    names = names_of(contribution.graph, data, ontology, shapes)
    policy, refused = policy_findings(contribution, ontology, data)
    conflicts = list(conflict_findings(contribution, data, single_valued(ontology, shapes), names))
    judged = [t for t in contribution.graph if t not in refused]  # refused, so not judged
    merged = sources.merged()
    merged += judged
    graphs = dict(sources.graphs)
    name = contribution_graph(contribution)
    graphs[name] = merge_into(Graph(bind_namespaces="none"), graphs.get(name, Graph()))
    graphs[name] += judged
    checks = project.root / "scripts" / "checks"
    judgement = judge(merged, shapes, checks, reasoner, graphs)
    outcome = _placed_outcome(contribution, policy, conflicts, judgement.outcome.findings, names)
    outcome.inconsistencies = judgement.outcome.inconsistencies
    return ContributionResult(
        outcome=outcome,
        contribution=contribution,
        triples=len(contribution.graph),
        new_triples=len(contribution.graph - data),
        seconds=time.perf_counter() - start,
    )


def judge_contribution_indexed(
    project: Project,
    contribution: Contribution,
    index: Index,
    reasoner: Reasoner = "reasonable",
    changes_only: bool = False,
) -> ContributionResult:
    """Judge a contribution on the index, re-judging only what it can affect.

    Gives the findings of `judge_contribution`: the graph's recorded judgement, with the
    nodes the contribution can affect judged afresh on their neighbourhood (incremental.py).
    With `changes_only`, a graph whose judgement is not recorded yet is not judged whole
    (minutes on a large graph): only the nodes the contribution can affect are, and the
    result says it is partial.
    """
    from detente.incremental import (
        Judged,
        View,
        affected,
        base_judgement,
        change_of,
        is_recorded,
        load_rules,
        rejudged,
    )

    start = time.perf_counter()
    rules = load_rules(project, reasoner)
    names = names_of(contribution.graph, index.names(), rules.ontology, rules.shapes)
    partial = changes_only and not is_recorded(index, rules)
    base = Judged([], []) if partial else base_judgement(index, rules, names, reasoner)
    graph_only = View(index.store)
    nearby, known = _near(graph_only, contribution)
    policy, refused = policy_findings(contribution, rules.ontology, nearby, known)
    single = single_valued(rules.ontology, rules.shapes)
    conflicts = list(conflict_findings(contribution, nearby, single, names))
    judged = [t for t in contribution.graph if t not in refused]
    name = ox.NamedNode(str(contribution_graph(contribution)))
    extra = [to_quad(t, graph) for t in judged for graph in (DEFAULT, name)]
    refused_quads = [to_quad(t, DEFAULT) for t in contribution.graph if t in refused]
    view = View(index.store, extra)
    change = change_of(index.store, (q for q in extra if q.graph_name == DEFAULT))
    foci = affected(graph_only, change, rules)
    meta = meta_graph({URIRef(g.value): Graph() for g in {*index.data_graphs, name}})
    outcome = rejudged(base, view, foci, change.nodes, meta, rules, names, reasoner)
    result = _placed_outcome(contribution, policy, conflicts, outcome.findings, names)
    result.inconsistencies = outcome.inconsistencies
    return ContributionResult(
        outcome=result,
        contribution=contribution,
        triples=len(contribution.graph),
        new_triples=change.new + change_of(index.store, refused_quads).new,
        seconds=time.perf_counter() - start,
        partial=partial,
    )


def _near(view: Any, contribution: Contribution) -> tuple[Graph, set[Node]]:
    """What policy needs of the graph: the triples about the contribution's nodes and every
    identity link (as a graph), and which of the contribution's nodes the graph holds."""
    from detente.incremental import IDENTITY

    nearby = Graph(bind_namespaces="none")
    known: set[Node] = set()
    nodes = {n for n in contribution.nodes() if not isinstance(n, Literal)}
    links = [
        q for link in IDENTITY for q in view.store.quads_for_pattern(None, link, None, DEFAULT)
    ]
    for quad in links:
        nearby.add(
            (from_oxigraph(quad.subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object))
        )
    for node in nodes | {n for t in nearby for n in (t[0], t[2])}:
        term = to_oxigraph(node)
        if isinstance(term, ox.Literal):
            continue
        about = list(view.store.quads_for_pattern(term, None, None, DEFAULT))
        for quad in about:
            nearby.add((node, from_oxigraph(quad.predicate), from_oxigraph(quad.object)))
        pointing = next(iter(view.store.quads_for_pattern(None, None, term, DEFAULT)), None)
        if about or pointing is not None:
            known.add(node)
    return nearby, known


def _placed_outcome(
    contribution: Contribution,
    policy: list[Finding],
    conflicts: list[Finding],
    findings: list[Finding],
    names: NamespaceManager,
) -> Outcome:
    """The outcome of a contribution: policy, conflicts, and the graph's findings placed in
    the contribution (less those a conflict or an undefined term already reports)."""
    touched = contribution.nodes()
    covered = {(f.focus, f.path) for f in conflicts} | {
        (f.focus, None) for f in policy if f.rule == POLICY["undefined-term"]
    }
    placed = [
        _placed(f, contribution, touched)
        for f in findings
        if (f.focus, f.path) not in covered and (f.focus, None) not in covered
    ]
    return Outcome(sorted_findings(policy + conflicts + placed), [], names)


# ------------------------------------------------------------------ adding


@dataclass
class Addition:
    """What `detente add` did: the target file, and how many triples it gained."""

    result: ContributionResult
    target: Path | None
    added: int
    written: bool


def target_for(project: Project, contribution: Contribution, to: Path | None) -> Path | None:
    """The data file a contribution goes to: data/<slug>.ttl of the report it comes from.

    None while the contribution names no single report (it is then refused anyway). --to,
    when given, must name that same file.
    """
    data_dir = (project.root / "data").resolve()
    reports = cited_reports(contribution)
    target = None
    if len(reports) == 1 and str(reports[0]).startswith(ID + "report/"):
        slug = str(reports[0])[len(ID + "report/") :]
        if SLUG.match(slug):
            target = data_dir / f"{slug}.ttl"
    if to is None:
        return target
    chosen = (to if to.is_absolute() else Path.cwd() / to).resolve()
    if chosen.parent != data_dir or chosen.suffix != ".ttl":
        raise ValueError(f"the target must be a .ttl file directly in {data_dir} (see --to)")
    if target is not None and chosen != target:
        raise ValueError(
            f"the contribution comes from {reports[0]}, whose facts are kept in {target}; "
            f"--to {to} names another file"
        )
    return chosen


def add_contribution(
    project: Project,
    contribution: Contribution,
    to: Path | None = None,
    dry_run: bool = False,
    reasoner: Reasoner = "reasonable",
    index: Path | None = None,
    use_index: bool = True,
) -> Addition:
    """Judge a contribution; if accepted, merge it into its report's data file, canonical.

    Judging happens before the project's lock is taken, so a slow judgement does not hold
    other writers back; under the lock the data is compared with what was judged, and judged
    again only if another `add` changed it meanwhile. The judgement is made on the persistent
    index (at `index`, default the project's), which is then brought up to date; without
    `use_index`, on the files.
    """
    target = target_for(project, contribution, to)
    stamp = data_stamp(project)
    result, prefixes = _judge(project, contribution, reasoner, index, use_index)
    if dry_run or not result.accepted or target is None:  # writes nothing, so needs no lock
        return _add(contribution, target, prefixes, result, dry_run=True)
    with _exclusive(project.root):
        if data_stamp(project) != stamp:
            result, prefixes = _judge(project, contribution, reasoner, index, use_index)
            if not result.accepted:
                return Addition(result, target, 0, written=False)
        addition = _add(contribution, target, prefixes, result, dry_run=False)
    if addition.written and use_index:
        with open_index(project, index):  # re-reads the file just written
            pass
    return addition


def _judge(
    project: Project,
    contribution: Contribution,
    reasoner: Reasoner,
    index: Path | None,
    use_index: bool,
) -> tuple[ContributionResult, Graph]:
    """Judge a contribution on the index (or on the files); with the data's prefixes."""
    if not use_index:
        sources = load_sources(project)
        return judge_contribution(project, contribution, sources, reasoner), sources.data
    with open_index(project, index) as opened:
        return judge_contribution_indexed(project, contribution, opened, reasoner), opened.names()


def data_stamp(project: Project) -> tuple[tuple[str, int, int], ...]:
    """What identifies the data files' state: each file's name, size and modification time."""
    return tuple(
        (path.name, path.stat().st_size, path.stat().st_mtime_ns) for path in project.data_files
    )


@contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    """Hold the project's lock: one `detente add` at a time judges and writes to data/."""
    with open(folder / ".detente-add.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _add(
    contribution: Contribution,
    target: Path | None,
    prefixes: Graph,
    result: ContributionResult,
    dry_run: bool,
) -> Addition:
    """Merge an accepted contribution into its target file (or say what would be written)."""
    if not result.accepted or target is None:
        return Addition(result, target, 0, written=False)
    existing = Graph(bind_namespaces="none")
    origin = re.sub(r"[\x00-\x1f\x7f]", "?", contribution.files[0].name)
    header = (
        f"# Contributed facts, added with `detente add` from {origin}.\n"
        f"# What report:{target.stem} says; loaded as its named graph.\n"
    )
    if target.exists():
        text = read_text(target)
        existing = parse_rdf(text, str(target), "turtle", with_lines=False).graph
        header = leading_comments(text)
    new = contribution.graph - existing  # the report restates what it says, even if known
    if not new:
        return Addition(result, target, 0, written=False)
    merged = Graph(bind_namespaces="none")
    for graph in (existing, prefixes, contribution.graph):  # our prefixes first
        for prefix, namespace in graph.namespaces():
            merged.bind(prefix, namespace, override=False)
    merged += existing
    merged += new
    text = faithful_turtle(merged, header, str(target))
    if not dry_run:
        write_atomically(target, text)
    return Addition(result, target, len(new), written=not dry_run)
