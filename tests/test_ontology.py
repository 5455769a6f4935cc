"""Ontology quality: documented terms, metadata, consistency, no undefined terms anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from owlrl.Namespaces import ERRNS
from rdflib import BNode, Graph, Literal, Namespace, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from detente.kg import DET, ONTOLOGY_IRI, Project, Sources, load_graph
from detente.reason import close, inconsistencies

ONTOLOGY = URIRef(ONTOLOGY_IRI)
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme)
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ID = "https://w3id.org/detente/id/"
SKOS_MAPPINGS = (
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.relatedMatch,
)


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


def test_ontology_is_version_0_2_0_of_model_v2(sources: Sources) -> None:
    ontology = sources.ontology
    assert ontology.value(ONTOLOGY, OWL.versionInfo) == Literal("0.2.0")
    assert ontology.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/0.2.0")
    modified = ontology.value(ONTOLOGY, URIRef("http://purl.org/dc/terms/modified"))
    assert modified == Literal("2026-12-01", datatype=XSD.date)


def test_description_documents_graphs_labels_status_and_time(sources: Sources) -> None:
    """The v2 rules are written once, in the ontology's description (docs/model-v2.md 1, 2, 4)."""
    description = str(
        sources.ontology.value(ONTOLOGY, URIRef("http://purl.org/dc/terms/description"))
    )
    for words in (
        # named graphs, the meta graph, the background graph
        "graph/meta",
        "prov:wasDerivedFrom report:<slug>",
        "graph/background",
        "The default graph stays empty",
        # labels
        "rdfs:label is a name as a report writes it",
        "never a conflict",
        "skos:prefLabel is the canonical name, at most one per language",
        "skos:altLabel",
        # status assertions
        "the status of its assertion with the latest det:asOf",
        "raise a warning",
        # the four bounds, the windows, open ends, implied bounds
        "det:latestStart, the latest possible start",
        "det:earliestEnd, the earliest possible end",
        "earliest <= latestStart <= earliestEnd <= latest",
        "the start window [earliest, latestStart if given, else latest]",
        "the end window [earliestEnd if given, else earliest, latest]",
        "one ISO week (Monday to Sunday)",
        "'Since' gives an open end",
        "no latest, precision month (EDTF 2023-02/..)",
        "det:dateImpliedBy",
    ):
        assert words in description, words
    # The v1 rule "a dated node has det:earliest and det:latest" no longer holds (open ends).
    assert "has det:earliest and det:latest" not in description


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


@pytest.fixture(scope="module")
def owlrl_closed(sources: Sources) -> Graph:
    """Ontology + data expanded by owlrl's OWL 2 RL closure (the reference reasoner), once."""
    return close(sources.merged(), "owlrl")


def test_owlrl_closure_of_ontology_and_data_raises_no_error(owlrl_closed: Graph) -> None:
    assert list(owlrl_closed.objects(None, ERRNS.error)) == []


def test_fast_reasoner_infers_what_owlrl_infers_about_our_nodes(
    sources: Sources, owlrl_closed: Graph
) -> None:
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
    reference = about_our_nodes(owlrl_closed)
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


def test_every_object_property_has_a_range(sources: Sources) -> None:
    ontology = sources.ontology
    missing = [
        p
        for p in sorted(ontology.subjects(RDF.type, OWL.ObjectProperty))
        if ontology.value(p, RDFS.range) is None
    ]
    assert missing == []


def union_members(ontology: Graph, node: Node) -> list[Node]:
    """The classes of an anonymous owl:unionOf class (empty if it is not one)."""
    if not isinstance(node, BNode):
        return []
    head = ontology.value(node, OWL.unionOf)
    return list(Collection(ontology, head)) if head is not None else []


@pytest.mark.parametrize("prop", ["destination", "locatedIn"])
def test_destination_and_located_in_range_over_place_or_state(sources: Sources, prop: str) -> None:
    ontology = sources.ontology
    ranges = list(ontology.objects(DET[prop], RDFS.range))
    assert len(ranges) == 1
    assert (ranges[0], RDF.type, OWL.Class) in ontology
    members = union_members(ontology, ranges[0])
    assert len(members) == 2 and set(members) == {DET.Place, DET.State}


