"""The dumps of a publication: ontology, shapes, data and closure in every RDF syntax."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph

from detente.kg import SHAPES_GRAPH, Sources
from detente.publish.layout import DUMP_FORMATS
from detente.read import merge_into
from detente.write import canonical_turtle

GZIP_FROM_BYTES = 64 * 1024  # dumps at least this large get a .gz copy beside them
TRIPLE_FORMATS = ("ttl", "nt", "rdf", "jsonld")
QUAD_FORMATS = ("trig", "nq")

DUMP_TITLES = {
    "ontology": "The detente ontology (OWL)",
    "shapes": "The SHACL shapes that validate the data",
    "data": "The data: every report's facts and the background, as one graph",
    "closure": "Ontology and data with their OWL 2 RL inferences",
    "dataset": "Every graph named: one per source file, plus ontology, shapes, meta, inferred",
}


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


def context_of(graph: Graph) -> dict[str, str]:
    """The JSON-LD context of a graph: its prefixes, sorted."""
    return {prefix: str(namespace) for prefix, namespace in sorted(graph.namespaces()) if prefix}


def json_ld(graph: Graph, context: dict[str, str]) -> str:
    """A graph as JSON-LD with its context embedded (never a remote @context)."""
    text = graph.serialize(format="json-ld", context=context, auto_compact=True, indent=1)
    return text if text.endswith("\n") else text + "\n"


def serialize(graph: Graph, extension: str, context: dict[str, str]) -> str:
    """A graph in one of the triple formats."""
    if extension == "ttl":
        return canonical_turtle(graph)
    if extension == "jsonld":
        return json_ld(graph, context)
    if extension == "nt":
        return "".join(sorted(graph.serialize(format="nt").splitlines(keepends=True)))
    return graph.serialize(format=DUMP_FORMATS[extension][1])


def serialize_dataset(dataset: Dataset, extension: str) -> str:
    """A dataset in one of the quad formats."""
    text = dataset.serialize(format=DUMP_FORMATS[extension][1])
    if extension == "nq":
        return "".join(sorted(text.splitlines(keepends=True)))
    return text


def parts(sources: Sources, closed: Graph) -> dict[str, Graph]:
    """The graphs published as triple dumps: ontology, shapes, data, closure."""
    return {
        "ontology": sources.ontology,
        "shapes": sources.shapes,
        "data": sources.data,
        "closure": closed,
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
    graphs["closure"] = closure_graph(sources, closed)
    for part, graph in graphs.items():
        for extension in TRIPLE_FORMATS:
            step(f"dumps/detente-{part}.{extension}")
            add(part, extension, serialize(graph, extension, context))
    dataset = published_dataset(sources, closed)
    for extension in QUAD_FORMATS:
        step(f"dumps/detente-dataset.{extension}")
        add("dataset", extension, serialize_dataset(dataset, extension))
    return dumps


def write_context(root: Path, context: dict[str, str]) -> None:
    """Write context.jsonld: the prefixes every JSON-LD document of the publication uses."""
    write_file(root, "context.jsonld", json.dumps({"@context": context}, indent=1) + "\n")
