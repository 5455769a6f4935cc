"""Where each thing of a publication lives: IRIs, documents, dumps and media types."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from detente.kg import ID, ONTOLOGY_IRI

DEFAULT_BASE_URL = "https://w3id.org/detente/"

# The formats every document comes in: file extension -> media type. The first is the default.
DOCUMENT_FORMATS: dict[str, str] = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}

# Every dump format: file extension -> (media type, rdflib serializer name).
DUMP_FORMATS: dict[str, tuple[str, str]] = {
    "ttl": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
    "jsonld": ("application/ld+json", "json-ld"),
    "trig": ("application/trig", "trig"),
    "nq": ("application/n-quads", "nquads"),
}

# The ontology document (at the ontology IRI) comes in these formats.
ONTOLOGY_FORMATS: dict[str, str] = {**DOCUMENT_FORMATS, "rdf": "application/rdf+xml"}


@dataclass(frozen=True)
class Thing:
    """A thing with an IRI id/<type>/<slug>, and where its document lives."""

    kind: str
    slug: str

    @property
    def iri(self) -> URIRef:
        """The thing's IRI."""
        return URIRef(f"{ID}{self.kind}/{self.slug}")

    @property
    def doc_path(self) -> str:
        """Its document's path in the publication, without extension: doc/<type>/<slug>."""
        return f"doc/{self.kind}/{self.slug}"


def thing_of(iri: object) -> Thing | None:
    """The thing an IRI names, if it is id/<type>/<slug> (one segment each)."""
    text = str(iri)
    if not isinstance(iri, URIRef) or not text.startswith(ID):
        return None
    kind, sep, slug = text[len(ID) :].partition("/")
    if not sep or not kind or not slug or "/" in slug or "#" in slug or "?" in slug:
        return None
    return Thing(kind, slug)


def is_ontology_term(iri: object) -> bool:
    """Whether an IRI is a term of the detente ontology (ontology#Term)."""
    return isinstance(iri, URIRef) and str(iri).startswith(ONTOLOGY_IRI + "#")
