"""Assemble the ontology, the shapes and the data of a detente project into graphs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, NamespaceManager

from detente.read import merge_into, parse_file

DET = Namespace("https://w3id.org/detente/ontology#")
ID = "https://w3id.org/detente/id/"
ONTOLOGY_IRI = "https://w3id.org/detente/ontology"

# Named graphs: one per data file (id/graph/<file stem>), the background, the ontology, the
# meta graph saying which report each graph comes from, and the inferred triples.
GRAPHS = ID + "graph/"
BACKGROUND_GRAPH = URIRef(GRAPHS + "background")
META_GRAPH = URIRef(GRAPHS + "meta")
ONTOLOGY_GRAPH = URIRef(GRAPHS + "ontology")
INFERRED_GRAPH = URIRef(GRAPHS + "inferred")
SHAPES_GRAPH = URIRef(GRAPHS + "shapes")  # the SHACL shapes, in the published dumps
PUSH_GRAPH = URIRef(GRAPHS + "push")  # what `detente push` wrote into a store
UNSOURCED_GRAPH = URIRef(GRAPHS + "unsourced")  # a contribution naming no single report
RESERVED_GRAPHS = {
    BACKGROUND_GRAPH,
    META_GRAPH,
    ONTOLOGY_GRAPH,
    INFERRED_GRAPH,
    SHAPES_GRAPH,
    PUSH_GRAPH,
    UNSOURCED_GRAPH,
}

# The <type> segment of a thing's IRI (id/<type>/<slug>) and the class its things belong to.
ID_TYPES = {
    "person": DET.Person,
    "org": DET.Organization,
    "state": DET.State,
    "group": DET.UnnamedAgent,
    "place": DET.Place,
    "post": DET.Post,
    "tenure": DET.Tenure,
    "meeting": DET.Meeting,
    "request": DET.Request,
    "rejection": DET.Rejection,
    "visit": DET.Visit,
    "conference": DET.Conference,
    "forum": DET.ForumSeries,
    "incident": DET.Incident,
    "speech": DET.Speech,
    "statement": DET.Statement,
    "sanction": DET.Sanction,
    "report": DET.Report,
    "event": DET.Event,
    "status": DET.StatusAssertion,
}


@dataclass(frozen=True)
class Project:
    """The folders of a detente project: ontology/, shapes/ and data/ under one root."""

    root: Path

    @property
    def ontology_files(self) -> list[Path]:
        """The ontology's Turtle files."""
        return sorted((self.root / "ontology").glob("*.ttl"))

    @property
    def shapes_files(self) -> list[Path]:
        """The SHACL shapes files."""
        return sorted((self.root / "shapes").glob("*.ttl"))

    @property
    def data_files(self) -> list[Path]:
        """The data files: one per source report, plus background.ttl."""
        return sorted((self.root / "data").glob("*.ttl"))

    @property
    def turtle_files(self) -> list[Path]:
        """Every Turtle file the project keeps in canonical form."""
        return self.ontology_files + self.shapes_files + self.data_files


def _is_project(folder: Path) -> bool:
    """Whether a folder holds a detente ontology."""
    return (folder / "ontology" / "detente.ttl").is_file()


