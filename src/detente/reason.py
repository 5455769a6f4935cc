"""Materialise the OWL 2 RL closure of a graph and find its inconsistencies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal as TypingLiteral

import owlrl
import pyoxigraph as ox
import reasonable
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, Node, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD, NamespaceManager

from detente.engines import from_oxigraph, to_quad

Reasoner = TypingLiteral["reasonable", "owlrl"]
REASONERS: tuple[Reasoner, ...] = ("reasonable", "owlrl")


def close(graph: Graph, reasoner: Reasoner = "reasonable") -> Graph:
    """A new graph holding the graph and everything OWL 2 RL infers from it."""
    closed = Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        closed.bind(prefix, namespace)
    if reasoner == "owlrl":
        closed += graph
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
        return closed
    engine = reasonable.PyReasoner()
    engine.from_graph(graph)
    closed += graph
    for s, p, o in engine.reason():
        closed.add((s, p, _plain_string(o)))
    return closed


def _plain_string(term: Node) -> Node:
    """An xsd:string literal as the simple literal it equals in RDF 1.1 (as rdflib parses it)."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


@dataclass(frozen=True)
class Inconsistency:
    """A contradiction in the closed graph: the node concerned and what is wrong with it."""

    node: Node | None
    message: str


CLASH_QUERIES = {
    "disjoint": """
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT DISTINCT ?node ?a ?b WHERE {
            ?a owl:disjointWith ?b . ?node a ?a , ?b .
        }""",
    "nothing": """
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT DISTINCT ?node ?a ?b WHERE {
            ?node a owl:Nothing . BIND(owl:Nothing AS ?a) BIND(?a AS ?b)
        }""",
    "functional": """
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT DISTINCT ?node ?a ?b WHERE {
            ?p a owl:FunctionalProperty . ?node ?p ?a , ?b .
            FILTER (isLiteral(?a) && isLiteral(?b) && STR(?a) < STR(?b))
        }""",
    "different": """
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT DISTINCT ?node ?a ?b WHERE {
            ?node owl:sameAs ?a ; owl:differentFrom ?a . BIND(?a AS ?b)
        }""",
}


def _describe(kind: str, a: str, b: str) -> str:
    """A sentence for one kind of clash."""
    if kind == "disjoint":
        return f"is an instance of the disjoint classes {a} and {b}"
    if kind == "nothing":
        return "is an instance of owl:Nothing"
    if kind == "functional":
        return f"has two values, {a} and {b}, of a functional property"
    return f"is declared both the same as and different from {a}"


Triple = tuple[Node, Node, Node]


def closure_triples(triples: list[Triple], reasoner: Reasoner = "reasonable") -> list[Triple]:
    """The triples and everything OWL 2 RL infers from them (owlrl's errors included)."""
    if reasoner == "owlrl":
        graph = Graph(bind_namespaces="none")
        for triple in triples:
            graph.add(triple)
        return list(close(graph, "owlrl"))
    engine = reasonable.PyReasoner()
    engine.from_graph(triples)
    return [(s, p, _plain_string(o)) for s, p, o in engine.reason()]


def _store_of(triples: Iterable[Triple]) -> ox.Store:
    """A store of the RDF triples among these (owlrl's closure may hold literals as subjects)."""
    store = ox.Store()
    store.bulk_extend(
        to_quad((s, p, o), ox.DefaultGraph())
        for s, p, o in triples
        if not isinstance(s, Literal) and isinstance(p, URIRef)
    )
    return store


def inconsistencies(closed: Graph, asserted: Graph | None = None) -> list[Inconsistency]:
    """The contradictions of a graph: disjoint classes shared, clashes, owlrl's errors.

    Class clashes are sought in the closure; two values of a functional property in the
    asserted graph when it is given, since the closure spreads them through owl:sameAs.
    """
    return clashes(closed, asserted, closed.namespace_manager)


