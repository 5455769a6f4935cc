"""Terms and graphs between rdflib and pyoxigraph."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


def from_oxigraph(term: Any) -> Node:
    """The rdflib term for a pyoxigraph term, literals kept exactly as written."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if not isinstance(term, ox.Literal):
        raise ValueError(f"RDF 1.2 triple terms are not supported: {term}")
    if getattr(term, "direction", None):
        raise ValueError(f"base directions of language strings are not supported: {term}")
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def from_oxigraph_or_none(term: Any) -> Node | None:
    """The rdflib term for a pyoxigraph value; None where a variable is unbound."""
    return None if term is None else from_oxigraph(term)


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def to_quad(triple: Triple, graph: ox.NamedNode | ox.DefaultGraph) -> ox.Quad:
    """A pyoxigraph quad for an rdflib triple in a graph."""
    s, p, o = triple
    return ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)  # type: ignore[arg-type]


def oxigraph_store(graph: Graph, named: dict[URIRef, Graph] | None = None) -> ox.Store:
    """An in-memory pyoxigraph store holding the graph's triples in its default graph.

    A dataset's named graphs (and any `named` graphs given) are kept as named graphs too,
    while the default graph holds their union, each triple once as in rdflib's union, so
    that `GRAPH ?g` and plain patterns both work.
    """
    store = ox.Store()
    store.bulk_extend(to_quad(t, ox.DefaultGraph()) for t in set(graph.triples((None, None, None))))
    if isinstance(graph, Dataset):
        store.bulk_extend(
            to_quad((s, p, o), ox.NamedNode(str(g)))
            for s, p, o, g in graph.quads()
            if isinstance(g, URIRef)
        )
    for name, part in (named or {}).items():
        store.bulk_extend(to_quad(t, ox.NamedNode(str(name))) for t in part)
    return store