def find_project(start: Path | None = None) -> Project:
    """The project at or above a folder (default: the working folder)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_project(folder):
            return Project(folder)
    raise FileNotFoundError(f"no detente project (ontology/detente.ttl) at or above {here}")


def project_at(folder: Path | None) -> Project:
    """The project in exactly this folder; without one, the project around the working folder."""
    if folder is None:
        return find_project()
    if not _is_project(folder):
        raise FileNotFoundError(f"no detente project (ontology/detente.ttl) in {folder}")
    return Project(folder.resolve())


def load_graph(files: list[Path], graph: Graph | None = None) -> Graph:
    """Parse files into one graph (new, or the one given)."""
    target = graph if graph is not None else Graph(bind_namespaces="none")
    for path in files:
        parse_file(path, graph=target)
    return target


def graph_name(path: Path) -> URIRef:
    """The named graph of a data file: id/graph/<file stem> (so id/graph/background)."""
    return URIRef(GRAPHS + path.stem)


def report_of_graph(name: URIRef) -> URIRef:
    """The report a source graph stands for: id/graph/<slug> comes from id/report/<slug>."""
    return URIRef(ID + "report/" + str(name)[len(GRAPHS) :])


def graph_of_report(report: URIRef) -> URIRef:
    """The named graph holding what a report says: id/report/<slug> is kept in id/graph/<slug>."""
    return URIRef(GRAPHS + str(report).rsplit("/", 1)[-1])


def meta_graph(graphs: dict[URIRef, Graph]) -> Graph:
    """Which report each source graph comes from: id/graph/<slug> from id/report/<slug>.

    The file's name says it; a check (source-graph) holds every det:source in the graph to it.
    """
    meta = Graph(bind_namespaces="none")
    meta.bind("prov", PROV)
    for name in graphs:
        if name == UNSOURCED_GRAPH:
            continue
        meta.add((name, RDF.type, PROV.Bundle))
        if name == BACKGROUND_GRAPH:
            meta.add((name, DCTERMS.type, DET.Background))
        else:
            meta.add((name, PROV.wasDerivedFrom, report_of_graph(name)))
    return meta


@dataclass
class Sources:
    """A project's graphs: the ontology, the data (one named graph per file), the shapes.

    `data` is the union of the data graphs; `graphs` keeps each file's triples apart, so
    that one can tell which report asserts a triple.
    """

    ontology: Graph
    data: Graph
    shapes: Graph
    graphs: dict[URIRef, Graph]

    def merged(self) -> Graph:
        """Ontology and data in one new graph."""
        return merge_into(Graph(bind_namespaces="none"), self.ontology, self.data)

    def dataset(self, closed: Graph | None = None) -> Dataset:
        """Every graph named, the union as default graph; with a closure, its inferred triples."""
        return as_dataset(self.ontology, self.graphs, closed)


def as_dataset(
    ontology: Graph, graphs: dict[URIRef, Graph], closed: Graph | None = None
) -> Dataset:
    """A dataset of named graphs (ontology, data, meta, inferred) queried as their union."""
    dataset = Dataset(default_union=True)
    # Only the project's own prefixes (not rdflib's defaults), the data's first: id/org/ is org:
    dataset.namespace_manager = NamespaceManager(dataset, bind_namespaces="none")
    named = {ONTOLOGY_GRAPH: ontology, **graphs, META_GRAPH: meta_graph(graphs)}
    for graph in [*graphs.values(), ontology, named[META_GRAPH]]:
        for prefix, namespace in graph.namespaces():
            dataset.bind(prefix, namespace, override=False)
    for name, graph in named.items():
        target = dataset.graph(name)
        target += graph
    if closed is not None:
        inferred = dataset.graph(INFERRED_GRAPH)
        for triple in closed:
            if triple not in dataset:
                inferred.add(triple)
    return dataset


def load_data(files: list[Path]) -> dict[URIRef, Graph]:
    """Each data file's triples as its own named graph."""
    graphs: dict[URIRef, Graph] = {}
    for path in files:
        graphs[graph_name(path)] = load_graph([path], graphs.get(graph_name(path)))
    return graphs


def union_of(graphs: dict[URIRef, Graph]) -> Graph:
    """The triples of all the graphs in one new graph, with their prefixes."""
    return merge_into(Graph(bind_namespaces="none"), *graphs.values())


def load_sources(project: Project, extra_data: list[Path] | None = None) -> Sources:
    """Read a project's ontology, data (plus any extra files) and shapes."""
    graphs = load_data(project.data_files + (extra_data or []))
    return Sources(
        ontology=load_graph(project.ontology_files),
        data=union_of(graphs),
        shapes=load_graph(project.shapes_files),
        graphs=graphs,
    )
