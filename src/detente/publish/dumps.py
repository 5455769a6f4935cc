"""The dumps of a publication: ontology, shapes, data and closure in every RDF syntax."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from detente.engines import to_quad
from detente.kg import SHAPES_GRAPH, Sources
from detente.publish.layout import DUMP_FORMATS
from detente.read import merge_into
from detente.write import canonical_turtle

GZIP_FROM_BYTES = 64 * 1024  # dumps at least this large get a .gz copy beside them
TRIPLE_FORMATS = ("ttl", "nt", "rdf", "jsonld")
QUAD_FORMATS = ("trig", "nq")
GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")  # how a namespace usable as a prefix ends

DUMP_TITLES = {
    "ontology": "The detente ontology (OWL)",
    "shapes": "The SHACL shapes that validate the data",
    "data": "The data: every report's facts and the background, as one graph",
    "closure": "Ontology and data with their OWL 2 RL inferences",
    "dataset": "Every graph named: one per source file, plus ontology, shapes, meta, inferred",
}

Quad = tuple[Node, Node, Node, Node | None]
Edge = tuple[str, Node, Node, str]  # direction, predicate, the node at the other end, graph


@dataclass(frozen=True)
class Dump:
    """A dump file: which part of the publication, its format, its path and size."""

    part: str
    extension: str
    path: str  # relative to the publication's root
    size: int

    @property
    def media_type(self) -> str:
        """The dump's media type (a gzip copy has application/gzip)."""
        if self.path.endswith(".gz"):
            return "application/gzip"
        return DUMP_FORMATS[self.extension][0]


def _digest(text: str) -> str:
    """A hex digest of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _refined(edges: dict[BNode, list[Edge]], colour: dict[BNode, str]) -> dict[BNode, str]:
    """Colours refined by the colours of the neighbours until no class splits any more."""
    while True:
        new = {}
        for node, around in edges.items():
            seen = sorted(
                f"{way} {p.n3()} {colour[n] if isinstance(n, BNode) else n.n3()} {g}"
                for way, p, n, g in around
            )
            new[node] = _digest(colour[node] + "\n" + "\n".join(seen))
        if len(set(new.values())) == len(set(colour.values())):
            return new
        colour = new


def blank_labels(quads: Iterable[Quad]) -> dict[BNode, BNode]:
    """A label for each blank node that depends only on the triples around it, not its name."""
    edges: dict[BNode, list[Edge]] = defaultdict(list)
    for s, p, o, g in quads:
        name = "" if g is None else g.n3()
        if isinstance(s, BNode):
            edges[s].append(("out", p, o, name))
        if isinstance(o, BNode):
            edges[o].append(("in", p, s, name))
    colour = _refined(edges, dict.fromkeys(edges, ""))
    while len(set(colour.values())) < len(colour):
        # Nodes still alike: single one out and refine again. They are alike in every way
        # (swapping them changes nothing) in any graph but contrived ones.
        tied = min(c for c, n in Counter(colour.values()).items() if n > 1)
        chosen = next(node for node, c in colour.items() if c == tied)
        colour[chosen] = _digest(tied + " chosen")
        colour = _refined(edges, colour)
    size = 20 if len({c[:20] for c in colour.values()}) == len(colour) else 64
    return {node: BNode("b" + c[:size]) for node, c in colour.items()}


def _relabel(node: Node, labels: dict[BNode, BNode]) -> Node:
    """A node with its blank node label replaced."""
    return labels[node] if isinstance(node, BNode) else node


def _order(triple: tuple[Node, Node, Node]) -> tuple[str, str, str]:
    """Where a triple goes in a fixed order of triples."""
    return (triple[0].n3(), triple[1].n3(), triple[2].n3())


def _sorted_triples(graph: Graph, labels: dict[BNode, BNode]) -> list[tuple[Node, Node, Node]]:
    """A graph's triples, blank nodes relabelled, in a fixed order."""
    return sorted(((_relabel(s, labels), p, _relabel(o, labels)) for s, p, o in graph), key=_order)


def stable(graph: Graph) -> Graph:
    """A copy of a graph whose serializations do not vary from run to run: blank nodes named
    by what surrounds them, triples added in a fixed order, the same prefixes."""
    labels = blank_labels((s, p, o, None) for s, p, o in graph)
    copy = Graph(bind_namespaces="none")
    for prefix, namespace in sorted(graph.namespaces()):
        copy.bind(prefix, namespace)
    for triple in _sorted_triples(graph, labels):
        copy.add(triple)
    return copy


