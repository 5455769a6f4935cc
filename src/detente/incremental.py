"""Judge only what a change can affect: the nodes it names and those whose rules read them.

A change is a set of triples that enter or leave the graph (a contribution's, or a data
file's when it changes). Findings can change for:

- the subject of every changed triple, and every term of the ontology it uses;
- every node whose check reads a changed triple: a check's `# reach:` header lists the paths
  from its ?this to the other nodes whose triples it reads, so the node is one from which a
  path (or a beginning of one) reaches the triple's subject, or its object right before
  stepping back along the triple's predicate (^p);
- every node pointing at a node whose types change, along a path on which a shape asks for a
  class (sh:class reads the types of a node's values).

These foci are judged again on a neighbourhood taken from the index (their triples, those of
the nodes their reach leads to, the types of their values, the ontology and the meta graph),
and their findings replace the ones recorded for them; the findings of other nodes stand.
The result equals a full judgement of the merged graph, provided every check declares its
reach (tests/test_incremental.py and bench/prove_incremental.py compare the two).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, Node, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, NamespaceManager
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.util import from_n3

from detente import __version__
from detente.engines import from_oxigraph, to_oxigraph
from detente.index import DEFAULT, Index
from detente.kg import INFERRED_GRAPH, META_GRAPH, ONTOLOGY_GRAPH, Project, load_graph
from detente.read import InputError
from detente.reason import Inconsistency, Reasoner, clashes, closure_triples
from detente.validate import (
    CHECK,
    ILL_TYPED,
    Check,
    Finding,
    check_findings,
    code_of,
    ill_typed_literals,
    load_checks,
    restated_elsewhere,
    sorted_findings,
    validate,
)

Term = Any  # a pyoxigraph node: NamedNode or BlankNode
# A step: a predicate, whether it is walked backwards (^p), and a predicate the node it
# leads to must have (p[q]), if any.
Step = tuple[ox.NamedNode, bool, ox.NamedNode | None]
RDF_TYPE = ox.NamedNode(str(RDF.type))
IDENTITY = (ox.NamedNode(str(OWL.sameAs)), ox.NamedNode(str(SKOS.exactMatch)))
DET_NS = "https://w3id.org/detente/ontology#"
CHUNK = 4000  # foci judged at once when the whole graph is judged


@dataclass
class Rules:
    """What a judgement applies: ontology, shapes, checks, and how far each rule reads."""

    ontology: Graph
    shapes: Graph
    checks: list[Check]
    reach: list[list[Step]]
    class_paths: set[ox.NamedNode]
    stamp: str
    hierarchy: Graph = field(default_factory=Graph)  # the ontology's rdfs:subClassOf triples
    terms: set[Node] = field(default_factory=set)  # what the ontology describes
    source_predicates: set[ox.NamedNode] | None = None  # what checks read of ?this in GRAPH ?g


STEP = re.compile(r"^(\^?)([^\[\]\s]+)(?:\[([^\[\]\s]+)\])?$")


def _steps(path: str, prefixes: dict[str, str], where: Path) -> list[list[Step]]:
    """The sequences of a `# reach:` header: `p1/^p2 | p3[q]`, in prefixed names or <IRIs>;
    `p[q]` steps along p only to nodes that have a value of q."""

    def iri(name: str, step: str) -> ox.NamedNode:
        if name.startswith("<") and name.endswith(">"):
            return ox.NamedNode(name[1:-1])
        if ":" in name and name.split(":", 1)[0] in prefixes:
            prefix, local = name.split(":", 1)
            return ox.NamedNode(prefixes[prefix] + local)
        raise InputError(str(where), f"# reach: cannot read the step {step!r}")

    sequences = []
    for alternative in path.split("|"):
        steps: list[Step] = []
        for step in alternative.strip().split("/"):
            found = STEP.match(step.strip())
            if found is None:
                raise InputError(str(where), f"# reach: cannot read the step {step!r}")
            inverse, name, kept = found.groups()
            steps.append((iri(name, step), inverse == "^", iri(kept, step) if kept else None))
        sequences.append(steps)
    return sequences


def _prefixes(text: str) -> dict[str, str]:
    """The PREFIX declarations of a SPARQL text."""
    found = re.findall(r"PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", text, re.IGNORECASE)
    return {prefix: namespace for prefix, namespace in found}


def _class_paths(shapes: Graph) -> set[ox.NamedNode]:
    """The paths on which a shape asks for its values' class (sh:class, at any depth)."""
    found = set()
    for shape, path in shapes.subject_objects(SH.path):
        if isinstance(path, URIRef) and _asks_class(shapes, shape, set()):
            found.add(ox.NamedNode(str(path)))
    return found


