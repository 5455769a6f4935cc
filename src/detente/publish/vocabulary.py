"""The ontology's documentation: every term with its definition and alignments, and the shapes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from detente.kg import ONTOLOGY_IRI
from detente.publish.dumps import json_ld, serialize
from detente.publish.pages import Link, Site, href, script_safe
from detente.validate import load_checks

ROOT = ""  # the ontology page lives at the publication's root
ALIGNMENTS = (
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
    RDFS.seeAlso,
)
KINDS = (
    ("Classes", OWL.Class),
    ("Object properties", OWL.ObjectProperty),
    ("Datatype properties", OWL.DatatypeProperty),
    ("Annotation properties", OWL.AnnotationProperty),
)


@dataclass
class Term:
    """A term of the ontology as its documentation shows it."""

    anchor: str
    iri: str
    label: str
    definition: str
    kinds: list[str]
    relations: list[tuple[str, list[Link]]]


def _local(node: Node) -> str:
    """The part of a term's IRI after '#'."""
    return str(node).split("#", 1)[-1]


def _links(site: Site, nodes: list[Node]) -> list[Link]:
    """Nodes as links with names (compact names for outside terms)."""
    links = []
    for node in nodes:
        if isinstance(node, BNode):
            links.append(Link(_class_expression(site, node)))
            continue
        text = site.name(node) if str(node).startswith(ONTOLOGY_IRI) else _compact(site, node)
        links.append(Link(text, href(node, ROOT)))
    return links


def _compact(site: Site, node: Node) -> str:
    """A term as prefix:local where a prefix is known."""
    if isinstance(node, URIRef):
        return node.n3(site.union.namespace_manager).strip("<>")
    return str(node)


def _class_expression(site: Site, node: BNode) -> str:
    """A union or intersection of classes in words."""
    graph = site.sources.ontology
    for prop, word in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
        members = graph.value(node, prop)
        if members is not None:
            return word.join(site.name(m) for m in Collection(graph, members))
    return "(an anonymous class)"


def term(site: Site, node: URIRef) -> Term:
    """One term with what the ontology says of it."""
    graph = site.sources.ontology
    definition = graph.value(node, RDFS.comment) or graph.value(node, SKOS.definition) or ""
    kinds = sorted(_compact(site, t) for t in graph.objects(node, RDF.type))
    relations: list[tuple[str, list[Link]]] = []
    for prop in (*ALIGNMENTS, RDFS.domain, RDFS.range, SKOS.broader, SKOS.inScheme):
        values = sorted(graph.objects(node, prop), key=str)
        if values:
            relations.append((_compact(site, prop), _links(site, values)))
    for prop, words in ((RDFS.subClassOf, "subclasses"), (RDFS.subPropertyOf, "subproperties")):
        below = sorted(
            (s for s in graph.subjects(prop, node) if str(s).startswith(ONTOLOGY_IRI)), key=str
        )
        if below:
            relations.append((words, _links(site, below)))
    notation = graph.value(node, SKOS.notation)
    if notation is not None:
        relations.append(("skos:notation", [Link(str(notation))]))
    return Term(_local(node), str(node), site.name(node), str(definition), kinds, relations)


def sections(site: Site) -> list[tuple[str, list[Term]]]:
    """The terms of the ontology by kind: classes, properties, then concepts by scheme."""
    graph = site.sources.ontology
    mine = {s for s in graph.subjects() if isinstance(s, URIRef) and "#" in str(s)}
    mine = {s for s in mine if str(s).startswith(ONTOLOGY_IRI + "#")}
    placed: set[URIRef] = set()
    found = []
    for title, kind in KINDS:
        members = sorted((s for s in mine if (s, RDF.type, kind) in graph), key=site.name)
        placed.update(members)
        found.append((title, [term(site, m) for m in members]))
    schemes = sorted((s for s in mine if (s, RDF.type, SKOS.ConceptScheme) in graph), key=str)
    placed.update(schemes)
    for scheme in schemes:
        members = sorted((s for s in mine if (s, SKOS.inScheme, scheme) in graph), key=site.name)
        placed.update(members)
        terms = [term(site, scheme)] + [term(site, m) for m in members]
        found.append((f"Concepts: {site.name(scheme)}", terms))
    rest = sorted(mine - placed, key=site.name)
    if rest:
        found.append(("Other terms", [term(site, m) for m in rest]))
    return [(title, terms) for title, terms in found if terms]


@dataclass
class ShapeRow:
    """A rule of the shapes or the checks: what it applies to, what it checks, its message."""

    name: str
    target: str
    checks: str
    severity: str
    message: str


