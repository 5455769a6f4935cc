"""One named graph per source: loading, the meta graph, and queries over named graphs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_project
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

import detente.cli
import detente.contribution
from detente.kg import (
    BACKGROUND_GRAPH,
    DET,
    GRAPHS,
    ID,
    INFERRED_GRAPH,
    META_GRAPH,
    ONTOLOGY_GRAPH,
    Project,
    Sources,
    as_dataset,
    graph_of_report,
    meta_graph,
)
from detente.query import ENGINES, Engine, Question, run
from detente.reason import close

DW_GRAPH = URIRef(GRAPHS + "dw-2023-05-30")
DW = URIRef(ID + "report/dw-2023-05-30")
EX = "https://w3id.org/detente/id/"


def test_each_data_file_is_a_graph_of_its_own(project: Project, sources: Sources) -> None:
    assert set(sources.graphs) == {URIRef(GRAPHS + p.stem) for p in project.data_files}
    assert DW_GRAPH in sources.graphs and BACKGROUND_GRAPH in sources.graphs
    union = Graph()
    for graph in sources.graphs.values():
        union += graph
    assert set(union) == set(sources.data)


def test_every_source_file_is_named_for_the_one_report_it_cites(sources: Sources) -> None:
    for name, graph in sources.graphs.items():
        if name == BACKGROUND_GRAPH:
            assert not list(graph.objects(None, DET.source)), "background cites no report"
            continue
        reports = set(graph.objects(None, DET.source))
        assert len(reports) == 1, f"{name} cites {sorted(reports)}"
        (report,) = reports
        assert graph_of_report(report) == name  # type: ignore[arg-type]


def test_the_meta_graph_says_which_report_each_graph_comes_from(sources: Sources) -> None:
    meta = meta_graph(sources.graphs)
    assert (DW_GRAPH, PROV.wasDerivedFrom, DW) in meta
    assert (BACKGROUND_GRAPH, DCTERMS.type, DET.Background) in meta
    assert not list(meta.objects(BACKGROUND_GRAPH, PROV.wasDerivedFrom))
    assert set(meta.subjects(RDF.type, PROV.Bundle)) == set(sources.graphs)


def test_the_dataset_names_ontology_meta_and_inferred_graphs(sources: Sources) -> None:
    dataset = sources.dataset(close(sources.merged()))
    names = {g.identifier for g in dataset.graphs()}
    assert {ONTOLOGY_GRAPH, META_GRAPH, INFERRED_GRAPH, DW_GRAPH, BACKGROUND_GRAPH} <= names
    inferred = dataset.graph(INFERRED_GRAPH)
    assert len(inferred) > 0
    asserted = sources.merged()
    assert not any(triple in asserted for triple in inferred), "inferred holds only new triples"


WHO_SAYS = """
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?report ?o WHERE {
  GRAPH ?g { <https://example.org/a> <https://example.org/p> ?o }
  GRAPH <https://w3id.org/detente/id/graph/meta> { ?g prov:wasDerivedFrom ?report }
}
ORDER BY ?report ?o
"""
UNION = "SELECT ?o WHERE { <https://example.org/a> <https://example.org/p> ?o } ORDER BY ?o"


def _two_reports() -> dict[URIRef, Graph]:
    """Two made-up source graphs that both say a p 1, and one of them also a p 2."""
    graphs = {}
    for slug, values in (("made-up-one", (1,)), ("made-up-two", (1, 2))):
        graph = Graph()
        report = URIRef(EX + "report/" + slug)
        graph.add((report, DET.source, report))
        for value in values:
            graph.add(
                (URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal(value))
            )
        graphs[graph_of_report(report)] = graph
    return graphs


@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_answer_who_says_what_over_named_graphs(
    engine: Engine, tmp_path: Path
) -> None:
    dataset = as_dataset(Graph(), _two_reports())
    who = run(Question("who", tmp_path / "who.rq", WHO_SAYS), dataset, engine)
    assert [(str(r).rsplit("/", 1)[-1], int(o)) for r, o in who.rows] == [  # type: ignore[arg-type, union-attr]
        ("made-up-one", 1),
        ("made-up-two", 1),
        ("made-up-two", 2),
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_triple_two_reports_assert_counts_once_in_the_union(
    engine: Engine, tmp_path: Path
) -> None:
    dataset = as_dataset(Graph(), _two_reports())
    union = run(Question("union", tmp_path / "union.rq", UNION), dataset, engine)
    assert [int(o) for (o,) in union.rows] == [1, 2]  # type: ignore[arg-type]


def test_the_suite_reads_a_project_again_when_its_files_change(
    project: Project, tmp_path: Path
) -> None:
    """The command line, run in-process by the tests, reads a project's graphs once for each
    state of its files (tests/conftest.py): a changed or a new file is read again."""
    root = copy_project(project, tmp_path / "project")
    first = detente.contribution.load_sources(Project(root))
    assert detente.contribution.load_sources(Project(root)) is first
    assert detente.cli.load_sources(Project(root)) is first
    comment = f'<{EX}person/li-shangfu> <http://www.w3.org/2000/01/rdf-schema#comment> "x" .\n'
    with (root / "data" / "dw-2023-05-30.ttl").open("a", encoding="utf-8") as dw:
        dw.write(comment)
    changed = detente.contribution.load_sources(Project(root))
    assert len(changed.graphs[DW_GRAPH]) == len(first.graphs[DW_GRAPH]) + 1
    assert len(changed.data) == len(first.data) + 1
    (root / "data" / "example-daily-2023-06-03.ttl").write_text(comment, encoding="utf-8")
    added = detente.contribution.load_sources(Project(root))
    assert URIRef(GRAPHS + "example-daily-2023-06-03") in added.graphs
    assert URIRef(GRAPHS + "example-daily-2023-06-03") not in changed.graphs