def _asks_class(shapes: Graph, node: Node, seen: set[Node]) -> bool:
    """Whether a shape, or a shape it nests (lists, sh:or/and/not/xone), says sh:class."""
    if node in seen:
        return False
    seen.add(node)
    if (node, SH["class"], None) in shapes:
        return True
    return any(
        _asks_class(shapes, child, seen)
        for predicate, child in shapes.predicate_objects(node)
        if predicate in (SH["or"], SH["and"], SH["not"], SH.xone, RDF.first, RDF.rest)
        and not isinstance(child, Literal)
    )


def rules_stamp(project: Project, reasoner: Reasoner = "reasonable") -> str:
    """A digest of what the rules are made of: ontology, shapes, checks, toolkit, reasoner."""
    digest = hashlib.sha256(f"{__version__} {reasoner}".encode())
    checks = sorted((project.root / "scripts" / "checks").glob("*-violation.rq"))
    for path in [*project.ontology_files, *project.shapes_files, *checks]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


_LOADED: dict[str, Rules] = {}  # rules read in this process, by stamp


def load_rules(project: Project, reasoner: Reasoner = "reasonable") -> Rules:
    """The project's ontology, shapes and checks, with their reach (read once per process
    while their files stay the same)."""
    stamp = rules_stamp(project, reasoner)
    if stamp in _LOADED:
        return _LOADED[stamp]
    ontology = load_graph(project.ontology_files)
    shapes = load_graph(project.shapes_files)
    checks = load_checks(project.root / "scripts" / "checks")
    reach = []
    for check in checks:
        if check.reach:
            reach += _steps(check.reach, _prefixes(check.text), check.path)
    hierarchy = Graph(bind_namespaces="none")
    for triple in ontology.triples((None, RDFS.subClassOf, None)):
        hierarchy.add(triple)
    terms = set(ontology.subjects())
    rules = Rules(ontology, shapes, checks, reach, _class_paths(shapes), stamp, hierarchy, terms)
    rules.source_predicates = _all_source_predicates(checks)
    _LOADED.clear()
    _LOADED[stamp] = rules
    return rules


_GRAPH = re.compile(r"\bGRAPH\s+(\S+)\s*\{", re.IGNORECASE)
_SOURCE_BLOCK = re.compile(r"\bGRAPH\s+[?$]\w+\s*\{([^{}]*)\}", re.IGNORECASE)
_NAME = re.compile(r"^(<[^<>\s]+>|[A-Za-z][\w-]*:[\w-]*|a)$")


def _source_predicates(check: Check) -> set[ox.NamedNode] | None:
    """The properties the check reads in source graphs (GRAPH ?g), if it reads only triples
    whose subject is ?this there, on named properties, and names no graph but meta; else
    None (unsure: nested braces, paths, variables)."""
    code = code_of(check.text)
    names = _GRAPH.findall(code)
    if any(name != f"<{META_GRAPH}>" and name[0] not in "?$" for name in names):
        return None
    blocks = _SOURCE_BLOCK.findall(code)
    if len(blocks) != sum(1 for name in names if name[0] in "?$"):
        return None
    prefixes = {**_prefixes(check.text), "rdf": str(RDF)}
    found: set[ox.NamedNode] = set()
    for block in blocks:
        for statement in (s.strip() for s in re.split(r"\s\.(?=\s|$)", block)):
            if not statement:
                continue
            subject, _, rest = statement.partition(" ")
            if subject not in ("?this", "$this"):
                return None
            for part in rest.split(";"):
                predicate = part.split()[0] if part.split() else ""
                if not _NAME.match(predicate):
                    return None
                found.add(_named(predicate, prefixes))
    return found


