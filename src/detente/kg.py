"""Assemble the ontology, the shapes and the data of a detente project into graphs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Namespace

from detente.io import merge_into, parse_file

DET = Namespace("https://w3id.org/detente/ontology#")
ID = "https://w3id.org/detente/id/"
ONTOLOGY_IRI = "https://w3id.org/detente/ontology"

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


@dataclass
class Sources:
    """A project's graphs: the ontology with the data, and the shapes."""

    ontology: Graph
    data: Graph
    shapes: Graph

    def merged(self) -> Graph:
        """Ontology and data in one new graph."""
        return merge_into(Graph(bind_namespaces="none"), self.ontology, self.data)


def load_sources(project: Project, extra_data: list[Path] | None = None) -> Sources:
    """Read a project's ontology, data (plus any extra files) and shapes."""
    return Sources(
        ontology=load_graph(project.ontology_files),
        data=load_graph(project.data_files + (extra_data or [])),
        shapes=load_graph(project.shapes_files),
    )