def stable_dataset(dataset: Dataset) -> Dataset:
    """A copy of a dataset whose serializations do not vary from run to run (as `stable`);
    a blank node shared by two graphs keeps one label."""
    graphs = [graph for graph in dataset.graphs() if len(graph)]
    labels = blank_labels((s, p, o, g.identifier) for g in graphs for s, p, o in g)
    copy = Dataset()
    for prefix, namespace in sorted(dataset.namespaces()):
        copy.bind(prefix, namespace)
    for graph in sorted(graphs, key=lambda graph: graph.identifier.n3()):
        target = copy.graph(graph.identifier)
        for triple in _sorted_triples(graph, labels):
            target.add(triple)
    return copy


def context_of(graph: Graph) -> dict[str, str]:
    """The JSON-LD context of a graph: its prefixes, sorted."""
    return {prefix: str(namespace) for prefix, namespace in sorted(graph.namespaces()) if prefix}


class _Compactor:
    """IRIs as compact IRIs (prefix:local) with the longest namespace of a context that fits."""

    def __init__(self, context: dict[str, str]) -> None:
        usable = [(p, ns) for p, ns in context.items() if ns.endswith(GEN_DELIMS)]  # JSON-LD 1.1
        self.namespaces = sorted(usable, key=lambda item: (-len(item[1]), item[0]))

    def iri(self, iri: str) -> str:
        """An IRI, compacted where a namespace fits (the rest is never a '//' authority)."""
        for prefix, namespace in self.namespaces:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                if local and not local.startswith("//"):
                    return f"{prefix}:{local}"
        return iri

    def node(self, node: Node) -> str:
        """An IRI or a blank node as a JSON-LD node identifier."""
        return f"_:{node}" if isinstance(node, BNode) else self.iri(str(node))

    def value(self, node: Node) -> object:
        """An object as a JSON-LD value: a node reference, or a literal as written."""
        if not isinstance(node, Literal):
            return {"@id": self.node(node)}
        if node.language:
            return {"@value": str(node), "@language": node.language}
        if node.datatype is None or node.datatype == XSD.string:
            return str(node)
        return {"@value": str(node), "@type": self.iri(str(node.datatype))}


def _json_order(value: object) -> str:
    """Where a JSON value goes among the values of a property."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _json_ld(graph: Graph, context: dict[str, str]) -> str:
    """A stable graph as flattened JSON-LD: one node object per subject, in a fixed order.

    Written here rather than by rdflib, whose JSON-LD loses blank nodes that only point at
    each other and puts blank node classes in "@type" as objects (invalid JSON-LD 1.1)."""
    compact = _Compactor(context)
    nodes = []
    for subject in sorted(set(graph.subjects()), key=lambda node: node.n3()):
        node: dict[str, object] = {"@id": compact.node(subject)}
        types: list[str] = []
        values: dict[str, list[object]] = defaultdict(list)
        for p, o in graph.predicate_objects(subject):
            if p == RDF.type and not isinstance(o, Literal):
                types.append(compact.node(o))
            else:
                values[compact.iri(str(p))].append(compact.value(o))
        if types:
            node["@type"] = sorted(types)
        for key in sorted(values):
            node[key] = sorted(values[key], key=_json_order)
        nodes.append(node)
    document = {"@context": context, "@graph": nodes}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def json_ld(graph: Graph, context: dict[str, str]) -> str:
    """A graph as JSON-LD with its context embedded (never a remote @context)."""
    return _json_ld(stable(graph), context)


def _oxigraph_text(items: list[ox.Triple] | list[ox.Quad], form: ox.RdfFormat, graph: Graph) -> str:
    """Triples or quads written by pyoxigraph in the order given, with a graph's prefixes."""
    buffer = io.BytesIO()
    ox.serialize(items, buffer, form, prefixes=context_of(graph))
    return buffer.getvalue().decode("utf-8")


def _rdf_xml(graph: Graph) -> str:
    """A stable graph as RDF/XML, subjects in a fixed order."""
    triples = [to_quad(t, ox.DefaultGraph()).triple for t in sorted(graph, key=_order)]
    return _oxigraph_text(triples, ox.RdfFormat.RDF_XML, graph)