def _named(name: str, prefixes: dict[str, str]) -> ox.NamedNode:
    """An IRI written <...>, as a prefixed name, or `a`."""
    if name == "a":
        return RDF_TYPE
    if name.startswith("<"):
        return ox.NamedNode(name[1:-1])
    prefix, local = name.split(":", 1)
    return ox.NamedNode(prefixes.get(prefix, prefix + ":") + local)


def _all_source_predicates(checks: list[Check]) -> set[ox.NamedNode] | None:
    """What every check reads in source graphs (None: unsure of some check)."""
    found: set[ox.NamedNode] = set()
    for check in checks:
        predicates = _source_predicates(check)
        if predicates is None:
            return None
        found |= predicates
    return found


# ------------------------------------------------------------------ walking the graph


class View:
    """The index's default graph and named graphs, plus a change's triples not yet in it."""

    def __init__(self, store: ox.Store, extra: list[ox.Quad] | None = None) -> None:
        """Index the extra quads by subject and by object."""
        self.store = store
        self.extra = extra or []
        self.by_subject: dict[Term, list[ox.Quad]] = {}
        self.by_object: dict[Term, list[ox.Quad]] = {}
        self.seen: dict[tuple[Term, ox.NamedNode, bool], list[Term]] = {}  # lookups made
        for quad in self.extra:
            self.by_subject.setdefault(quad.subject, []).append(quad)
            self.by_object.setdefault(quad.object, []).append(quad)

    def objects(self, node: Term, predicate: ox.NamedNode) -> list[Term]:
        """The values of a node on a predicate, in the default graph (looked up once)."""
        key = (node, predicate, False)
        if key not in self.seen:
            quads = self.store.quads_for_pattern(node, predicate, None, DEFAULT)
            found = [q.object for q in quads]
            found += [q.object for q in self.by_subject.get(node, []) if q.predicate == predicate]
            self.seen[key] = found
        return self.seen[key]

    def subjects(self, node: Term, predicate: ox.NamedNode) -> list[Term]:
        """The nodes pointing at a node on a predicate, in the default graph (looked up once)."""
        key = (node, predicate, True)
        if key not in self.seen:
            found = [
                q.subject for q in self.store.quads_for_pattern(None, predicate, node, DEFAULT)
            ]
            found += [q.subject for q in self.by_object.get(node, []) if q.predicate == predicate]
            self.seen[key] = found
        return self.seen[key]

    def own(self, node: Term) -> Iterator[ox.Quad]:
        """Every default-graph quad with the node as subject."""
        yield from self.store.quads_for_pattern(node, None, None, DEFAULT)
        for quad in self.by_subject.get(node, []):
            if quad.graph_name == DEFAULT:
                yield quad

    def pointing(self, node: Term) -> Iterator[ox.Quad]:
        """Every default-graph quad with the node as object."""
        yield from self.store.quads_for_pattern(None, None, node, DEFAULT)
        for quad in self.by_object.get(node, []):
            if quad.graph_name == DEFAULT:
                yield quad


INFERRED = ox.NamedNode(str(INFERRED_GRAPH))


VOCABULARIES = (
    DET_NS,
    str(RDF),
    str(RDFS),
    str(OWL),
    str(SH),
    str(SKOS),
    "http://www.w3.org/2001/XMLSchema#",
)


def _vocabulary(term: Term, rules: Rules) -> bool:
    """Whether a node is a term of the ontology or of a standard vocabulary."""
    return isinstance(term, ox.NamedNode) and (
        term.value.startswith(VOCABULARIES) or URIRef(term.value) in rules.terms
    )