# (property, domain, range) as docs/model-v2.md gives them.
V2_PROPERTIES = [
    ("statusOf", DET.StatusAssertion, DET.Event),
    ("status", DET.StatusAssertion, DET.EventStatus),
    ("asOf", DET.StatusAssertion, XSD.date),
    ("partOf", DET.Event, DET.Event),
    ("hasPart", DET.Event, DET.Event),
    ("rescheduledFrom", DET.Event, DET.Event),
    ("latestStart", DET.Fact, XSD.date),
    ("earliestEnd", DET.Fact, XSD.date),
    ("dateImpliedBy", DET.Fact, DET.Fact),
    ("role", DET.Post, DET.Role),
    ("accreditedTo", DET.Post, DET.State),
    ("level", DET.Meeting, DET.MeetingLevel),
    ("recurrence", DET.ForumSeries, DET.Recurrence),
    ("cause", DET.CausalClaim, DET.Fact),
    ("effect", DET.CausalClaim, DET.Fact),
    ("proposedOffice", DET.Event, DET.Post),
    ("heldAt", DET.Event, DET.Organization),
    ("publisher", DET.Report, DET.Organization),
    ("about", DET.Statement, OWL.Thing),
]


@pytest.mark.parametrize(
    ("prop", "domain", "range_"), V2_PROPERTIES, ids=[p for p, _, _ in V2_PROPERTIES]
)
def test_v2_property_has_the_domain_and_range_of_the_spec(
    sources: Sources, prop: str, domain: URIRef, range_: URIRef
) -> None:
    ontology = sources.ontology
    kind = OWL.DatatypeProperty if str(range_).startswith(str(XSD)) else OWL.ObjectProperty
    assert (DET[prop], RDF.type, kind) in ontology
    assert list(ontology.objects(DET[prop], RDFS.domain)) == [domain]
    assert list(ontology.objects(DET[prop], RDFS.range)) == [range_]


def test_status_is_on_status_assertions_and_no_longer_functional(sources: Sources) -> None:
    ontology = sources.ontology
    assert (DET.status, RDF.type, OWL.FunctionalProperty) not in ontology
    assert (DET.StatusAssertion, RDFS.subClassOf, DET.Fact) in ontology
    assert (DET.partOf, OWL.inverseOf, DET.hasPart) in ontology
    assert (DET.role, RDFS.subPropertyOf, ORG.role) in ontology
    assert (DET.CausalClaim, RDFS.subClassOf, DET.Statement) in ontology
    # det:organizer stays beside the new det:heldAt.
    assert (DET.organizer, RDF.type, OWL.ObjectProperty) in ontology


def test_report_is_a_general_source_with_press_and_official_kinds(sources: Sources) -> None:
    ontology = sources.ontology
    assert set(ontology.objects(DET.Report, RDFS.subClassOf)) == {
        SCHEMA.CreativeWork,
        PROV.Entity,
        DET.Fact,
    }
    assert set(ontology.objects(DET.NewsArticle, RDFS.subClassOf)) == {
        DET.Report,
        SCHEMA.NewsArticle,
    }
    assert set(ontology.objects(DET.OfficialDocument, RDFS.subClassOf)) == {DET.Report}
    official = {DET.Readout, DET.PressRelease, DET.Transcript, DET.SpeechText}
    assert set(ontology.subjects(RDFS.subClassOf, DET.OfficialDocument)) == official
    assert set(ontology.subjects(RDFS.subClassOf, DET.Report)) == {
        DET.NewsArticle,
        DET.OfficialDocument,
    }


STATUSES = {
    "proposed",
    "requested",
    "rejected",
    "scheduled",
    "postponed",
    "cancelled",
    "cancelledOrPostponed",
    "held",
}


def test_status_scheme_uses_broader_and_narrower_within_the_scheme(sources: Sources) -> None:
    ontology = sources.ontology
    scheme = DET.EventStatusScheme
    assert set(ontology.subjects(SKOS.inScheme, scheme)) == {DET[s] for s in STATUSES}
    for status in STATUSES:
        assert (DET[status], RDF.type, DET.EventStatus) in ontology, status
    broader = {
        (s, o)
        for s, o in ontology.subject_objects(SKOS.broader)
        if (s, SKOS.inScheme, scheme) in ontology
    }
    narrower = {
        (o, s)
        for s, o in ontology.subject_objects(SKOS.narrower)
        if (s, SKOS.inScheme, scheme) in ontology
    }
    expected = {
        (DET.cancelled, DET.cancelledOrPostponed),
        (DET.postponed, DET.cancelledOrPostponed),
    }
    assert broader == expected
    assert narrower == expected
    # A concept with a broader concept is not a top concept of the scheme; the others are.
    tops = set(ontology.objects(scheme, SKOS.hasTopConcept))
    assert tops == {DET[s] for s in STATUSES} - {DET.cancelled, DET.postponed}
    assert tops == set(ontology.subjects(SKOS.topConceptOf, scheme))


def test_no_mapping_relation_links_concepts_of_the_same_scheme(sources: Sources) -> None:
    """SKOS mapping properties (broadMatch, narrowMatch, ...) are for other schemes only."""
    ontology = sources.ontology
    within = []
    for mapping in SKOS_MAPPINGS:
        for s, o in ontology.subject_objects(mapping):
            shared = set(ontology.objects(s, SKOS.inScheme)) & set(
                ontology.objects(o, SKOS.inScheme)
            )
            if shared:
                within.append((s, mapping, o))
    assert within == []


