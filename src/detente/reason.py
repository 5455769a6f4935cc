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
from rdflib.namespace import XSD, NamespaceManager

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