def _is_node(term: Any) -> bool:
    """Whether a term is a node (an IRI or a blank node), not a literal."""
    return isinstance(term, ox.NamedNode | ox.BlankNode)


def _passes(view: View, node: Term, kept: ox.NamedNode | None, changed: set[Term]) -> bool:
    """Whether a node may be stepped to: it has a value of the step's predicate `kept` (or its
    own triples change, so it may have had or may gain one)."""
    return kept is None or node in changed or next(iter(view.objects(node, kept)), None) is not None


def _walk(view: View, start: set[Term], steps: list[Step]) -> set[Term]:
    """The nodes a sequence of steps leads to from the start, and those on the way."""
    found: set[Term] = set()
    frontier = start
    for predicate, inverse, kept in steps:
        frontier = {
            n
            for node in frontier
            for n in (view.subjects(node, predicate) if inverse else view.objects(node, predicate))
            if _is_node(n) and _passes(view, n, kept, set())
        }
        found |= frontier
    return found


@dataclass
class Change:
    """What some triples change, as the rules see it.

    `subjects`: nodes whose own triples change; `objects`: by predicate, the nodes those
    triples point at (a path that steps back along that predicate, ^p, reads them); `terms`:
    the ontology's terms they use; `typed`: subjects whose types change; `restated`: subjects
    of triples the graph holds already (said again in another graph: only their source can
    change).
    """

    subjects: set[Term] = field(default_factory=set)
    objects: dict[ox.NamedNode, set[Term]] = field(default_factory=dict)
    terms: set[Term] = field(default_factory=set)
    typed: set[Term] = field(default_factory=set)
    restated: set[Term] = field(default_factory=set)
    new: int = 0  # triples the graph does not hold yet

    @property
    def nodes(self) -> set[Term]:
        """Every node the triples name: subjects and objects."""
        return self.subjects.union(*self.objects.values())

    def add(self, quad: ox.Quad) -> None:
        """Count one changed triple in."""
        self.subjects.add(quad.subject)
        if _is_node(quad.object):
            self.objects.setdefault(quad.predicate, set()).add(quad.object)
            if quad.object.value.startswith(DET_NS):  # type: ignore[union-attr]
                self.terms.add(quad.object)
        if quad.predicate.value.startswith(DET_NS):
            self.terms.add(quad.predicate)
        if quad.predicate == RDF_TYPE:
            self.typed.add(quad.subject)


def change_of(store: ox.Store, quads: Iterable[ox.Quad]) -> Change:
    """The change some triples make to the store's default graph."""
    change = Change()
    for quad in quads:
        held = store.quads_for_pattern(quad.subject, quad.predicate, quad.object, DEFAULT)
        if next(iter(held), None) is not None:
            change.restated.add(quad.subject)
        else:
            change.add(quad)
            change.new += 1
    return change


def _back_to(view: View, change: Change, sequence: list[Step]) -> set[Term]:
    """The nodes whose walk along the sequence (or a beginning of it) reads a changed triple:
    it reaches the triple's subject, or its object just before stepping back along it."""
    found: set[Term] = set()
    for length in range(len(sequence) + 1):
        ends = set(change.subjects) if length > 0 else set()
        if length < len(sequence):
            predicate, inverse, _ = sequence[length]
            if inverse:
                ends |= change.objects.get(predicate, set())
        if length > 0:
            ends = {n for n in ends if _passes(view, n, sequence[length - 1][2], change.subjects)}
        frontier = ends
        for position in range(length, 0, -1):  # step `position` leads from position - 1
            predicate, inverse, _ = sequence[position - 1]
            frontier = {
                n
                for node in frontier
                for n in (
                    view.objects(node, predicate) if inverse else view.subjects(node, predicate)
                )
                if _is_node(n)
            }
            if position > 1:
                kept = sequence[position - 2][2]
                frontier = {n for n in frontier if _passes(view, n, kept, change.subjects)}
        found |= frontier
    return found


