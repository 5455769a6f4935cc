"""Canonical Turtle: a document's order, stable under small changes, faithful to the graph."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef

from detente.kg import DET, ID, Project
from detente.read import parse_rdf
from detente.write import block_group, canonical_text, canonical_turtle, leading_comments


def block_order(text: str, graph: Graph) -> list[tuple[int, str]]:
    """(group, IRI) of each named subject, in the order their blocks open in the text."""
    positions = []
    for subject in {s for s in graph.subjects() if isinstance(s, URIRef)}:
        names = (f"<{subject}>", subject.n3(graph.namespace_manager))
        found = sorted(
            {m.start() for n in names for m in re.finditer(f"^{re.escape(n)} ", text, re.M)}
        )
        assert len(found) == 1, f"{subject}: one block, found {len(found)}"
        positions.append((found[0], block_group(graph, subject), str(subject)))
    return [(group, iri) for _, group, iri in sorted(positions)]


def test_the_ontology_opens_with_its_header(project: Project) -> None:
    path = project.root / "ontology" / "detente.ttl"
    text = path.read_text(encoding="utf-8")
    order = block_order(text, parse_rdf(text, str(path), "turtle").graph)
    assert order[0] == (0, "https://w3id.org/detente/ontology")
    assert [group for group, _ in order].count(0) == 1


@pytest.mark.parametrize("folder", ["ontology", "shapes", "data"])
def test_blocks_are_grouped_by_kind_and_sorted_by_iri(project: Project, folder: str) -> None:
    for path in sorted((project.root / folder).glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        order = block_order(text, parse_rdf(text, str(path), "turtle").graph)
        assert order == sorted(order), f"{path.name}: blocks out of their canonical order"


def test_one_added_triple_changes_only_its_subjects_block(project: Project) -> None:
    path = project.root / "data" / "dw-2023-05-30.ttl"
    text = path.read_text(encoding="utf-8")
    graph = parse_rdf(text, str(path), "turtle").graph
    subject = URIRef(ID + "person/li-shangfu")
    graph.add((subject, DET.content, Literal("an added triple")))
    changed = canonical_turtle(graph, leading_comments(text))
    block = re.compile(r"^person:li-shangfu a det:Person ;\n(?:    .*\n)*", re.MULTILINE)
    old, new = block.search(text), block.search(changed)
    assert old is not None and new is not None
    assert "an added triple" in new.group(0)
    assert text.replace(old.group(0), new.group(0)) == changed  # nothing else moved


def test_canonical_text_is_a_fixed_point_and_keeps_the_graph(project: Project) -> None:
    for path in project.turtle_files:
        text = path.read_text(encoding="utf-8")
        once = canonical_text(text, str(path))
        assert canonical_text(once, str(path)) == once
        before = parse_rdf(text, str(path), "turtle").graph
        after = parse_rdf(once, str(path), "turtle").graph
        assert len(before) == len(after)
