"""What a contribution may say: the contribution read safely, and the rules it is held to.

Policy comes before the shapes: facts only (no schema), one report behind everything, known
terms used in their roles, well-formed IRIs of new things, no sameAs or exactMatch joining two
things of detente, links out from things of detente and to Wikidata entities, nothing that only
background knowledge may say, no second value where one may exist.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from rdflib import BNode, Graph, Node, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, NamespaceManager

from detente.engines import Triple
from detente.kg import DET, ID, ID_TYPES, ONTOLOGY_IRI, RESERVED_GRAPHS, graph_of_report
from detente.read import (
    CONTRIBUTION_LIMITS,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_TRIPLES,
    InputError,
    Parsed,
    merge_into,
    read_rdf,
)
from detente.validate import POLICY, Finding, compact

SCHEMA_PREDICATES = {
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    OWL.inverseOf,
    OWL.disjointWith,
    OWL.disjointUnionOf,
    OWL.propertyDisjointWith,
    OWL.propertyChainAxiom,
    OWL.hasKey,
    OWL.onProperty,
    OWL.someValuesFrom,
    OWL.allValuesFrom,
    OWL.hasValue,
    OWL.unionOf,
    OWL.intersectionOf,
    OWL.complementOf,
    OWL.oneOf,
    OWL.cardinality,
    OWL.minCardinality,
    OWL.maxCardinality,
    OWL.qualifiedCardinality,
    OWL.minQualifiedCardinality,
    OWL.maxQualifiedCardinality,
    OWL.imports,
}
SCHEMA_CLASSES = {
    OWL.Class,
    RDFS.Class,
    RDF.Property,
    RDFS.Datatype,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.Restriction,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.Ontology,
    OWL.AllDisjointClasses,
    OWL.AllDisjointProperties,
    SH.NodeShape,
    SH.PropertyShape,
    SKOS.ConceptScheme,
}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class Contribution:
    """The files of one contribution, read safely, and their triples merged."""

    files: list[Parsed]
    graph: Graph

    def where(self, triple: Triple) -> tuple[str | None, int | None]:
        """The file and line a triple came from (the first file that has it)."""
        for parsed in self.files:
            if triple in parsed.graph:
                return parsed.name, parsed.lines.get(triple)
        return None, None

    def place(self, focus: Node, path: Node | None = None) -> tuple[str | None, int | None]:
        """The first line about a node: its triples on the path, else as subject, else object."""
        patterns: list[tuple[Node | None, Node | None, Node | None]] = []
        if path is not None:
            patterns.append((focus, path, None))
        patterns += [(focus, None, None), (None, None, focus)]
        for pattern in patterns:
            found = [
                (parsed.name, parsed.lines.get(triple))
                for parsed in self.files
                for triple in parsed.graph.triples(pattern)
            ]
            if found:
                numbered = [(name, line) for name, line in found if line is not None]
                if numbered:
                    return min(numbered, key=lambda item: item[1])
                return found[0][0], None
        return None, None

    def position(self, triple: Triple) -> tuple[int, int, str]:
        """Where a triple is written, for ordering: file order, then line."""
        file, line = self.where(triple)
        names = [parsed.name for parsed in self.files]
        return (names.index(file) if file in names else 0, line or 0, str(triple))

    def first(self, triples: list[Triple]) -> Triple:
        """Of several triples, the one written first (by file order, then line)."""
        return min(triples, key=self.position)

    def nodes(self) -> set[Node]:
        """Every subject and object the contribution mentions."""
        return {s for s in self.graph.subjects()} | {
            o for o in self.graph.objects() if isinstance(o, URIRef | BNode)
        }


def read_contribution(
    sources: list[str],
    rdf_format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_triples: int = DEFAULT_MAX_TRIPLES,
) -> Contribution:
    """Read the files of a contribution safely (standard input for "-"), within the limits.

    Each file is refused as soon as it passes --max-triples while it is parsed; the files
    together are held to the same limit.
    """
    limits = replace(CONTRIBUTION_LIMITS, max_triples=max_triples)
    files = [read_rdf(source, rdf_format, max_bytes, limits) for source in sources]
    graph = merge_into(Graph(bind_namespaces="none"), *(parsed.graph for parsed in files))
    if not graph:
        names = ", ".join(parsed.name for parsed in files)
        raise InputError(names, "the contribution holds no triples: there is nothing to judge")
    if len(graph) > max_triples:
        names = ", ".join(parsed.name for parsed in files)
        raise InputError(
            names, f"{len(graph)} triples, over the limit of {max_triples} (--max-triples)"
        )
    return Contribution(files, graph)


# ------------------------------------------------------------------ policy


def _finding(
    contribution: Contribution,
    triple: Triple,
    focus: Node,
    rule: str,
    message: str,
    path: Node | None = None,
    value: Node | None = None,
) -> Finding:
    """A policy finding about one triple of the contribution, placed at its line."""
    file, line = contribution.where(triple)
    return Finding(
        focus=focus,
        path=path,
        value=value,
        rule=POLICY[rule],
        component=POLICY.PolicyConstraintComponent,
        severity="Violation",
        message=message,
        line=line,
        file=file,
        contributed=True,
    )


def _first_citations(contribution: Contribution) -> dict[Node, Triple]:
    """Each report the contribution cites with det:source, with the triple that first cites it."""
    uses: dict[Node, list[Triple]] = {}
    for triple in contribution.graph.triples((None, DET.source, None)):
        uses.setdefault(triple[2], []).append(triple)
    return {report: contribution.first(triples) for report, triples in uses.items()}


def cited_reports(contribution: Contribution) -> list[Node]:
    """The reports the contribution cites with det:source, in the order first cited."""
    firsts = _first_citations(contribution)
    return sorted(firsts, key=lambda report: contribution.position(firsts[report]))


def report_findings(contribution: Contribution) -> Iterator[Finding]:
    """A contribution comes from one report, named by det:source on its facts."""
    if not len(contribution.graph):
        return
    firsts = _first_citations(contribution)
    if not firsts:
        triple = contribution.first(list(contribution.graph))
        yield _finding(
            contribution,
            triple,
            triple[0],
            "no-report",
            "The contribution names no report, so nothing says who reports these triples. "
            "Give each fact `det:source report:<slug>` and describe that report in the same "
            "file (a det:NewsArticle, det:Readout, det:PressRelease, ... with det:publisher "
            "and its date), or cite a report the graph already has; everything the file adds "
            "is then stored as that report's claim.",
        )
        return
    reports = cited_reports(contribution)
    for report in reports[1:]:
        triple = firsts[report]
        yield _finding(
            contribution,
            triple,
            triple[0],
            "several-reports",
            "The contribution cites several reports with det:source ("
            + ", ".join(r.n3(contribution.graph.namespace_manager) for r in reports)
            + "), so it is unclear which report stands behind each of its triples: "
            "write one file per report, each citing only its own report.",
            path=DET.source,
            value=report,
        )


def schema_findings(contribution: Contribution) -> Iterator[Finding]:
    """Contributions carry facts only: no classes, properties, axioms, shapes or terms of ours."""
    for s, p, o in contribution.graph:
        if (
            p in SCHEMA_PREDICATES
            or (p == RDF.type and o in SCHEMA_CLASSES)
            or str(p).startswith(str(SH))
        ):
            yield _finding(
                contribution,
                (s, p, o),
                s,
                "tbox",
                "Contributions carry facts only: this triple is a schema axiom or a definition "
                "(classes, properties, axioms and shapes belong to the ontology and shapes).",
                path=p,
                value=o,
            )
        elif isinstance(s, URIRef) and (str(s).startswith(str(DET)) or str(s) == ONTOLOGY_IRI):
            yield _finding(
                contribution,
                (s, p, o),
                s,
                "ontology-term",
                "Contributions cannot say things about the ontology's own terms.",
                path=p,
                value=o,
            )


# Terms from outside det: that a contribution may use as predicates (what a report says is
# said with det: properties; these name, describe and link things).
OUTSIDE_PREDICATES = {
    RDF.type,
    RDF.first,
    RDF.rest,
    RDFS.label,
    RDFS.comment,
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.exactMatch,
    SKOS.closeMatch,
    OWL.sameAs,
}
# Links to the same (or a close) thing in another dataset; the identity links make one thing
# of their two ends, each with its policy rule and its name in messages.
LINKS = {SKOS.exactMatch, SKOS.closeMatch, OWL.sameAs}
IDENTITY_LINKS: dict[Node, tuple[str, str]] = {
    OWL.sameAs: ("same-as", "owl:sameAs"),
    SKOS.exactMatch: ("exact-match", "skos:exactMatch"),
}
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
WIKIDATA_ITEM = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")
WIKIDATA_ID = re.compile(r"(?<![A-Za-z0-9])Q[1-9][0-9]*(?![0-9])")
SCHEMA_SAME_AS = {URIRef("https://schema.org/sameAs"), URIRef("http://schema.org/sameAs")}
BACKGROUND_ONLY = {DET.singleHolder}  # general knowledge, kept in data/background.ttl
PROPERTY_TYPES = {
    RDF.Property,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
}


def _is_det(node: Node) -> bool:
    """Whether a node is an IRI of the det: namespace."""
    return isinstance(node, URIRef) and str(node).startswith(str(DET))


def outside_term_findings(contribution: Contribution, schema: set[Triple]) -> Iterator[Finding]:
    """Predicates come from det: or from the few outside terms that name and link things;
    types are det: classes."""
    names = contribution.graph.namespace_manager
    for triple in sorted(contribution.graph, key=contribution.position):
        s, p, o = triple
        if triple in schema:
            continue  # reported as policy:tbox
        if p == RDF.type:
            if _is_det(o) or o in SCHEMA_CLASSES:
                continue
            problem = (
                f"{o.n3(names)} is not a detente class: type things with det: classes "
                "(det:Person, det:Meeting, det:NewsArticle, ...)"
            )
        elif _is_det(p) or p in OUTSIDE_PREDICATES or (p, o) == (DCTERMS.type, DET.Background):
            continue
        elif p in SCHEMA_SAME_AS:
            problem = (
                f"{p.n3(names)} is not a term detente accepts from outside its ontology: link a "
                "thing to the same thing in another dataset with skos:exactMatch, to Wikidata "
                "by its entity IRI (skos:exactMatch <http://www.wikidata.org/entity/Q...>)"
            )
        else:
            allowed = ", ".join(sorted(t.n3(names) for t in OUTSIDE_PREDICATES))
            problem = (
                f"{p.n3(names)} is not a term detente accepts from outside its ontology: say "
                f"facts with det: properties (outside terms allowed: {allowed})"
            )
        yield _finding(contribution, triple, s, "outside-term", problem, path=p, value=o)


def role_findings(contribution: Contribution, ontology: Graph) -> Iterator[Finding]:
    """A det: predicate must be a property, and a det: type a class."""
    properties = {s for t in PROPERTY_TYPES for s in ontology.subjects(RDF.type, t)}
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    defined = set(ontology.subjects(RDFS.isDefinedBy, None))
    for s, p, o in sorted(contribution.graph, key=contribution.position):
        if _is_det(p) and p in defined and p not in properties:
            yield _finding(
                contribution,
                (s, p, o),
                s,
                "not-a-property",
                f"{p.n3(contribution.graph.namespace_manager)} is not a property of the "
                "ontology (a class or a concept) and cannot be used as a predicate",
                path=p,
                value=o,
            )
        if p == RDF.type and _is_det(o) and o in defined and o not in classes:
            yield _finding(
                contribution,
                (s, p, o),
                s,
                "not-a-class",
                f"{o.n3(contribution.graph.namespace_manager)} is not a class of the ontology "
                "(a property or a concept) and cannot be a type",
                path=p,
                value=o,
            )


def background_findings(contribution: Contribution) -> Iterator[Finding]:
    """What only background knowledge says (a post's single holder, the Background mark) and
    the names detente keeps for itself are not a contribution's to give."""
    for s, p, o in sorted(contribution.graph, key=contribution.position):
        if p in BACKGROUND_ONLY or (p == DCTERMS.type and o == DET.Background):
            yield _finding(
                contribution,
                (s, p, o),
                s,
                "background-only",
                "Background facts (general knowledge, outside any report) live only in "
                "data/background.ttl, kept by the project; a contribution carries what its "
                "report says.",
                path=p,
                value=o,
            )
    for report in cited_reports(contribution):
        if isinstance(report, URIRef) and graph_of_report(report) in RESERVED_GRAPHS:
            triple = _first_citations(contribution)[report]
            yield _finding(
                contribution,
                triple,
                triple[0],
                "reserved-name",
                f"{report} names a graph detente keeps for itself "
                f"({graph_of_report(report)}); give the report another slug.",
                path=DET.source,
                value=report,
            )


def _suggestion(term: URIRef, defined: set[URIRef]) -> str:
    """ "did you mean det:...?" for a misspelt term, or an empty string."""
    local = str(term)[len(str(DET)) :]
    locals_ = {str(t)[len(str(DET)) :]: t for t in defined}
    same_case = [name for name in locals_ if name.lower() == local.lower()]
    close = same_case or difflib.get_close_matches(local, list(locals_), n=1, cutoff=0.6)
    return f"; did you mean det:{close[0]}?" if close else ""


def undefined_term_findings(contribution: Contribution, defined: set[URIRef]) -> Iterator[Finding]:
    """Every term of our namespace must exist in the ontology."""
    uses: dict[URIRef, list[Triple]] = {}
    for triple in contribution.graph:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(str(DET)) and term not in defined:
                uses.setdefault(term, []).append(triple)
    for term in sorted(uses):
        yield _finding(
            contribution,
            contribution.first(uses[term]),
            term,
            "undefined-term",
            f"det:{str(term)[len(str(DET)) :]} is not defined by the ontology"
            + _suggestion(term, defined),
        )


def _identity_classes(graphs: list[Graph]) -> dict[Node, Node]:
    """Each node's representative under owl:sameAs and skos:exactMatch (symmetric and
    transitive) in the graphs."""
    parent: dict[Node, Node] = {}

    def root(node: Node) -> Node:
        while parent.get(node, node) != node:
            node = parent[node]
        return node

    for graph in graphs:
        for link in IDENTITY_LINKS:
            for s, _, o in graph.triples((None, link, None)):
                parent.setdefault(s, s)
                parent.setdefault(o, o)
                a, b = root(s), root(o)
                if a != b:
                    parent[max(a, b, key=str)] = min(a, b, key=str)
    return {node: root(node) for node in parent}


def _is_vocabulary(node: Node) -> bool:
    """Whether a node is a term of the ontology or of RDF, RDFS, OWL or SHACL."""
    return isinstance(node, URIRef) and str(node).startswith(
        (str(DET), ONTOLOGY_IRI, str(RDF), str(RDFS), str(OWL), str(SH))
    )


def _is_thing(node: Node) -> bool:
    """Whether a node is a thing of detente (an IRI under id/)."""
    return isinstance(node, URIRef) and str(node).startswith(ID)


def _listed(nodes: set[Node]) -> str:
    """Nodes listed for a message, sorted, as full IRIs."""
    return ", ".join(sorted(str(node) for node in nodes))


def _live_links(graphs: list[Graph], bearing: Callable[[Node], bool]) -> set[frozenset[Node]]:
    """The identity links that may take part in joining things: all but those that lead only
    to dead ends (nodes that are no thing of their own, linked to nothing else)."""
    near: dict[Node, set[Node]] = {}
    for graph in graphs:
        for link in IDENTITY_LINKS:
            for s, _, o in graph.triples((None, link, None)):
                if s != o:
                    near.setdefault(s, set()).add(o)
                    near.setdefault(o, set()).add(s)
    ends = [node for node, others in near.items() if len(others) == 1 and not bearing(node)]
    while ends:
        node = ends.pop()
        for other in near.pop(node, set()):
            near[other].discard(node)
            if len(near[other]) == 1 and not bearing(other):
                ends.append(other)
    return {frozenset((s, o)) for s, others in near.items() for o in others}


def same_as_findings(
    contribution: Contribution, known: set[Node], data: Graph
) -> Iterator[Finding]:
    """No owl:sameAs or skos:exactMatch that makes one thing of two things of detente (two the
    graph holds as distinct, or a new one and another), directly, through new nodes or through
    a shared outside IRI, and none with a vocabulary term."""

    def bearing(node: Node) -> bool:
        return node in known or _is_thing(node)

    joined = _identity_classes([data, contribution.graph])
    held = _identity_classes([data])  # what the graph's own links make one thing already
    live = _live_links([data, contribution.graph], bearing)
    groups: dict[Node, dict[Node, set[Node]]] = {}  # class -> one thing -> its nodes
    for node, representative in joined.items():
        if bearing(node):
            thing = held.get(node, node) if node in known else node
            groups.setdefault(representative, {}).setdefault(thing, set()).add(node)
    links = [t for t in contribution.graph if t[1] in IDENTITY_LINKS]
    for s, p, o in sorted(links, key=contribution.position):
        rule, name = IDENTITY_LINKS[p]
        things = groups.get(joined.get(s, s), {})
        named = {n for nodes in things.values() for n in ({*filter(_is_thing, nodes)} or nodes)}
        if _is_vocabulary(s) or _is_vocabulary(o):
            problem = f"{name} cannot be said of a term of the ontology or of RDF/OWL."
        elif len(things) < 2 or frozenset((s, o)) not in live:
            continue
        elif sum(1 for thing in things if thing in known) > 1:
            problem = (
                f"{name} would make one thing of {_listed({n for n in named if n in known})}, "
                "which the graph holds as distinct; if they are one, correct the data instead."
            )
        else:
            problem = (
                f"{name} would make one thing of {_listed(named)}: a thing of detente has one "
                "IRI, so use the graph's IRI for a thing it has already, and link a thing only "
                "to the same thing in another dataset (its Wikidata entity), one that no other "
                "thing of detente is linked to."
            )
        yield _finding(contribution, (s, p, o), s, rule, problem, path=p, value=o)


def _on_wikidata(node: Node) -> bool:
    """Whether a node is an IRI on a wikidata.org host."""
    if not isinstance(node, URIRef):
        return False
    try:
        host = urlsplit(str(node)).hostname or ""
    except ValueError:
        return False
    return host == "wikidata.org" or host.endswith(".wikidata.org")


def wikidata_problem(node: Node) -> str | None:
    """What is wrong with a Wikidata IRI a link points to, or None (not Wikidata, or an item's
    entity IRI)."""
    if not _on_wikidata(node) or WIKIDATA_ITEM.match(str(node)):
        return None
    item = WIKIDATA_ID.search(urlsplit(str(node)).path)
    target = (
        f"the entity itself, <{WIKIDATA_ENTITY}{item.group()}>"
        if item
        else f"an item's entity IRI, {WIKIDATA_ENTITY}Q<number>"
    )
    return (
        f"<{node}> is not the IRI of a Wikidata item: link to {target}, not to a page about "
        "it (/wiki/, Special:EntityData), its https form or a property (P...)."
    )


def link_findings(contribution: Contribution, known: set[Node]) -> Iterator[Finding]:
    """Links out (skos:exactMatch, skos:closeMatch, owl:sameAs) go from a thing of detente, and
    a link to Wikidata names an item's entity IRI."""
    links = [t for t in contribution.graph if t[1] in LINKS]
    for s, p, o in sorted(links, key=contribution.position):
        problem = wikidata_problem(o)
        if (
            problem is None
            and isinstance(s, URIRef)
            and s in known  # a new subject outside id/ is refused as policy:iri
            and not _is_thing(s)
            and not _is_vocabulary(s)  # refused as policy:ontology-term or policy:same-as
        ):
            problem = (
                f"Links out go from a thing of detente: the subject of "
                f"{p.n3(contribution.graph.namespace_manager)} must be an IRI under {ID} "
                "(write <thing> skos:exactMatch <http://www.wikidata.org/entity/Q...>)."
            )
        if problem is not None:
            yield _finding(contribution, (s, p, o), s, "link-out", problem, path=p, value=o)


def _iri_problem(
    node: Node, types: set[Node] | None, subclasses: dict[Node, set[Node]]
) -> str | None:
    """What is wrong with the IRI of a new thing, or None; types None: the thing is only
    referred to, not described, so its type is not judged here."""
    if isinstance(node, BNode):
        return (
            "a new thing needs an IRI https://w3id.org/detente/id/<type>/<slug>, not a blank node"
        )
    text = str(node)
    if not text.startswith(ID):
        return f"a new thing's IRI must start with {ID}<type>/<slug>"
    parts = text[len(ID) :].split("/")
    if len(parts) != 2 or parts[0] not in ID_TYPES or not SLUG.match(parts[1]):
        known = ", ".join(sorted(ID_TYPES))
        return (
            f"a new thing's IRI must be {ID}<type>/<slug>, with <type> one of {known} and a "
            "lowercase kebab-case <slug>"
        )
    expected = ID_TYPES[parts[0]]
    name = f"det:{str(expected)[len(str(DET)) :]}"
    if types is None:
        return None
    if not types:
        return f"a new id/{parts[0]}/ thing needs its type: a {name} (rdf:type)"
    if not any(expected in subclasses.get(t, {t}) for t in types):
        return f"an id/{parts[0]}/ IRI names a {name}, not this type"
    return None


def iri_findings(
    contribution: Contribution, known: set[Node], ontology: Graph, schema: set[Node]
) -> Iterator[Finding]:
    """Every new thing's IRI follows the id/<type>/<slug> rule and agrees with its type.

    Schema terms the contribution tries to define (reported as policy:tbox) are not things,
    and a type the ontology does not define (reported as policy:undefined-term) is not
    compared with the IRI.
    """
    subclasses: dict[Node, set[Node]] = {}
    for cls in set(ontology.subjects(RDF.type, OWL.Class)):
        subclasses[cls] = {c for c in ontology.transitive_objects(cls, RDFS.subClassOf) if c}
    subjects = set(contribution.graph.subjects())
    new_things = {
        node
        for node in contribution.nodes()
        if node not in known
        and node not in schema
        and (isinstance(node, BNode) or str(node).startswith(ID) or node in subjects)
    }
    for node in sorted(new_things, key=str):
        asserted = set(contribution.graph.objects(node, RDF.type))
        if any(str(t).startswith(str(DET)) and t not in subclasses for t in asserted):
            continue  # an undefined det: class, reported as policy:undefined-term
        types = {t for t in asserted if t in subclasses} if node in subjects else None
        problem = _iri_problem(node, types, subclasses)
        if problem is None:
            continue
        about = list(contribution.graph.triples((node, None, None)))
        about = about or list(contribution.graph.triples((None, None, node)))
        yield _finding(contribution, contribution.first(about), node, "iri", problem)


def single_valued(ontology: Graph, shapes: Graph) -> set[Node]:
    """Properties of which a node may have one value only (functional, or sh:maxCount 1)."""
    found = set(ontology.subjects(RDF.type, OWL.FunctionalProperty))
    for shape in shapes.subjects(SH.maxCount, None):
        if str(shapes.value(shape, SH.maxCount)) == "1":
            path = shapes.value(shape, SH.path)
            if isinstance(path, URIRef):
                found.add(path)
    return found


def conflict_findings(
    contribution: Contribution, data: Graph, single: set[Node], names: NamespaceManager
) -> Iterator[Finding]:
    """A second value where only one may exist, naming both values and their sources."""

    def listed(values: Iterator[Node]) -> str:
        return ", ".join(sorted(compact(v, names) or "" for v in values)) or "none"

    for s, p, new in sorted(contribution.graph, key=str):
        if p not in single:
            continue
        old = set(data.objects(s, p)) - set(contribution.graph.objects(s, p))
        if not old:
            continue
        yield _finding(
            contribution,
            (s, p, new),
            s,
            "conflict",
            f"conflict: the graph gives {listed(iter(old))} "
            f"(source: {listed(data.objects(s, DET.source))}); the contribution gives "
            f"{compact(new, names)} (source: {listed(contribution.graph.objects(s, DET.source))}); "
            "only one value may exist",
            path=p,
            value=new,
        )


def policy_findings(
    contribution: Contribution, ontology: Graph, data: Graph, known: set[Node] | None = None
) -> tuple[list[Finding], set[Triple]]:
    """Every policy finding of a contribution, and the triples it refuses (kept out of the
    judgement of the merged graph, so that they cause nothing further).

    `known` are the nodes the graph holds (by default, those of `data` and the ontology); when
    given, `data` need only hold the contribution's nodes' triples and the identity links.
    """
    defined = {
        s
        for s in ontology.subjects(RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI))
        if isinstance(s, URIRef)
    }
    if known is None:
        known = set(data.subjects()) | set(ontology.subjects()) | set(data.objects())
    schema = list(schema_findings(contribution))
    schema_triples = {_triple_of(f) for f in schema}
    refusing = [
        *schema,
        *same_as_findings(contribution, known, data),
        *link_findings(contribution, known),
        *outside_term_findings(contribution, schema_triples),
        *role_findings(contribution, ontology),
        *background_findings(contribution),
    ]
    findings = [
        *report_findings(contribution),
        *refusing,
        *undefined_term_findings(contribution, defined),
        *iri_findings(contribution, known, ontology, {f.focus for f in schema}),
    ]
    refused = {_triple_of(f) for f in refusing if f.rule != POLICY["reserved-name"]}
    return findings, refused


def _triple_of(finding: Finding) -> Triple:
    """The triple a policy finding about one triple is about."""
    return (finding.focus, finding.path, finding.value)  # type: ignore[return-value]