@dataclass
class Foci:
    """The nodes to judge again: by the shapes, and by the checks (a wider set)."""

    shapes: set[Term]
    checks: set[Term]


def affected(view: View, change: Change, rules: Rules) -> Foci:
    """The foci whose findings a change can alter."""
    shapes = change.subjects | change.restated | change.terms
    for predicate in rules.class_paths:
        shapes |= {n for node in change.typed for n in view.subjects(node, predicate)}
    checks = set(shapes)
    for sequence in rules.reach:
        checks |= _back_to(view, change, sequence)
    return Foci(shapes, checks)


# ------------------------------------------------------------------ judging the foci


def _reached(view: View, foci: set[Term], rules: Rules) -> set[Term]:
    """The foci and every node their checks' reach leads to."""
    reached = set(foci)
    for sequence in rules.reach:
        reached |= _walk(view, foci, sequence)
    return reached


def _rdflib(quads: Iterable[ox.Quad], graph: Graph | None = None) -> Graph:
    """An rdflib graph of the quads' triples."""
    target = graph if graph is not None else Graph(bind_namespaces="none")
    for quad in quads:
        target.add(_triple(quad))
    return target


def _value_types(view: View, quads: list[ox.Quad]) -> Iterator[ox.Quad]:
    """The default-graph rdf:type quads of the values of the quads."""
    for value in {q.object for q in quads if _is_node(q.object)}:
        for kind in view.objects(value, RDF_TYPE):
            yield ox.Quad(value, RDF_TYPE, kind, DEFAULT)  # type: ignore[arg-type]


def _shape_findings(
    view: View, foci: set[Term], rules: Rules, names: NamespaceManager
) -> list[Finding]:
    """The SHACL findings of the foci, judged on their triples and their values' types."""
    own = [q for node in foci for q in view.own(node)]
    graph = Graph(bind_namespaces="none")
    graph += rules.hierarchy  # what sh:class and sh:targetClass read of the ontology
    _rdflib([*own, *_value_types(view, own)], graph)
    wanted = {from_oxigraph(node) for node in foci}
    ill_typed = ill_typed_literals(graph)
    for triple in ill_typed:  # validation leaves them out: so does targeting
        graph.remove(triple)
    shapes = targeted(rules.shapes, graph, wanted)
    for triple in ill_typed:
        graph.add(triple)
    return [f for f in validate(graph, shapes, names, spare_shapes=True) if f.focus in wanted]


TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)


def targeted(shapes: Graph, graph: Graph, foci: set[Node]) -> Graph:
    """The shapes with their targets replaced by the foci they target in the graph.

    Each shape's targets (class, subjects of, objects of, nodes, SPARQL) are resolved here
    on the graph, kept only where they are foci, and given as sh:targetNode: the validator
    then judges the foci alone, not the values whose types the graph carries for sh:class
    (which would fail their own shapes, incomplete, and be thrown away).
    """
    rewritten = Graph(bind_namespaces="none")
    rewritten += shapes
    for shape in {s for target in TARGETS for s in shapes.subjects(target, None)}:
        nodes = _targets_of(shapes, shape, graph) & foci
        for target in TARGETS:
            rewritten.remove((shape, target, None))
        for node in nodes:
            rewritten.add((shape, SH.targetNode, node))
    return rewritten


def _targets_of(shapes: Graph, shape: Node, graph: Graph) -> set[Node]:
    """The nodes of the graph a shape targets."""
    found: set[Node] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        classes = set(graph.transitive_subjects(RDFS.subClassOf, cls))
        found |= {n for c in classes for n in graph.subjects(RDF.type, c)}
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):
        found |= set(graph.subjects(predicate, None))
    for predicate in shapes.objects(shape, SH.targetObjectsOf):
        found |= {o for o in graph.objects(None, predicate) if not isinstance(o, Literal)}
    found |= set(shapes.objects(shape, SH.targetNode))
    for target in shapes.objects(shape, SH.target):
        select = shapes.value(target, SH.select)
        if select is None:
            raise InputError("shapes", f"a target of {shape} is not a SPARQL SELECT target")
        query = _prepared(_declared(shapes, target) + str(select))
        found |= {row[0] for row in graph.query(query)}  # type: ignore[index]
    return found