def test_statuses_match_schema_org_event_statuses(sources: Sources) -> None:
    ontology = sources.ontology
    assert (DET.scheduled, SKOS.closeMatch, SCHEMA.EventScheduled) in ontology
    assert (DET.postponed, SKOS.closeMatch, SCHEMA.EventPostponed) in ontology
    assert (DET.cancelled, SKOS.closeMatch, SCHEMA.EventCancelled) in ontology
    # schema.org has no "cancelled or postponed", "held", "requested", ...
    for status in STATUSES - {"scheduled", "postponed", "cancelled"}:
        assert ontology.value(DET[status], SKOS.closeMatch) is None, status


# (scheme, concept class, concepts) as docs/model-v2.md lists them.
V2_SCHEMES = [
    (
        "RoleScheme",
        "Role",
        {
            "headOfState",
            "defenceMinister",
            "deputyDefenceOfficial",
            "foreignMinister",
            "commerceMinister",
            "nationalSecurityAdviser",
            "militaryChief",
            "ambassador",
            "partyForeignAffairsChief",
            "armamentsChief",
            "analyst",
        },
    ),
    ("MeetingLevelScheme", "MeetingLevel", {"headOfStateLevel", "cabinetLevel", "workingLevel"}),
    ("RecurrenceScheme", "Recurrence", {"annual"}),
]


@pytest.mark.parametrize(
    ("scheme", "kind", "concepts"), V2_SCHEMES, ids=[s for s, _, _ in V2_SCHEMES]
)
def test_new_scheme_holds_its_concepts_labelled_and_in_scheme(
    sources: Sources, scheme: str, kind: str, concepts: set[str]
) -> None:
    ontology = sources.ontology
    assert (DET[scheme], RDF.type, SKOS.ConceptScheme) in ontology
    assert (DET[kind], RDFS.subClassOf, SKOS.Concept) in ontology
    expected = {DET[c] for c in concepts}
    assert set(ontology.subjects(SKOS.inScheme, DET[scheme])) == expected
    assert set(ontology.subjects(RDF.type, DET[kind])) == expected
    assert set(ontology.objects(DET[scheme], SKOS.hasTopConcept)) == expected
    for concept in expected:
        assert (concept, SKOS.topConceptOf, DET[scheme]) in ontology, concept
        labels = list(ontology.objects(concept, RDFS.label))
        assert len(labels) == 1 and isinstance(labels[0], Literal) and labels[0].language == "en", (
            concept
        )
        assert len(str(ontology.value(concept, SKOS.definition) or "").split()) >= 4, concept


def test_role_is_an_org_role_and_a_skos_concept(sources: Sources) -> None:
    ontology = sources.ontology
    assert set(ontology.objects(DET.Role, RDFS.subClassOf)) == {ORG.Role, SKOS.Concept}


def test_owlrl_closure_of_the_ontology_alone_is_consistent(sources: Sources) -> None:
    closed = close(sources.ontology, "owlrl")
    assert inconsistencies(closed, sources.ontology) == []


def consistency_of(sources: Sources, turtle: str) -> list[str]:
    """The inconsistencies owlrl finds in the ontology plus a few triples (prefixes by id type)."""
    prefixes = "".join(
        f"@prefix {kind}: <{ID}{kind}/> .\n" for kind in ("meeting", "status", "report", "state")
    )
    data = Graph().parse(data=f"@prefix det: <{DET}> .\n{prefixes}{turtle}", format="turtle")
    graph = Graph()
    graph += sources.ontology
    graph += data
    return [f"{item.node} {item.message}" for item in inconsistencies(close(graph, "owlrl"), graph)]


def test_an_event_carrying_a_status_is_inconsistent(sources: Sources) -> None:
    """v2: det:status belongs to status assertions, which are not events."""
    found = consistency_of(sources, "meeting:m a det:Meeting ; det:status det:held .")
    assert any(f.startswith(f"{ID}meeting/m ") for f in found), found
    assertion = """
        status:m-r a det:StatusAssertion ; det:status det:held ; det:statusOf meeting:m .
        meeting:m a det:Meeting ."""
    assert consistency_of(sources, assertion) == []


def test_a_report_cannot_be_both_press_and_official(sources: Sources) -> None:
    found = consistency_of(sources, "report:r a det:NewsArticle, det:Readout .")
    assert any(f.startswith(f"{ID}report/r ") for f in found), found
    readout = "report:r a det:Readout ; det:publisher state:s .\nstate:s a det:State ."
    assert consistency_of(sources, readout) == []
