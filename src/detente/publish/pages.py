"""One document per thing: its description as RDF, and an HTML page people read."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from detente.kg import (
    BACKGROUND_GRAPH,
    DET,
    META_GRAPH,
    ONTOLOGY_IRI,
    Sources,
    meta_graph,
    report_of_graph,
)
from detente.publish.dumps import json_ld
from detente.publish.layout import DOCUMENT_FORMATS, Thing, is_ontology_term, thing_of
from detente.write import canonical_turtle

# Properties shown in their own blocks (name, date, status, quotes), not in the facts table.
DATE_PROPERTIES = (
    DET.earliest,
    DET.latestStart,
    DET.earliestEnd,
    DET.latest,
    DET.dateText,
    DET.datePrecision,
    DET.dateImpliedBy,
)
OWN_BLOCKS = {
    RDF.type,
    RDFS.label,
    SKOS.prefLabel,
    DET.quote,
    DET.source,
    DCTERMS.type,  # dcterms:type det:Background: shown as the badge
    *DATE_PROPERTIES,
}
LABELS = (SKOS.prefLabel, RDFS.label)
REFUSED = {"rejected", "cancelled", "postponed", "cancelledOrPostponed"}
PENDING = {"requested", "proposed", "scheduled"}


def environment() -> Environment:
    """The Jinja environment of the publication's templates (HTML autoescaped)."""
    env = Environment(
        loader=PackageLoader("detente.publish", "templates"),
        autoescape=select_autoescape(["html", "svg", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


@dataclass
class Site:
    """What every page needs: the graphs, who says what, and the names of things."""

    sources: Sources
    union: Graph  # ontology + data + meta, asserted
    version: str
    base_url: str
    reports: int
    closed: Graph  # the OWL 2 RL closure: every type a thing has
    env: Environment = field(default_factory=environment)

    @classmethod
    def of(cls, sources: Sources, closed: Graph, version: str, base_url: str) -> Site:
        """The site of a project's sources and their closure."""
        union = sources.merged()
        union += meta_graph(sources.graphs)
        for prefix, namespace in sources.shapes.namespaces():
            union.bind(prefix, namespace, override=False)  # to name shapes on the ontology page
        reports = sum(1 for name in sources.graphs if name != BACKGROUND_GRAPH)
        return cls(sources, union, version, base_url, reports, closed)

    def is_a(self, node: Node, cls: URIRef) -> bool:
        """Whether a node is an instance of a class (subclasses included)."""
        return (node, RDF.type, cls) in self.closed

    def short_name(self, node: Node) -> str:
        """A report as 'publisher, date'; anything else by its name."""
        publisher = self.union.value(node, DET.publisher)
        date = self.union.value(node, DET.earliest)
        exact = date is not None and date == self.union.value(node, DET.latest)
        if publisher is not None and exact:
            return f"{self.name(publisher)}, {date}"
        return self.name(node)

    def name(self, node: Node) -> str:
        """A thing's name for people: its canonical name, else a report's name, else its slug."""
        for prop in LABELS:
            values = sorted(str(v) for v in self.union.objects(node, prop))
            english = [str(v) for v in self.union.objects(node, prop) if _english(v)]
            if english:
                return sorted(english)[0]
            if values:
                return values[0]
        text = str(node)
        return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    def graphs_with(self, triple: tuple[Node, Node, Node]) -> list[URIRef]:
        """The named graphs (source files) that assert a triple."""
        return sorted(name for name, graph in self.sources.graphs.items() if triple in graph)

    def render(self, template: str, root: str, **context: object) -> str:
        """A page from a template, with what every page shows."""
        return self.env.get_template(template).render(
            root=root, version=self.version, report_count=self.reports, **context
        )


def _english(value: Node) -> bool:
    """Whether a literal is English or has no language."""
    return isinstance(value, Literal) and value.language in (None, "en")


def href(node: Node, root: str) -> str | None:
    """Where a link to a node goes: its document, the ontology's anchor, or the IRI itself."""
    thing = thing_of(node)
    if thing is not None:
        return f"{root}{thing.doc_path}.html"
    if is_ontology_term(node):
        return f"{root}ontology.html#{str(node).split('#', 1)[1]}"
    if str(node) == ONTOLOGY_IRI:
        return f"{root}ontology.html"
    if isinstance(node, URIRef) and str(node).startswith(("http://", "https://")):
        return str(node)
    return None


# ----------------------------------------------------------------- dates

DASH = "\u2013"  # an en dash between the ends of a range
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _date(value: Node | None) -> datetime.date | None:
    """An xsd:date literal as a date (None if absent or not a date)."""
    if not isinstance(value, Literal):
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def day(value: datetime.date) -> str:
    """A date as people read it: 2 June 2023."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def span(start: datetime.date, end: datetime.date) -> str:
    """Two dates as a short range, with an en dash: 1-10 May 2023, 2 June 2023."""
    if start == end:
        return day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}{DASH}{end.day} {MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} {DASH} {day(end)}"
    return f"{day(start)} {DASH} {day(end)}"


@dataclass(frozen=True)
class When:
    """A vague date: the report's words and the four bounds, any of them unknown."""

    words: str | None
    earliest: datetime.date | None
    latest_start: datetime.date | None
    earliest_end: datetime.date | None
    latest: datetime.date | None
    precision: str | None
    implied_by: Node | None

    @property
    def bounds(self) -> str:
        """The bounds in words: '1-10 May 2023', 'began 1-28 February 2023; ...'."""
        first, last = self.earliest, self.latest
        if self.latest_start or self.earliest_end:
            parts = []
            if first:
                parts.append(f"began {span(first, self.latest_start or first)}")
            if self.earliest_end and last:
                parts.append(f"ended {span(self.earliest_end, last)}")
            elif self.earliest_end:
                parts.append(f"still going on {day(self.earliest_end)}, end not known")
            return "; ".join(parts)
        if first and last:
            return span(first, last)
        if first:
            return f"on or after {day(first)}"
        if last:
            return f"on or before {day(last)}"
        return ""

    @property
    def text(self) -> str:
        """Words and bounds together: 'in early May (1-10 May 2023)'."""
        if self.words and self.bounds:
            return f"{self.words} ({self.bounds})"
        return self.words or self.bounds

    @property
    def sort_key(self) -> str:
        """An ISO date to order events by (earliest, else latest)."""
        known = self.earliest or self.latest
        return known.isoformat() if known else "9999"


def when(graph: Graph, node: Node) -> When | None:
    """The date of a node, if it has one."""
    words = graph.value(node, DET.dateText)
    precision = graph.value(node, DET.datePrecision)
    found = When(
        str(words) if words is not None else None,
        _date(graph.value(node, DET.earliest)),
        _date(graph.value(node, DET.latestStart)),
        _date(graph.value(node, DET.earliestEnd)),
        _date(graph.value(node, DET.latest)),
        str(precision).rsplit("#", 1)[-1] if precision is not None else None,
        graph.value(node, DET.dateImpliedBy),
    )
    if not (found.words or found.earliest or found.latest):
        return None
    return found


# ----------------------------------------------------------------- statuses


@dataclass(frozen=True)
class StatusEntry:
    """One status assertion about an event."""

    assertion: Node
    status: str  # the concept's local name: held, rejected, ...
    label: str
    as_of: str
    report: Node | None
    report_name: str
    quotes: list[str]


def status_history(site: Site, event: Node) -> list[StatusEntry]:
    """What each report said of an event's status, oldest first."""
    union = site.union
    entries = []
    for assertion in union.subjects(DET.statusOf, event):
        status = union.value(assertion, DET.status)
        if status is None:
            continue
        entries.append(
            StatusEntry(
                assertion,
                str(status).rsplit("#", 1)[-1],
                site.name(status),
                str(union.value(assertion, DET.asOf) or ""),
                union.value(assertion, DET.source),
                site.short_name(union.value(assertion, DET.source) or assertion),
                sorted(str(q) for q in union.objects(assertion, DET.quote)),
            )
        )
    return sorted(entries, key=lambda e: (e.as_of, e.status))


def current_status(history: list[StatusEntry]) -> list[StatusEntry]:
    """The assertions with the latest date (more than one only when they tie)."""
    if not history:
        return []
    latest = history[-1].as_of
    return [entry for entry in history if entry.as_of == latest]


def status_class(status: str) -> str:
    """The drawing style of a status: held, refused, pending or other."""
    if status == "held":
        return "held"
    if status in REFUSED:
        return "refused"
    if status in PENDING:
        return "pending"
    return "other"


# ----------------------------------------------------------------- one thing


@dataclass
class Link:
    """A value shown on a page: text, and where it links (None for plain text)."""

    text: str
    href: str | None = None
    kind: str = ""  # the linked thing's type, for a hint after the name


@dataclass
class FactRow:
    """A row of a thing's facts: property, values, and the reports that assert them."""

    property: Link
    values: list[Link]
    sources: list[Link]


@dataclass
class IncomingRow:
    """Something that names this thing: the other thing, how, when, its status."""

    thing: Link
    relation: str
    when: str
    sort_key: str
    status: str | None
    status_label: str | None


# How the things that name a thing are grouped on its page, in this order.
GROUPS = (
    ("Meetings", DET.Meeting),
    ("Visits", DET.Visit),
    ("Requests", DET.Request),
    ("Refusals", DET.Rejection),
    ("Statements", DET.Statement),
    ("Sanctions", DET.Sanction),
    ("Speeches", DET.Speech),
    ("Offices (tenures)", DET.Tenure),
    ("Other events", DET.Event),
    ("Status reports", DET.StatusAssertion),
    ("Reports", DET.Report),
)


def link(site: Site, node: Node, root: str) -> Link:
    """A node as a link with its name (literals as plain text)."""
    if isinstance(node, Literal):
        return Link(str(node))
    kind = ""
    types = sorted(site.name(t) for t in site.union.objects(node, RDF.type))
    if types and thing_of(node) is not None:
        kind = types[0]
    return Link(site.name(node), href(node, root), kind)


def source_links(site: Site, graphs: list[URIRef], root: str) -> list[Link]:
    """The reports behind a list of graphs (background named as such)."""
    links = []
    for name in graphs:
        if name == BACKGROUND_GRAPH:
            links.append(Link("background", href(name, root)))
        elif name != META_GRAPH:
            report = report_of_graph(name)
            links.append(Link(site.short_name(report), href(report, root), "report"))
    return links


def fact_rows(site: Site, thing: URIRef, root: str) -> list[FactRow]:
    """The thing's own facts, one row per property, in order of the property's name."""
    rows = []
    properties = sorted(
        {p for p in site.union.predicates(thing) if p not in OWN_BLOCKS}, key=site.name
    )
    for prop in properties:
        values = sorted(site.union.objects(thing, prop), key=lambda v: site.name(v))
        graphs = sorted({g for v in values for g in site.graphs_with((thing, prop, v))})
        rows.append(
            FactRow(
                link(site, prop, root),
                [link(site, v, root) for v in values],
                source_links(site, graphs, root),
            )
        )
    return rows


def _related(site: Site, thing: URIRef) -> list[tuple[Node, str]]:
    """What names a thing, and the requests and refusals one step further around its events."""
    union = site.union
    found: list[tuple[Node, str]] = []
    for subject, prop in union.subject_predicates(thing):
        if prop in (RDF.type, DET.statusOf) or thing_of(subject) is None:
            continue  # status assertions have a table of their own
        if prop == DET.requestedMeeting:
            found.append((subject, "asks for this meeting"))
            for rejection in union.subjects(DET.rejectedRequest, subject):
                found.append((rejection, "refuses the request for this meeting"))
            continue
        if prop == DET.rejectedRequest:
            found.append((subject, "refuses this request"))
            continue
        relation = site.name(prop)
        found.append((subject, relation))
        for request in union.subjects(DET.requestedMeeting, subject):
            found.append((request, f"asks for a meeting with this as {relation}"))
            for rejection in union.subjects(DET.rejectedRequest, request):
                found.append((rejection, f"refuses a meeting with this as {relation}"))
        for rejection in union.subjects(DET.rejectedRequest, subject):
            found.append((rejection, f"refuses a request with this as {relation}"))
    return found


def incoming_rows(site: Site, thing: URIRef, root: str) -> list[tuple[str, list[IncomingRow]]]:
    """Everything that names the thing (meetings, requests, refusals...), by kind, oldest first."""
    rows: dict[str, dict[Node, IncomingRow]] = {}
    for subject, relation in sorted(_related(site, thing), key=lambda r: (str(r[0]), r[1])):
        group = next((title for title, cls in GROUPS if site.is_a(subject, cls)), "Other")
        if subject in rows.get(group, {}):
            continue
        date = when(site.union, subject)
        current = current_status(status_history(site, subject))
        rows.setdefault(group, {})[subject] = IncomingRow(
            link(site, subject, root),
            relation,
            date.text if date else "",
            date.sort_key if date else "9999",
            status_class(current[0].status) if current else None,
            current[0].label if current else None,
        )
    order = [title for title, _ in GROUPS] + ["Other"]
    return [
        (title, sorted(rows[title].values(), key=lambda r: (r.sort_key, r.thing.text)))
        for title in order
        if title in rows
    ]


@dataclass
class Quote:
    """A report's words, and which report."""

    text: str
    source: list[Link]


def quotes(site: Site, thing: URIRef, root: str) -> list[Quote]:
    """The words each report gives for a thing."""
    found = []
    for value in sorted(site.union.objects(thing, DET.quote), key=str):
        graphs = site.graphs_with((thing, DET.quote, value))
        found.append(Quote(str(value), source_links(site, graphs, root)))
    return found


def description(site: Site, thing: URIRef) -> Graph:
    """The RDF document of a thing: its triples both ways, and its neighbours' names and types."""
    doc = Graph(bind_namespaces="none")
    for prefix, namespace in site.union.namespaces():
        doc.bind(prefix, namespace)
    union = site.union
    doc += union.triples((thing, None, None))
    doc += union.triples((None, None, thing))
    for node in set(doc.subjects()) | set(doc.objects()):
        if isinstance(node, URIRef) and node != thing and thing_of(node) is not None:
            for prop in (RDF.type, *LABELS):
                doc += union.triples((node, prop, None))
    return doc


def documents(site: Site, thing: URIRef, context: dict[str, str]) -> dict[str, str]:
    """A thing's document in every format, by file extension."""
    doc = description(site, thing)
    ld = json_ld(doc, context)
    return {
        "html": thing_page(site, thing, ld),
        "ttl": canonical_turtle(doc),
        "jsonld": ld,
        "nt": "".join(sorted(doc.serialize(format="nt").splitlines(keepends=True))),
    }


def thing_page(site: Site, thing: URIRef, ld: str) -> str:
    """The HTML page of a thing."""
    found = thing_of(thing)
    assert found is not None
    root = "../../"
    union = site.union
    history = status_history(site, thing)
    current = current_status(history)
    types = [link(site, t, root) for t in sorted(union.objects(thing, RDF.type), key=site.name)]
    names = sorted({str(v) for v in union.objects(thing, RDFS.label)} - {site.name(thing)})
    return site.render(
        "thing.html",
        root,
        title=site.name(thing),
        iri=str(thing),
        canonical=f"{site.base_url}{found.doc_path}",
        slug=found.slug,
        types=types,
        other_names=names,
        formats=[(ext, media) for ext, media in DOCUMENT_FORMATS.items()],
        when=when(union, thing),
        implied_by=_implied(site, thing, root),
        history=history,
        current=current,
        current_class=status_class(current[0].status) if current else None,
        background=only_background(site, thing),
        facts=fact_rows(site, thing, root),
        incoming=incoming_rows(site, thing, root),
        quotes=quotes(site, thing, root),
        sources=[link(site, s, root) for s in sorted(union.objects(thing, DET.source), key=str)],
        json_ld=script_safe(ld),
    )


def only_background(site: Site, thing: URIRef) -> bool:
    """Whether everything said of a thing comes from the background, none from a report."""
    said = [name for name, graph in site.sources.graphs.items() if (thing, None, None) in graph]
    return said == [BACKGROUND_GRAPH]


def script_safe(json_text: str) -> str:
    """JSON to embed in a <script> element: no '<' left to end it or open a comment."""
    return json_text.replace("<", "\\u003c")


def _implied(site: Site, thing: URIRef, root: str) -> Link | None:
    """The fact a thing's date is implied by, if any."""
    implied = site.union.value(thing, DET.dateImpliedBy)
    return link(site, implied, root) if implied is not None else None


def things(site: Site) -> list[URIRef]:
    """Every thing with an IRI id/<type>/<slug> that the data or the meta graph mentions."""
    found: set[URIRef] = set()
    for s, _, o in site.union:
        for node in (s, o):
            if isinstance(node, URIRef) and thing_of(node) is not None:
                found.add(node)
    return sorted(found)


def write_documents(
    site: Site,
    root: Path,
    context: dict[str, str],
    step: Callable[[str], None] = lambda _: None,
) -> list[Thing]:
    """Write every thing's documents under root/doc; the things written."""
    written = []
    for iri in things(site):
        thing = thing_of(iri)
        assert thing is not None
        folder = root / "doc" / thing.kind
        folder.mkdir(parents=True, exist_ok=True)
        for extension, text in documents(site, iri, context).items():
            (folder / f"{thing.slug}.{extension}").write_text(text, encoding="utf-8")
        written.append(thing)
        step(thing.doc_path)
    return written