@functools.lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    """A SPARQL target's query, parsed once (parsing costs more than running it here)."""
    return prepareQuery(text)


def _declared(shapes: Graph, target: Node) -> str:
    """The PREFIX lines a SPARQL-based target declares (sh:prefixes / sh:declare)."""
    lines = []
    for source in shapes.objects(target, SH.prefixes):
        for declaration in shapes.objects(source, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(lines)


def _check_store(
    view: View, nodes: set[Term], foci: set[Term], meta: Graph, rules: Rules
) -> ox.Store:
    """A store of what the checks read: the nodes' triples and their values' types, the
    ontology, meta, the change, and the source graphs' triples about the foci (about every
    node, when some check reads other nodes' triples in a source graph)."""
    store = ox.Store()
    named = [n for n in nodes if isinstance(n, ox.NamedNode)]
    for start in range(0, len(named), 2000):  # in Rust: CONSTRUCT, serialised, loaded
        found = view.store.query(_NEIGHBOURHOOD % _values(named[start : start + 2000]))
        assert isinstance(found, ox.QueryTriples)
        text = found.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        if b"_:" in text:  # loading renames blank nodes: parsing keeps them
            store.bulk_extend(ox.parse(text, ox.RdfFormat.N_TRIPLES))
        else:
            store.load(text, ox.RdfFormat.N_TRIPLES)
    store.bulk_extend(q for n in nodes if not isinstance(n, ox.NamedNode) for q in view.own(n))
    store.bulk_extend(view.extra)
    store.bulk_extend(_value_types(view, [q for q in view.extra if q.graph_name == DEFAULT]))
    store.bulk_extend(_sourced(view, nodes, foci, rules.source_predicates))
    store.bulk_extend(_quads(rules.ontology, DEFAULT))
    store.bulk_extend(_quads(meta, ox.NamedNode(str(META_GRAPH))))
    return store


def _sourced(
    view: View, nodes: set[Term], foci: set[Term], predicates: set[ox.NamedNode] | None
) -> Iterator[ox.Quad]:
    """The source graphs' quads the checks read: about the foci, on the given properties (or,
    when these are unknown, every quad of every node)."""
    if predicates is None:
        pairs: Iterable[tuple[Term, ox.NamedNode | None]] = ((n, None) for n in nodes)
    else:
        pairs = ((n, p) for n in foci for p in predicates)
    for node, predicate in pairs:
        for quad in view.store.quads_for_pattern(node, predicate, None, None):
            if quad.graph_name not in (DEFAULT, ONTOLOGY, INFERRED):
                yield quad


_NEIGHBOURHOOD = """
CONSTRUCT { ?s ?p ?o . ?o a ?type } WHERE {
  VALUES ?s { %s }
  ?s ?p ?o .
  OPTIONAL { ?o a ?type }
}"""


def _values(nodes: list[ox.NamedNode]) -> str:
    """IRIs for a VALUES block."""
    return " ".join(str(node) for node in nodes)


ONTOLOGY = ox.NamedNode(str(ONTOLOGY_GRAPH))


def _quads(graph: Graph, name: ox.NamedNode | ox.DefaultGraph) -> Iterator[ox.Quad]:
    """An rdflib graph's triples as quads of one graph."""
    for s, p, o in graph:
        yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)  # type: ignore[arg-type]


def _check_findings(
    view: View, foci: set[Term], meta: Graph, rules: Rules, store: ox.Store | None = None
) -> list[Finding]:
    """The checks' findings about the foci (on the neighbourhood, or on the store given).

    Each check is asked about the foci that are IRIs alone (VALUES ?this); blank nodes cannot
    be named in a query, so when some foci are blank, the check is also run whole for them.
    """
    if store is None:
        store = _check_store(view, _reached(view, foci, rules), foci, meta, rules)
    named = {from_oxigraph(node) for node in foci if isinstance(node, ox.NamedNode)}
    blank = {from_oxigraph(node) for node in foci if not isinstance(node, ox.NamedNode)}
    found = []
    for check in rules.checks:
        found += [f for f in check_findings(check, store, named) if f.focus in named]
        if blank:
            found += [f for f in check_findings(check, store) if f.focus in blank]
    return found


