"""The dataset description: VoID and DCAT 3, with counts, partitions and distributions."""

from __future__ import annotations

import hashlib
from collections import Counter

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, VOID, XSD
from rdflib.term import Node

from detente.kg import BACKGROUND_GRAPH, DET, ID, ONTOLOGY_IRI, Sources, report_of_graph
from detente.publish.dumps import DUMP_TITLES, Dump
from detente.publish.layout import DUMP_FORMATS

# DCAT 3 terms (rdflib's DCAT namespace object is DCAT 2 and warns on dcat:version).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
IANA = "https://www.iana.org/assignments/media-types/"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = "http://www.w3.org/ns/formats/"  # the W3C's IRIs for RDF syntaxes
FEATURES = ("Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads")  # of the dumps
EXAMPLES = (
    "person/li-shangfu",
    "meeting/2023-austin-li-shangri-la",
    "rejection/2023-china-austin-li-shangri-la",
)


def vocabulary_of(term: URIRef) -> str:
    """The namespace of a vocabulary term: up to its last '#' or '/'."""
    text = str(term)
    cut = max(text.rfind("#"), text.rfind("/"))
    return text[: cut + 1]


def entities(graph: Graph) -> set[URIRef]:
    """The things of the dataset: every IRI in id/ that is the subject of a triple."""
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(ID)}


def class_counts(graph: Graph) -> Counter[URIRef]:
    """How many distinct things each class has (asserted rdf:type)."""
    return Counter(o for _, o in set(graph.subject_objects(RDF.type)) if isinstance(o, URIRef))


def property_counts(graph: Graph) -> Counter[URIRef]:
    """How many triples each property has."""
    return Counter(p for _, p, _ in graph if isinstance(p, URIRef))


def vocabularies(graph: Graph) -> list[str]:
    """The namespaces of the properties and classes the data uses, outside its own things."""
    terms = set(property_counts(graph)) | set(class_counts(graph))
    return sorted({vocabulary_of(t) for t in terms} - {ID})


