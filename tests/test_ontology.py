"""Ontology quality: documented terms, metadata, consistency, no undefined terms anywhere."""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from detente.kg import DET, ONTOLOGY_IRI, Project, Sources, load_graph
from detente.reason import close

ONTOLOGY = URIRef(ONTOLOGY_IRI)
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme)


def our_terms(ontology: Graph) -> set[URIRef]:
    """Every IRI of our namespace that the ontology declares."""
    return {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(DET))}


def test_ontology_header_carries_version_and_metadata(sources: Sources) -> None:
    ontology = sources.ontology
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    version = ontology.value(ONTOLOGY, OWL.versionInfo)
    assert ontology.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{version}")
    for term in ("title", "description", "license", "creator", "created", "modified"):
        assert ontology.value(ONTOLOGY, URIRef(f"http://purl.org/dc/terms/{term}")) is not None
    vann = "http://purl.org/vocab/vann/"
    assert ontology.value(ONTOLOGY, URIRef(vann + "preferredNamespacePrefix")) == Literal("det")
    assert str(ontology.value(ONTOLOGY, URIRef(vann + "preferredNamespaceUri"))) == str(DET)


def test_every_term_is_typed_labelled_defined(sources: Sources) -> None:
    ontology = sources.ontology
    problems = []
    for term in sorted(our_terms(ontology)):
        if ontology.value(term, RDFS.isDefinedBy) != ONTOLOGY:
            problems.append(f"{term}: no rdfs:isDefinedBy")
        if ontology.value(term, RDFS.label) is None:
            problems.append(f"{term}: no label")
        definition = ontology.value(term, RDFS.comment) or ontology.value(term, SKOS.definition)
        if definition is None or len(str(definition).split()) < 4:
            problems.append(f"{term}: no real definition")
        if ontology.value(term, RDF.type) is None:
            problems.append(f"{term}: no type")
    assert problems == []


def test_class_and_property_names_follow_the_conventions(sources: Sources) -> None:
    ontology = sources.ontology
    for term in our_terms(ontology):
        local = str(term)[len(str(DET)) :]
        if (term, RDF.type, OWL.Class) in ontology:
            assert local[0].isupper(), term
        if {
            (term, RDF.type, t) in ontology for t in (OWL.ObjectProperty, OWL.DatatypeProperty)
        } != {False}:
            assert local[0].islower(), term


def test_properties_have_domain_or_say_why_not(sources: Sources) -> None:
    ontology = sources.ontology
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in ontology.subjects(RDF.type, kind):
            assert ontology.value(prop, RDFS.domain) is not None, prop


@pytest.mark.parametrize("folder", ["data", "shapes", "ontology", "tests/fixtures/shapes/pass"])
def test_no_undefined_term_of_our_namespace_is_used(
    project: Project, sources: Sources, folder: str
) -> None:
    defined = our_terms(sources.ontology)
    files = sorted((project.root / folder).glob("*.ttl"))
    assert files, f"no Turtle files in {folder}"
    used = set()
    for triple in load_graph(files):
        used |= {t for t in triple if isinstance(t, URIRef) and str(t).startswith(str(DET))}
    assert sorted(used - defined) == []


def test_owlrl_closure_of_ontology_and_data_raises_no_error(sources: Sources) -> None:
    graph = sources.merged()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    assert list(graph.objects(None, ERRNS.error)) == []


def test_fast_reasoner_infers_what_owlrl_infers_about_our_nodes(sources: Sources) -> None:
    """reasonable (used by `check`) against owlrl (the reference), on the facts of our graph."""
    merged = sources.merged()

    def about_our_nodes(graph: Graph) -> set[tuple[object, object, object]]:
        return {
            (s, p, o)
            for s, p, o in graph
            if str(s).startswith("https://w3id.org/detente/id/")
            and p != OWL.sameAs
            and o not in (OWL.Thing, RDFS.Resource)
        }

    fast = about_our_nodes(close(merged, "reasonable"))
    reference = about_our_nodes(close(merged, "owlrl"))
    assert fast == reference


def test_ontology_file_is_the_only_place_terms_are_defined(project: Project) -> None:
    for path in project.data_files:
        graph = Graph().parse(path)
        declared = [
            s
            for t in TERM_TYPES
            for s in graph.subjects(RDF.type, t)
            if str(s).startswith(str(DET))
        ]
        assert declared == [], Path(path).name