def _inconsistent(
    view: View, change_nodes: set[Term], rules: Rules, reasoner: Reasoner, names: NamespaceManager
) -> tuple[set[Node], list[Inconsistency]]:
    """The inconsistencies about the nodes (and their identity partners), on what types them.

    Terms of the vocabularies are left out: a contribution may not change them (policy), and
    what points at a class or a concept is half the graph. Of the triples pointing at a node,
    one per property is enough: what OWL 2 RL infers of the node from them (its types, by
    range) depends on the property alone, except for identity links, all kept.
    """
    nodes = {node for node in change_nodes if not _vocabulary(node, rules)}
    for node in change_nodes:
        for link in IDENTITY:
            nodes |= {n for n in view.objects(node, link) if _is_node(n)}
            nodes |= set(view.subjects(node, link))
    quads = [q for node in nodes for q in view.own(node)]
    for node in nodes:
        seen: set[ox.NamedNode] = set()
        for quad in view.pointing(node):
            if quad.predicate not in seen or quad.predicate in KEPT_LINKS:
                seen.add(quad.predicate)
                quads.append(quad)
    asserted = [*rules.ontology, *(_triple(q) for q in quads)]
    wanted = {from_oxigraph(node) for node in nodes}
    kept = wanted | rules.terms  # what the clash queries read: the nodes', the terms'
    closed = [t for t in closure_triples(asserted, reasoner) if t[0] in kept or t[1] in READ]
    found = [
        i
        for i in clashes(closed, [t for t in asserted if t[0] in kept], names)
        if i.node in wanted or i.node is None
    ]
    return wanted, found


KEPT_LINKS = {*IDENTITY, ox.NamedNode(str(OWL.differentFrom))}
READ = {
    URIRef(str(ERRNS.error)),
    OWL.disjointWith,
}  # read by the clash queries whatever their subject


def _triple(quad: ox.Quad) -> tuple[Node, Node, Node]:
    """A quad's triple as rdflib terms."""
    return from_oxigraph(quad.subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object)


@dataclass
class Judged:
    """Findings and inconsistencies of a graph, and the nodes they were judged for."""

    findings: list[Finding]
    inconsistencies: list[Inconsistency]


def _is_check(finding: Finding) -> bool:
    """Whether a finding comes from a SPARQL check (not a shape, nor an ill-typed literal)."""
    return str(finding.rule).startswith(str(CHECK)) and finding.rule != ILL_TYPED


def rejudged(
    base: Judged,
    view: View,
    foci: Foci,
    change_nodes: set[Term],
    meta: Graph,
    rules: Rules,
    names: NamespaceManager,
    reasoner: Reasoner = "reasonable",
) -> Judged:
    """The base judgement with the foci judged afresh: shapes, checks (those a shape already
    reports left out), and the inconsistencies about the changed nodes."""
    shape_foci = {from_oxigraph(node) for node in foci.shapes}
    check_foci = {from_oxigraph(node) for node in foci.checks}
    shaped = _shape_findings(view, foci.shapes, rules, names)
    standing = [f for f in base.findings if not _is_check(f) and f.focus not in shape_foci]
    shaped_near = shaped + [f for f in standing if f.focus in check_foci]
    checked = restated_elsewhere(
        _check_findings(view, foci.checks, meta, rules), shaped_near, rules.checks
    )
    kept_checks = [f for f in base.findings if _is_check(f) and f.focus not in check_foci]
    about, found = _inconsistent(view, change_nodes, rules, reasoner, names)
    return Judged(
        sorted_findings(standing + shaped + kept_checks + checked),
        sorted(
            {
                *[i for i in base.inconsistencies if i.node not in about and i.node is not None],
                *found,
            },
            key=lambda item: (str(item.node), item.message),
        ),
    )