def clashes(
    closed: Iterable[Triple], asserted: Iterable[Triple] | None, names: NamespaceManager
) -> list[Inconsistency]:
    """The contradictions of a closure (and of the asserted triples it closes, when given).

    The queries run on pyoxigraph, which is much faster than rdflib's engine here.
    """
    closed_store = _store_of(closed)
    stores = {"closed": closed_store, "asserted": closed_store}
    if asserted is not None:
        stores["asserted"] = _store_of(asserted)
    found: list[Inconsistency] = []
    for kind in CLASH_QUERIES:
        store = stores["asserted" if kind == "functional" else "closed"]
        for row in store.query(CLASH_QUERIES[kind]):  # type: ignore[union-attr]
            node, a, b = (from_oxigraph(row[name]) for name in ("node", "a", "b"))
            found.append(Inconsistency(node, _describe(kind, a.n3(names), b.n3(names))))
    errors = ox.NamedNode(str(ERRNS.error))
    for quad in closed_store.quads_for_pattern(None, errors, None, None):
        found.append(Inconsistency(None, str(from_oxigraph(quad.object))))
    return sorted(set(found), key=lambda item: (str(item.node), item.message))


# ------------------------------------------------------------------ the closure, split

# Terms in N-Triples form (<iri>, _:label, a literal), as pyoxigraph writes them.
NTriple = tuple[str, str, str]
_OWL, _RDF, _RDFS = str(OWL), str(RDF), str(RDFS)
SAME_AS = f"<{_OWL}sameAs>"
RDF_TYPE = f"<{_RDF}type>"
# What reasonable reads as schema: these predicates, and rdf:type with these objects.
SCHEMA_PREDICATES = frozenset(
    f"<{ns}{name}>"
    for ns, names in (
        (_RDFS, "subClassOf subPropertyOf domain range"),
        (
            _OWL,
            "equivalentClass equivalentProperty inverseOf unionOf intersectionOf complementOf "
            "onProperty hasValue someValuesFrom allValuesFrom disjointWith propertyDisjointWith",
        ),
        (_RDF, "first rest"),
    )
    for name in names.split()
)
META_CLASSES = frozenset(
    f"<{_OWL}{name}Property>"
    for name in (
        "Transitive",
        "Symmetric",
        "Functional",
        "InverseFunctional",
        "Irreflexive",
        "Asymmetric",
    )
)
# What only rules that join two instance triples (prp-trp, prp-fp) or find contradictions
# (cax-dw, prp-pdw, cls-com, prp-irp, prp-asyp) read: the joins take time and memory that
# grow as the square of the instances (cax-dw pairs every two instances of disjoint classes).
JOINING_PREDICATES = frozenset(
    f"<{_OWL}{name}>" for name in ("disjointWith", "propertyDisjointWith", "complementOf")
)
JOINING_CLASSES = frozenset(
    f"<{_OWL}{name}Property>" for name in ("Transitive", "Functional", "Irreflexive", "Asymmetric")
)
# Rules that join two nodes' triples freely (cls-svf1, cls-avf, cls-hv1; reasonable's prp-ifp
# makes every two subjects of the property the same): no split closure with them.
UNSPLITTABLE = frozenset(
    f"<{_OWL}{name}>"
    for name in ("someValuesFrom", "allValuesFrom", "hasValue", "InverseFunctionalProperty")
)


@dataclass(frozen=True)
class PropertyAxioms:
    """What an ontology's closure says of its properties (terms in N-Triples form)."""

    supers: dict[str, frozenset[str]]  # sub- or equivalent property of, transitively
    inverses: dict[str, frozenset[str]]
    symmetric: frozenset[str]
    transitive: frozenset[str]
    functional: frozenset[str]
    ranged: frozenset[str]  # the properties with an rdfs:range
    unsplittable: tuple[str, ...]  # axioms whose rules join the triples of two nodes freely

    def links(self) -> frozenset[str]:
        """The properties whose triples rules join across nodes (owl:sameAs, transitive and
        functional ones), with every property whose triples make theirs."""
        found = {SAME_AS, *self.transitive, *self.functional}
        while True:
            more = {
                p
                for p in {*self.supers, *self.inverses} - found
                if self.supers.get(p, frozenset()) & found
                or self.inverses.get(p, frozenset()) & found
            }
            if not more:
                return frozenset(found)
            found |= more

    def tells(self, p: str) -> str:
        """What a triple of p can make of its object: "all" (p or a property it is a
        sub-property of has an inverse or is symmetric), "types" (one has a range: the same
        types whatever points) or "nothing"."""
        ups = {p, *self.supers.get(p, ())}
        if any(q in self.symmetric or q in self.inverses for q in ups):
            return "all"
        return "types" if ups & self.ranged else "nothing"