def describe(
    sources: Sources, dumps: list[Dump], base_url: str, version: str, issued: str
) -> Graph:
    """The VoID + DCAT 3 description of the published dataset."""
    data = sources.data
    g = Graph(bind_namespaces="none")
    for prefix, namespace in (
        ("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("prov", PROV), ("foaf", FOAF),
        ("xsd", XSD), ("rdfs", RDFS), ("sd", SD), ("owl", OWL), ("det", DET),
    ):  # fmt: skip
        g.bind(prefix, namespace)
    dataset = URIRef(base_url + "void.ttl#dataset")
    endpoint = URIRef(base_url + "sparql")
    service = URIRef(base_url + "void.ttl#sparql-service")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal("detente", lang="en")))
    g.add((dataset, DCTERMS.description, Literal(
        "A linked-data knowledge graph of diplomatic and military contacts between states: "
        "offices and who holds them, meetings held, asked for and refused, sanctions, and who "
        "said or reported each thing. Every fact names its source report and quotes its words.",
        lang="en")))  # fmt: skip
    licence = sources.ontology.value(URIRef(ONTOLOGY_IRI), DCTERMS.license)
    if licence is not None:  # the data's licence is the ontology's
        g.add((dataset, DCTERMS.license, licence))
    g.add((dataset, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    g.add((dataset, DCAT.version, Literal(version)))
    g.add((dataset, OWL.versionInfo, Literal(version)))
    g.add((dataset, FOAF.homepage, URIRef(base_url + "index.html")))
    g.add((dataset, DCAT.landingPage, URIRef(base_url + "index.html")))
    g.add((dataset, VOID.uriSpace, Literal(ID)))
    g.add((dataset, VOID.uriRegexPattern, Literal("^" + ID.replace(".", "\\.") + "[a-z]+/")))
    for feature in FEATURES:
        g.add((dataset, VOID.feature, URIRef(FORMATS + feature)))
    g.add((dataset, VOID.triples, Literal(len(data))))
    things = entities(data)
    g.add((dataset, VOID.entities, Literal(len(things))))
    g.add((dataset, VOID.distinctSubjects, Literal(len(set(data.subjects())))))
    g.add((dataset, VOID.distinctObjects, Literal(len(set(data.objects())))))
    classes = class_counts(data)
    properties = property_counts(data)
    g.add((dataset, VOID.classes, Literal(len(classes))))
    g.add((dataset, VOID.properties, Literal(len(properties))))
    for example in EXAMPLES:
        if URIRef(ID + example) in things:
            g.add((dataset, VOID.exampleResource, URIRef(ID + example)))
    for vocabulary in vocabularies(data):
        g.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    g.add((dataset, VOID.vocabulary, URIRef(ONTOLOGY_IRI + "#")))
    for cls, count in sorted(classes.items()):
        partition = BNode(f"class-{_key(cls)}")
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], cls))
        g.add((partition, VOID.entities, Literal(count)))
    for prop, count in sorted(properties.items()):
        partition = BNode(f"property-{_key(prop)}")
        g.add((dataset, VOID.propertyPartition, partition))
        g.add((partition, VOID.property, prop))
        g.add((partition, VOID.triples, Literal(count)))
    _sources(g, dataset, sources)
    _distributions(g, dataset, dumps, base_url, licence)
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, RDF.type, SD.Service))
    g.add((service, DCTERMS.title, Literal("detente SPARQL 1.1 endpoint (read-only)", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, SD.endpoint, endpoint))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    return g


def _key(term: URIRef) -> str:
    """A stable blank node key for a term, readable, and distinct for distinct terms."""
    readable = "".join(ch if ch.isalnum() else "-" for ch in str(term).split("//", 1)[-1])
    return readable + "-" + hashlib.sha256(str(term).encode("utf-8")).hexdigest()[:8]


def _sources(g: Graph, dataset: URIRef, sources: Sources) -> None:
    """The named graphs as subsets, each derived from its report (or marked background)."""
    for name, graph in sorted(sources.graphs.items()):
        g.add((dataset, VOID.subset, name))
        g.add((name, RDF.type, VOID.Dataset))
        g.add((name, VOID.triples, Literal(len(graph))))
        if name == BACKGROUND_GRAPH:
            g.add((name, DCTERMS.type, DET.Background))
            g.add((name, DCTERMS.description, Literal(
                "Facts from general knowledge, not from any report", lang="en")))  # fmt: skip
        else:
            report = report_of_graph(name)
            g.add((name, PROV.wasDerivedFrom, report))
            g.add((dataset, PROV.wasDerivedFrom, report))
            g.add((dataset, DCTERMS.source, report))


def _distributions(
    g: Graph, dataset: URIRef, dumps: list[Dump], base_url: str, licence: Node | None
) -> None:
    """Each dump as a DCAT distribution and a void:dataDump."""
    for dump in dumps:
        url = URIRef(base_url + dump.path)
        g.add((dataset, DCAT.distribution, url))
        g.add((url, RDF.type, DCAT.Distribution))
        g.add((url, DCAT.downloadURL, url))
        g.add((url, DCAT.accessURL, url))
        if licence is not None:
            g.add((url, DCTERMS.license, licence))
        g.add((url, DCTERMS.title, Literal(f"{DUMP_TITLES[dump.part]} ({dump.path})", lang="en")))
        media = DUMP_FORMATS[dump.extension][0]
        if dump.path.endswith(".gz"):
            g.add((url, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
            g.add((url, DCAT.mediaType, URIRef(IANA + media)))
        else:
            g.add((url, DCAT.mediaType, URIRef(IANA + media)))
            if dump.part in ("data", "dataset"):
                g.add((dataset, VOID.dataDump, url))
        g.add((url, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