CONSTRAINTS = (
    (SH.minCount, "at least {}"),
    (SH.maxCount, "at most {}"),
    (SH.datatype, "datatype {}"),
    (SH["class"], "of class {}"),
    (SH.nodeKind, "node kind {}"),
    (SH.pattern, "matches {}"),
    (SH.hasValue, "is {}"),
    (SH.lessThanOrEquals, "≤ {}"),
    (SH.lessThan, "< {}"),
    (SH.minInclusive, "≥ {}"),
    (SH.maxInclusive, "≤ {}"),
    (SH.uniqueLang, "one value per language: {}"),
)


def _constraints(site: Site, shape: Node) -> str:
    """A shape's constraints in short words."""
    shapes = site.sources.shapes
    words = []
    for prop, text in CONSTRAINTS:
        values = sorted(_compact(site, v) for v in shapes.objects(shape, prop))
        if values:
            words.append(text.format(", ".join(values)))
    allowed = shapes.value(shape, SH["in"])
    if allowed is not None:
        words.append("one of " + ", ".join(_compact(site, v) for v in Collection(shapes, allowed)))
    if shapes.value(shape, SH.sparql) is not None:
        words.append("a SPARQL constraint")
    return "; ".join(words)


def _targets(site: Site, shape: Node) -> str:
    """What a node shape applies to."""
    shapes = site.sources.shapes
    targets = [
        _compact(site, v)
        for prop in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        for v in sorted(shapes.objects(shape, prop), key=str)
    ]
    if shapes.value(shape, SH.target) is not None:
        targets.append("nodes a SPARQL target selects")
    return ", ".join(targets)


def _message(site: Site, shape: Node) -> str:
    """A shape's message (English first)."""
    messages = sorted(site.sources.shapes.objects(shape, SH.message), key=str)
    english = [m for m in messages if isinstance(m, Literal) and m.language in (None, "en")]
    return str((english or messages or [""])[0])


def shape_rows(site: Site) -> list[ShapeRow]:
    """Every named node shape and its property shapes, readably."""
    shapes = site.sources.shapes
    rows = []
    for node in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        target = _targets(site, node)
        rows.append(
            ShapeRow(
                _compact(site, node),
                target,
                _constraints(site, node),
                _compact(site, shapes.value(node, SH.severity) or SH.Violation),
                _message(site, node),
            )
        )
        for prop_shape in sorted(shapes.objects(node, SH.property), key=str):
            path = shapes.value(prop_shape, SH.path)
            rows.append(
                ShapeRow(
                    _compact(site, prop_shape),
                    f"{target} → {_compact(site, path) if path is not None else '?'}",
                    _constraints(site, prop_shape),
                    _compact(site, shapes.value(prop_shape, SH.severity) or SH.Violation),
                    _message(site, prop_shape),
                )
            )
    return rows


def check_rows(site: Site, folder: Path) -> list[ShapeRow]:
    """The SPARQL quality checks (*-violation.rq): name, severity, message."""
    rows = []
    for check in load_checks(folder):
        first = next(
            (line.lstrip("# ").strip() for line in check.text.splitlines() if line.startswith("#")),
            "",
        )
        rows.append(ShapeRow(check.name, "", first, check.severity, check.message))
    return rows


def ontology_page(site: Site, checks_folder: Path, ld: str) -> str:
    """The HTML documentation of the ontology and the shapes."""
    graph = site.sources.ontology
    ontology = URIRef(ONTOLOGY_IRI)
    description = str(graph.value(ontology, DCTERMS.description) or "")
    return site.render(
        "ontology.html",
        ROOT,
        title=str(graph.value(ontology, DCTERMS.title) or "detente ontology"),
        iri=ONTOLOGY_IRI,
        canonical=f"{site.base_url}ontology",
        version_iri=str(graph.value(ontology, OWL.versionIRI) or ""),
        version_info=str(graph.value(ontology, OWL.versionInfo) or ""),
        license=str(graph.value(ontology, DCTERMS.license) or ""),
        creator=str(graph.value(ontology, DCTERMS.creator) or ""),
        modified=str(graph.value(ontology, DCTERMS.modified) or ""),
        paragraphs=[p.strip() for p in description.split("\n") if p.strip()],
        sections=sections(site),
        shapes=shape_rows(site),
        checks=check_rows(site, checks_folder),
        json_ld=script_safe(ld),
    )


def ontology_documents(site: Site, checks_folder: Path, context: dict[str, str]) -> dict[str, str]:
    """The ontology document in every format, by file extension."""
    graph: Graph = site.sources.ontology
    ld = json_ld(graph, context)
    return {
        "html": ontology_page(site, checks_folder, ld),
        "ttl": serialize(graph, "ttl", context),
        "jsonld": ld,
        "nt": serialize(graph, "nt", context),
        "rdf": serialize(graph, "rdf", context),
    }