# ------------------------------------------------------------------ the index's own judgement


def _to_json(judged: Judged) -> dict[str, Any]:
    """A judgement as JSON: terms in N3."""

    def n3(node: Node | None) -> str | None:
        return None if node is None else node.n3()

    return {
        "findings": [
            [
                n3(f.focus),
                n3(f.path),
                n3(f.value),
                n3(f.rule),
                n3(f.component),
                f.severity,
                f.message,
            ]
            for f in judged.findings
        ],
        "inconsistencies": [[n3(i.node), i.message] for i in judged.inconsistencies],
    }


def _term(text: str | None) -> Any:
    """A term read back from N3 (None stays None)."""
    return None if text is None else from_n3(text)


def _from_json(data: dict[str, Any]) -> Judged:
    """A judgement read back from JSON."""
    return Judged(
        [
            Finding(_term(f), _term(p), _term(v), _term(r), _term(c), severity, message)
            for f, p, v, r, c, severity, message in data["findings"]
        ],
        [Inconsistency(_term(node), message) for node, message in data["inconsistencies"]],
    )


def _all_nodes(store: ox.Store) -> list[Term]:
    """Every node of the default graph (subjects, objects, terms of the ontology used)."""
    nodes: set[Term] = set()
    for quad in store.quads_for_pattern(None, None, None, DEFAULT):
        nodes.add(quad.subject)
        if _is_node(quad.object):
            nodes.add(quad.object)
        if quad.predicate.value.startswith(DET_NS):
            nodes.add(quad.predicate)
    return sorted(nodes, key=str)


def judge_all(index: Index, rules: Rules, names: NamespaceManager, reasoner: Reasoner) -> Judged:
    """Judge the whole indexed graph, a chunk of foci at a time."""
    view = View(index.store)
    meta = _rdflib(index.store.quads_for_pattern(None, None, None, ox.NamedNode(str(META_GRAPH))))
    nodes = _all_nodes(index.store)
    result = Judged([], [])
    for start in range(0, len(nodes), CHUNK):
        chunk = set(nodes[start : start + CHUNK])
        view.seen.clear()  # what one chunk looked up, the next rarely needs
        fresh = rejudged(
            Judged([], []), view, Foci(chunk, chunk), chunk, meta, rules, names, reasoner
        )
        result.findings += fresh.findings
        result.inconsistencies += fresh.inconsistencies
    return Judged(
        sorted_findings(result.findings),
        sorted(set(result.inconsistencies), key=lambda item: (str(item.node), item.message)),
    )


def is_recorded(index: Index, rules: Rules) -> bool:
    """Whether the index holds a judgement of its graph under these rules."""
    state = index.state.get("judged")
    return state is not None and state.get("rules") == rules.stamp


def base_judgement(
    index: Index, rules: Rules, names: NamespaceManager, reasoner: Reasoner = "reasonable"
) -> Judged:
    """The judgement of the indexed graph: as recorded, caught up with changes, or made now."""
    state = index.state.get("judged")
    if state is None or state.get("rules") != rules.stamp:
        judged = judge_all(index, rules, names, reasoner)
    else:
        judged = _from_json(state)
        pending = "\n".join(state.get("pending", []))
        if pending:
            change = Change()
            for quad in ox.parse(pending, ox.RdfFormat.N_TRIPLES):
                change.add(quad)
            view = View(index.store)
            meta = _rdflib(
                index.store.quads_for_pattern(None, None, None, ox.NamedNode(str(META_GRAPH)))
            )
            foci = affected(view, change, rules)
            judged = rejudged(judged, view, foci, change.nodes, meta, rules, names, reasoner)
        else:
            return judged
    index.state["judged"] = {"rules": rules.stamp, **_to_json(judged)}
    index.save()
    return judged
