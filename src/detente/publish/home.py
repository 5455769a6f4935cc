"""The index page: what the dataset is, its counts, sources, answers, dumps and pictures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import RDF

from detente.kg import BACKGROUND_GRAPH, DET, report_of_graph
from detente.publish.dumps import DUMP_TITLES, Dump
from detente.publish.layout import thing_of
from detente.publish.pages import Link, Site, link, when
from detente.query import Question, Results

ROOT = ""


@dataclass
class Answer:
    """A question, its SPARQL, and its answer as rows of links."""

    name: str
    description: str
    text: str
    variables: list[str]
    rows: list[list[Link]]


@dataclass
class SourceRow:
    """A source graph: its report, publisher, date and how many triples it holds."""

    report: Link
    publisher: Link | None
    date: str
    triples: int
    graph: str


def answers(site: Site, answered: list[tuple[Question, Results]]) -> list[Answer]:
    """Each question's answer as rows of named links."""
    found = []
    for question, results in answered:
        rows = [
            [link(site, term, ROOT) if term is not None else Link("") for term in row]
            for row in results.rows
        ]
        found.append(
            Answer(question.name, question.description, question.text, results.variables, rows)
        )
    return found


def source_rows(site: Site) -> list[SourceRow]:
    """The reports (one named graph each) and the background graph."""
    rows = []
    for name, graph in sorted(site.sources.graphs.items()):
        if name == BACKGROUND_GRAPH:
            continue
        report = report_of_graph(name)
        publisher = site.union.value(report, DET.publisher)
        date = when(site.union, report)
        rows.append(
            SourceRow(
                link(site, report, ROOT),
                link(site, publisher, ROOT) if publisher is not None else None,
                date.bounds if date else "",
                len(graph),
                str(name),
            )
        )
    return rows


def class_counts(site: Site) -> list[tuple[Link, int]]:
    """How many things of each detente class the data has, most first."""
    counts: Counter[URIRef] = Counter()
    for subject, cls in set(site.sources.data.subject_objects(RDF.type)):
        if isinstance(cls, URIRef) and thing_of(subject) is not None:
            counts[cls] += 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], site.name(item[0])))
    return [(link(site, cls, ROOT), count) for cls, count in ordered]


@dataclass
class DumpFile:
    """One file of a dump: its format's name, path, size, and its gzip copy if any."""

    format: str
    path: str
    size: int
    gzip_path: str | None
    gzip_size: int | None


FORMAT_NAMES = {
    "ttl": "Turtle",
    "nt": "N-Triples",
    "rdf": "RDF/XML",
    "jsonld": "JSON-LD",
    "trig": "TriG",
    "nq": "N-Quads",
}


def dump_rows(dumps: list[Dump]) -> list[tuple[str, list[DumpFile]]]:
    """The dumps by part (ontology, shapes, data, closure, dataset), each in every format."""
    gz = {d.path[: -len(".gz")]: d for d in dumps if d.path.endswith(".gz")}
    parts: dict[str, list[DumpFile]] = {}
    for d in dumps:
        if d.path.endswith(".gz"):
            continue
        copy = gz.get(d.path)
        parts.setdefault(d.part, []).append(
            DumpFile(
                FORMAT_NAMES[d.extension],
                d.path,
                d.size,
                copy.path if copy else None,
                copy.size if copy else None,
            )
        )
    return [(DUMP_TITLES[part], files) for part, files in parts.items()]


def index_page(
    site: Site,
    answered: list[tuple[Question, Results]],
    dumps: list[Dump],
    things: int,
    timeline_svg: str,
    network_svg: str,
) -> str:
    """The HTML of the index page."""
    return site.render(
        "index.html",
        ROOT,
        title="detente",
        canonical=site.base_url,
        triples=len(site.sources.data),
        things=things,
        classes=class_counts(site),
        sources=source_rows(site),
        background_triples=len(site.sources.graphs.get(BACKGROUND_GRAPH, [])),
        answers=answers(site, answered),
        dumps=dump_rows(dumps),
        timeline_svg=timeline_svg,
        network_svg=network_svg,
        base_url=site.base_url,
    )