def _written(graph: Graph, extension: str, context: dict[str, str]) -> str:
    """A stable graph in one of the triple formats."""
    if extension == "ttl":
        return canonical_turtle(graph)
    if extension == "jsonld":
        return _json_ld(graph, context)
    if extension == "rdf":
        return _rdf_xml(graph)
    if extension == "nt":
        return "".join(sorted(graph.serialize(format="nt").splitlines(keepends=True)))
    raise ValueError(f"not a triple format: {extension}")


def serialize(graph: Graph, extension: str, context: dict[str, str]) -> str:
    """A graph in one of the triple formats, the same text for the same graph on every run."""
    return _written(stable(graph), extension, context)


def _trig(dataset: Dataset) -> str:
    """A stable dataset as TriG, graphs and triples in a fixed order."""
    quads = []
    for graph in sorted(dataset.graphs(), key=lambda graph: graph.identifier.n3()):
        name = graph.identifier
        target = ox.DefaultGraph() if name == DATASET_DEFAULT_GRAPH_ID else ox.NamedNode(name)
        quads += [to_quad(triple, target) for triple in sorted(graph, key=_order)]
    return _oxigraph_text(quads, ox.RdfFormat.TRIG, dataset)


def _written_dataset(dataset: Dataset, extension: str) -> str:
    """A stable dataset in one of the quad formats."""
    if extension == "trig":
        return _trig(dataset)
    if extension == "nq":
        return "".join(sorted(dataset.serialize(format="nquads").splitlines(keepends=True)))
    raise ValueError(f"not a quad format: {extension}")


def serialize_dataset(dataset: Dataset, extension: str) -> str:
    """A dataset in one of the quad formats, the same text for the same dataset on every run."""
    return _written_dataset(stable_dataset(dataset), extension)


def parts(sources: Sources, closed: Graph) -> dict[str, Graph]:
    """The graphs published as triple dumps: ontology, shapes, data, closure."""
    return {
        "ontology": sources.ontology,
        "shapes": sources.shapes,
        "data": sources.data,
        "closure": closure_graph(sources, closed),
    }


def published_dataset(sources: Sources, closed: Graph) -> Dataset:
    """Every graph named: the source files, ontology, meta, inferred, and the shapes."""
    dataset = sources.dataset(closed)
    shapes = dataset.graph(SHAPES_GRAPH)
    for prefix, namespace in sources.shapes.namespaces():
        dataset.bind(prefix, namespace, override=False)
    shapes += sources.shapes
    return dataset


def closure_graph(sources: Sources, closed: Graph) -> Graph:
    """The closure with the prefixes of ontology and data."""
    return merge_into(Graph(bind_namespaces="none"), sources.ontology, sources.data, closed)


def write_file(root: Path, relative: str, text: str) -> int:
    """Write a UTF-8 text file under root; its size in bytes."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)


def gzip_copy(root: Path, relative: str) -> int:
    """Write relative.gz beside a file (reproducible: no name, no time); its size."""
    data = gzip.compress((root / relative).read_bytes(), compresslevel=9, mtime=0)
    (root / (relative + ".gz")).write_bytes(data)
    return len(data)


def write_dumps(
    root: Path,
    sources: Sources,
    closed: Graph,
    context: dict[str, str],
    step: Callable[[str], None] = lambda _: None,
) -> list[Dump]:
    """Write every dump (and gzip copies of the large ones) under root/dumps."""
    dumps: list[Dump] = []

    def add(part: str, extension: str, text: str) -> None:
        relative = f"dumps/detente-{part}.{extension}"
        size = write_file(root, relative, text)
        dumps.append(Dump(part, extension, relative, size))
        if size >= GZIP_FROM_BYTES:
            dumps.append(Dump(part, extension, relative + ".gz", gzip_copy(root, relative)))

    graphs = parts(sources, closed)
    for part, graph in graphs.items():
        graph = stable(graph)
        for extension in TRIPLE_FORMATS:
            step(f"dumps/detente-{part}.{extension}")
            add(part, extension, _written(graph, extension, context))
    dataset = stable_dataset(published_dataset(sources, closed))
    for extension in QUAD_FORMATS:
        step(f"dumps/detente-dataset.{extension}")
        add("dataset", extension, _written_dataset(dataset, extension))
    return dumps


def write_context(root: Path, context: dict[str, str]) -> None:
    """Write context.jsonld: the prefixes every JSON-LD document of the publication uses."""
    write_file(root, "context.jsonld", json.dumps({"@context": context}, indent=1) + "\n")