def property_axioms(schema: Iterable[NTriple]) -> PropertyAxioms:
    """The property axioms of a closed ontology."""
    edges: dict[str, set[str]] = {}
    inverses: dict[str, set[str]] = {}
    kinds: dict[str, set[str]] = {}
    ranged: set[str] = set()
    unsplittable: set[str] = set()
    for s, p, o in schema:
        if p == f"<{_RDFS}subPropertyOf>":
            edges.setdefault(s, set()).add(o)
        elif p == f"<{_OWL}equivalentProperty>":
            edges.setdefault(s, set()).add(o)
            edges.setdefault(o, set()).add(s)
        elif p == f"<{_OWL}inverseOf>":
            inverses.setdefault(s, set()).add(o)
            inverses.setdefault(o, set()).add(s)
        elif p == RDF_TYPE and o in META_CLASSES:
            kinds.setdefault(o, set()).add(s)
        elif p == f"<{_RDFS}range>":
            ranged.add(s)
        unsplittable |= {p, o} & UNSPLITTABLE
    supers = {p: frozenset(_reachable(p, edges) - {p}) for p in edges}
    return PropertyAxioms(
        supers={p: ups for p, ups in supers.items() if ups},
        inverses={p: frozenset(qs) for p, qs in inverses.items()},
        symmetric=frozenset(kinds.get(f"<{_OWL}SymmetricProperty>", ())),
        transitive=frozenset(kinds.get(f"<{_OWL}TransitiveProperty>", ())),
        functional=frozenset(kinds.get(f"<{_OWL}FunctionalProperty>", ())),
        ranged=frozenset(ranged),
        unsplittable=tuple(sorted(unsplittable)),
    )


def _reachable(start: str, edges: dict[str, set[str]]) -> set[str]:
    """The nodes reachable from a node along edges, itself included."""
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def link_closure(triples: Iterable[NTriple], axioms: PropertyAxioms) -> set[NTriple]:
    """What reasonable infers from triples of the link properties (`PropertyAxioms.links`):
    sub-, equivalent, inverse and symmetric properties (prp-spo1, prp-eqp, prp-inv, prp-symp),
    transitive chains (prp-trp), the values of a functional property made the same (prp-fp,
    each with itself too, as reasonable does), and owl:sameAs (eq-sym, eq-trans, eq-rep-s,
    eq-rep-o). Literals may be subjects here."""
    known: set[NTriple] = set()
    outgoing: dict[str, set[tuple[str, str]]] = {}
    incoming: dict[str, set[tuple[str, str]]] = {}
    todo = list(triples)
    while todo:
        triple = todo.pop()
        if triple in known:
            continue
        known.add(triple)
        s, p, o = triple
        outgoing.setdefault(s, set()).add((p, o))
        incoming.setdefault(o, set()).add((s, p))
        found = [(s, q, o) for q in axioms.supers.get(p, ())]
        found += [(o, q, s) for q in axioms.inverses.get(p, ())]
        if p in axioms.symmetric:
            found.append((o, p, s))
        if p in axioms.transitive:
            found += [(s, p, z) for q, z in outgoing.get(o, ()) if q == p]
            found += [(x, p, o) for x, q in incoming.get(s, ()) if q == p]
        if p in axioms.functional:
            values = [y for q, y in outgoing[s] if q == p]  # o among them
            found += [(o, SAME_AS, y) for y in values] + [(y, SAME_AS, o) for y in values]
        if p == SAME_AS:
            found.append((o, SAME_AS, s))
            found += [(o, q, z) for q, z in outgoing[s]]
            found += [(x, q, o) for x, q in incoming.get(s, ())]
        found += [(twin, p, o) for q, twin in outgoing[s] if q == SAME_AS]
        found += [(s, p, twin) for q, twin in outgoing.get(o, ()) if q == SAME_AS]
        todo += [t for t in found if t not in known]
    return known


def lean_ontology(triples: Iterable[NTriple]) -> list[NTriple]:
    """An ontology less the axioms only joining or contradiction-finding rules read."""
    return [
        (s, p, o)
        for s, p, o in triples
        if p not in JOINING_PREDICATES and not (p == RDF_TYPE and o in JOINING_CLASSES)
    ]
