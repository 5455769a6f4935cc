"""Load the project's graphs into a SPARQL 1.1 store and ask it questions, over HTTP.

`push` writes over the Graph Store Protocol: one named graph per data file, the ontology,
meta and inferred graphs, and their union as the store's default graph (or as a named graph,
for stores whose protocol has no default graph); or, given one graph IRI, the union alone into
that graph. A manifest graph lists what a push wrote, so that the next push removes what it no
longer has and questions (`answer_remote`, over the SPARQL 1.1 Protocol) know which graphs to ask.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD
from rdflib.term import Node

from detente.engines import to_quad
from detente.kg import (
    ID,
    INFERRED_GRAPH,
    META_GRAPH,
    ONTOLOGY_GRAPH,
    PUSH_GRAPH,
    Project,
    Sources,
    meta_graph,
)
from detente.query import Question, Results, Row, with_bindings
from detente.read import InputError, read_text, refuse_remote_sparql_parsed

HAS_PART = "http://purl.org/dc/terms/hasPart"  # the manifest lists each graph it wrote
DESCRIPTION = "http://purl.org/dc/terms/description"
DERIVED = str(PROV.wasDerivedFrom)  # a union graph is derived from each graph it joins
COMPLETE = "complete"
INCOMPLETE = "incomplete: a push is under way or stopped part-way"
NTRIPLES = "application/n-triples"
SPARQL_JSON = "application/sparql-results+json"
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 60.0
MESSAGE_LENGTH = 300  # at most this much of a server's own message is shown

Target = URIRef | None  # a named graph, or None: the store's default graph


class StoreError(InputError):
    """A store that cannot be reached or refuses a request: its URL and what went wrong."""


@dataclass(frozen=True)
class Timeouts:
    """How long to wait for a connection and for each answer, in seconds."""

    connect: float = DEFAULT_CONNECT_TIMEOUT
    read: float = DEFAULT_READ_TIMEOUT

    def for_httpx(self) -> httpx.Timeout:
        """The same limits as httpx takes them (a body is sent within the read limit)."""
        return httpx.Timeout(self.read, connect=self.connect)


@dataclass
class Pushed:
    """What a push did: the graphs written, the one holding their union (None: the default
    graph), how many triples the union has, the graphs of an earlier push it removed."""

    store: str
    written: list[Target]
    union: Target
    triples: int
    removed: list[URIRef] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for people."""
        sources = [t for t in self.written if t != self.union]
        parts = f"{len(sources)} named graphs and their union in " if sources else "all in "
        removed = f"; removed {labels(self.removed)}" if self.removed else ""
        return (
            f"{self.store}: {self.triples} triples pushed, {parts}{graph_label(self.union)}, "
            f"in {self.seconds:.2f} s{removed}"
        )


# ----------------------------------------------------------------- URLs and requests


class Credentials(httpx.Auth):
    """A user name and password, sent as HTTP Basic or Digest, whichever the store asks for."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        """Credentials not yet sent: the store's first challenge chooses the scheme."""
        self.basic = httpx.BasicAuth(user, password)
        self.digest = httpx.DigestAuth(user, password)
        self.chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send the request; at a 401, answer its challenge (and keep to that scheme)."""
        if self.chosen is not None:
            yield from self.chosen.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        self.chosen = self.digest if challenge.startswith("digest") else self.basic
        yield from self.chosen.auth_flow(request)


@dataclass(frozen=True)
class Endpoint:
    """A store's URL without its user name and password, and those credentials if any."""

    url: str
    auth: Credentials | None = None

    @property
    def shown(self) -> str:
        """The URL for messages, without its query string."""
        return self.url.split("?", 1)[0]


def endpoint(url: str, option: str) -> Endpoint:
    """An absolute http(s) URL (its user:password@ taken out as credentials), or a StoreError."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.fragment
        _ = parts.port  # a port out of range is a ValueError
    except ValueError:
        valid = False
    if not valid:
        shown = re.sub(r"(//[^/@:]*:)[^/@]*@", r"\1***@", url)
        raise StoreError(option, f"wants an absolute http(s) URL, got {shown!r}")
    if parts.username is None:
        return Endpoint(url)
    netloc = parts.netloc.rsplit("@", 1)[1]
    auth = Credentials(unquote(parts.username), unquote(parts.password or ""))
    return Endpoint(urlunsplit(parts._replace(netloc=netloc)), auth)


def checked_iri(iri: str, option: str) -> URIRef:
    """An absolute IRI for a graph, or a StoreError naming the option."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", iri):
        raise StoreError(option, f"wants an absolute IRI, got {iri!r}")
    return URIRef(iri)


def graph_url(store: str, target: Target) -> str:
    """The Graph Store Protocol URL of a graph: STORE?graph=IRI, or STORE?default."""
    joiner = "&" if urlsplit(store).query else "?"
    if target is None:
        return f"{store}{joiner}default"
    return f"{store}{joiner}graph={quote(str(target), safe='')}"


def graph_label(target: Target) -> str:
    """A graph for people: detente's own by their id path (graph/x), others as <IRI>."""
    if target is None:
        return "the default graph"
    if str(target).startswith(ID):
        return str(target)[len(ID) :]
    return f"<{target}>"


def labels(targets: Iterable[Target]) -> str:
    """Graphs for people, comma-separated ('none' when there are none)."""
    return ", ".join(graph_label(t) for t in targets) or "none"


def media_type(response: httpx.Response) -> str:
    """The media type of an answer, without parameters, in lower case."""
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


def server_message(response: httpx.Response) -> str:
    """What a server says in its answer, on one line, shortened: the first line of a text,
    the text of an HTML page (its head and any repeated status line left out)."""
    text = response.text
    if "html" in media_type(response):
        body = re.sub(r"<head\b.*?</head>|<[^>]*>", "\n", text, flags=re.IGNORECASE | re.DOTALL)
        lines = [line for line in body.splitlines() if not line.strip().startswith("HTTP/")]
        text = " ".join(lines)
    line = " ".join(next((line for line in text.splitlines() if line.strip()), "").split())
    return line if len(line) <= MESSAGE_LENGTH else line[: MESSAGE_LENGTH - 1] + "…"


def _reason(err: Exception) -> str:
    """An exception's message on one line (its class name if it has none)."""
    return " ".join(str(err).split()) or type(err).__name__


def client(timeouts: Timeouts | None, auth: Credentials | None = None) -> httpx.Client:
    """An HTTP client with the timeouts and credentials, following no redirect."""
    limits = (timeouts or Timeouts()).for_httpx()
    return httpx.Client(timeout=limits, auth=auth, follow_redirects=False)


def request(
    http: httpx.Client,
    method: str,
    url: str,
    what: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    missing_ok: bool = False,
) -> httpx.Response:
    """Send one request; any failure or non-2xx answer (but 404 if missing_ok) a StoreError."""
    where = url.split("?", 1)[0]
    try:
        response = http.request(method, url, content=body, headers=headers)
    except httpx.TimeoutException as err:
        raise StoreError(where, f"{what}: no answer in time ({_reason(err)})") from None
    except httpx.ConnectError as err:
        raise StoreError(where, f"{what}: cannot connect ({_reason(err)})") from None
    except (httpx.HTTPError, httpx.InvalidURL) as err:
        raise StoreError(where, f"{what}: {type(err).__name__} ({_reason(err)})") from None
    if response.is_success or (missing_ok and response.status_code == 404):
        return response
    message = server_message(response)
    raise StoreError(
        where,
        f"{what}: HTTP {response.status_code} {response.reason_phrase}"
        + (f": {message}" if message else ""),
    )


# ----------------------------------------------------------------- what a push writes


def push_store(sources: Sources, closed: Graph) -> ox.Store:
    """The project's dataset (as `Sources.dataset(closed)` makes it) in a pyoxigraph store:
    the named graphs, and their union as the default graph. Built without rdflib's Dataset,
    which would double the memory a large graph takes."""
    store = ox.Store()
    union = ox.DefaultGraph()
    named = {ONTOLOGY_GRAPH: sources.ontology, **sources.graphs}
    named[META_GRAPH] = meta_graph(sources.graphs)
    for name, graph in named.items():
        store.bulk_extend(to_quad(triple, ox.NamedNode(str(name))) for triple in graph)
        store.bulk_extend(to_quad(triple, union) for triple in graph)
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    fresh = [quad for quad in (to_quad(t, union) for t in closed) if quad not in store]
    store.bulk_extend(fresh)
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, inferred) for q in fresh)
    return store


def named_graphs(store: ox.Store) -> list[URIRef]:
    """The named graphs of a store, by IRI."""
    return sorted(URIRef(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def ntriples(store: ox.Store, target: Target) -> bytes:
    """One graph of a store as N-Triples (None: the default graph)."""
    graph = ox.DefaultGraph() if target is None else ox.NamedNode(str(target))
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""


def triple_count(store: ox.Store, target: Target) -> int:
    """How many triples one graph of a store holds."""
    graph = ox.DefaultGraph() if target is None else ox.NamedNode(str(target))
    return sum(1 for _ in store.quads_for_pattern(None, None, None, graph))


@dataclass(frozen=True)
class Manifest:
    """What a push wrote: its named graphs, the one holding their union (None: the default
    graph), and whether it ended."""

    parts: tuple[URIRef, ...] = ()
    union: URIRef | None = None
    complete: bool = True

    @property
    def sources(self) -> list[URIRef]:
        """The graphs of the dataset itself: every part but the union."""
        return [part for part in self.parts if part != self.union]

    def ntriples(self, when: datetime) -> bytes:
        """The manifest graph as N-Triples, dated."""
        subject = f"<{PUSH_GRAPH}>"
        lines = [f"{subject} <{HAS_PART}> <{part}> ." for part in sorted(set(self.parts))]
        if self.union is not None:
            lines += [f"<{self.union}> <{DERIVED}> <{part}> ." for part in self.sources]
        stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f'{subject} <{PROV.generatedAtTime}> "{stamp}"^^<{XSD.dateTime}> .')
        lines.append(f'{subject} <{DESCRIPTION}> "{COMPLETE if self.complete else INCOMPLETE}" .')
        return ("\n".join(lines) + "\n").encode("utf-8")


def manifest_from(triples: Iterable[tuple[str, str, str]]) -> Manifest:
    """A manifest from its triples (subject, predicate, object values)."""
    parts, derived, complete = set(), set(), True
    for subject, predicate, value in triples:
        if subject == str(PUSH_GRAPH) and predicate == HAS_PART:
            parts.add(URIRef(value))
        elif predicate == DERIVED:
            derived.add(URIRef(subject))
        elif subject == str(PUSH_GRAPH) and predicate == DESCRIPTION:
            complete = value == COMPLETE
    union = next((part for part in sorted(parts) if part in derived), None)
    return Manifest(tuple(sorted(parts)), union, complete)


def read_manifest(body: bytes, media: str) -> Manifest:
    """The manifest in a Graph Store Protocol answer (N-Triples, Turtle...)."""
    rdf_format = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
    try:
        triples = list(ox.parse(body, format=rdf_format))
    except (SyntaxError, ValueError) as err:
        raise ValueError(f"{graph_label(PUSH_GRAPH)} is unreadable: {_reason(err)}") from None
    return manifest_from((t.subject.value, t.predicate.value, t.object.value) for t in triples)


def earlier_push(http: httpx.Client, store: str) -> Manifest:
    """What the store's manifest says an earlier push wrote (nothing without one)."""
    response = request(
        http,
        "GET",
        graph_url(store, PUSH_GRAPH),
        f"GET {graph_label(PUSH_GRAPH)} (the manifest of an earlier push)",
        headers={"Accept": f"{NTRIPLES}, text/turtle;q=0.9, */*;q=0.1"},
        missing_ok=True,
    )
    if response.status_code == 404 or not response.content.strip():
        return Manifest()
    try:
        return read_manifest(response.content, media_type(response) or NTRIPLES)
    except ValueError as err:
        raise StoreError(store.split("?", 1)[0], f"an earlier push's manifest: {err}") from None


def put(http: httpx.Client, store: str, target: Target, body: bytes) -> None:
    """Replace one graph of the store with N-Triples (PUT)."""
    request(
        http,
        "PUT",
        graph_url(store, target),
        f"PUT {graph_label(target)}",
        body=body,
        headers={"Content-Type": f"{NTRIPLES}; charset=utf-8"},
    )


def delete(http: httpx.Client, store: str, target: URIRef) -> None:
    """Remove one graph from the store (gone already is fine)."""
    request(
        http, "DELETE", graph_url(store, target), f"DELETE {graph_label(target)}", missing_ok=True
    )


# ----------------------------------------------------------------- push


@dataclass
class Progress:
    """How far a push got: what it wrote and removed, against what was there before."""

    earlier: Manifest
    planned: list[Target]
    stale: list[URIRef]
    written: list[Target] = field(default_factory=list)
    removed: list[URIRef] = field(default_factory=list)
    started: bool = False  # the store was changed (the manifest of the push was written)
    writing_default: bool = False  # the request under way writes the store's default graph

    def had_copy(self, target: Target) -> bool:
        """Whether the earlier push wrote this graph."""
        if target is None:
            return bool(self.earlier.parts) and self.earlier.union is None
        return target in self.earlier.parts

    def left(self) -> str:
        """Exactly what the store holds now, graph by graph, for the error message."""
        if not self.started:
            return "nothing in the store was changed"
        rest = [t for t in self.planned if t not in self.written]
        kept = [t for t in rest if self.had_copy(t)]
        absent = [t for t in rest if not self.had_copy(t)]
        parts = [f"new copy in: {labels(self.written)}"]
        if kept:
            parts.append(f"earlier copy still in: {labels(kept)}")
        if absent:
            parts.append(f"not written: {labels(absent)}")
        if self.removed:
            parts.append(f"removed: {labels(self.removed)}")
        stale = [t for t in self.stale if t not in self.removed]
        if stale:
            parts.append(f"left from the earlier push: {labels(stale)}")
        parts.append(f"{graph_label(PUSH_GRAPH)} lists them all as incomplete; push again")
        return "push stopped; " + "; ".join(parts)


def reach(store: str, timeouts: Timeouts | None = None) -> Manifest:
    """Check that a store answers (before the graph is loaded, which takes a while): what
    its manifest says an earlier push wrote."""
    target = endpoint(store, "--store")
    with client(timeouts, target.auth) as http:
        return earlier_push(http, target.url)


def push(
    data: ox.Store,
    store: str,
    into: URIRef | None = None,
    union: URIRef | None = None,
    timeouts: Timeouts | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> Pushed:
    """Load a dataset (`push_store`: ontology, data and closure) into a store over the Graph
    Store Protocol.

    Without `into`: each named graph (one per data file, ontology, meta, inferred) and their
    union as the default graph (or as the named graph `union`), replacing what an earlier
    push put there; graphs an earlier push wrote that this one has not are deleted. With
    `into`: the union alone, replacing that graph; nothing else is touched.
    """
    target = endpoint(store, "--store")
    if into is not None and union is not None:
        raise StoreError("--graph", "puts everything into one graph: it takes no --union-graph")
    started = time.perf_counter()
    with client(timeouts, target.auth) as http:
        if into is not None:
            say(f"PUT {graph_label(into)}")
            put(http, target.url, into, ntriples(data, None))
            written: list[Target] = [into]
            removed: list[URIRef] = []
        else:
            written, removed = push_dataset(http, target.url, data, union, say)
    seconds = time.perf_counter() - started
    whole = into if into is not None else union
    return Pushed(target.shown, written, whole, triple_count(data, None), removed, seconds)


def push_dataset(
    http: httpx.Client,
    store: str,
    data: ox.Store,
    union: URIRef | None,
    say: Callable[[str], None],
) -> tuple[list[Target], list[URIRef]]:
    """Write every graph of `data` (the union last), delete the stale ones, and record the
    push in the manifest, which says 'incomplete' until the end; written and removed."""
    names = named_graphs(data)
    for reserved in (PUSH_GRAPH, union):
        if reserved in names:
            raise StoreError(graph_label(reserved), "is both a data file's graph and reserved")
    if union == PUSH_GRAPH:
        raise StoreError("--union-graph", f"{graph_label(union)} is the manifest's graph")
    parts = [*names, union] if union is not None else names
    earlier = earlier_push(http, store)
    progress = Progress(earlier, [*names, union], [g for g in earlier.parts if g not in parts])
    # Until the end the manifest lists every graph either push wrote, and the union where
    # the earlier push left it, which still holds a whole copy.
    begun_union = earlier.union if earlier.parts else union
    begun = Manifest(tuple(sorted({*earlier.parts, *parts})), begun_union, complete=False)
    try:
        put(http, store, PUSH_GRAPH, begun.ntriples(datetime.now(UTC)))
        progress.started = True
        for target in progress.planned:
            say(f"PUT {graph_label(target)}")
            progress.writing_default = target is None
            put(http, store, target, ntriples(data, None if target == union else target))
            progress.written.append(target)
        progress.writing_default = False
        for name in progress.stale:
            say(f"DELETE {graph_label(name)}")
            delete(http, store, name)
            progress.removed.append(name)
        put(http, store, PUSH_GRAPH, Manifest(tuple(parts), union).ntriples(datetime.now(UTC)))
    except StoreError as err:
        hint = ""
        if progress.writing_default:
            hint = " (a store without a default graph of its own takes --union-graph IRI)"
        raise StoreError(err.path, f"{err.message}{hint}; {progress.left()}") from None
    return progress.written, progress.removed


# ----------------------------------------------------------------- questions


def term(binding: dict[str, str]) -> Node:
    """The rdflib term of a SPARQL JSON results binding (Virtuoso's typed-literal too)."""
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        language, datatype = binding.get("xml:lang"), binding.get("datatype")
        if language:
            return Literal(value, lang=language)
        if datatype and datatype != str(XSD.string):
            return Literal(value, datatype=URIRef(datatype), normalize=False)
        return Literal(value)
    raise ValueError(f"unsupported term type {kind!r}")


def results_from_json(body: bytes, where: str, what: str) -> Results:
    """SELECT results from a W3C SPARQL 1.1 Query Results JSON document."""
    try:
        document = json.loads(body)
        if "boolean" in document:
            raise StoreError(where, f"{what}: only SELECT questions are supported")
        variables = [str(v) for v in document["head"]["vars"]]
        rows: list[Row] = [
            tuple(term(b[v]) if v in b else None for v in variables)
            for b in document["results"]["bindings"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise StoreError(where, f"{what}: not SPARQL JSON results ({_reason(err)})") from None
    return Results(variables, rows)


def select(
    http: httpx.Client, url: str, text: str, what: str, dataset: list[tuple[str, str]]
) -> Results:
    """Run a SELECT query through the SPARQL 1.1 Protocol (URL-encoded POST, the form every
    store takes), on the graphs `dataset` names (default-graph-uri, named-graph-uri)."""
    form = urlencode([("query", text), *dataset]).encode("ascii")
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": SPARQL_JSON}
    response = request(http, "POST", url, what, body=form, headers=headers)
    if media_type(response) not in (SPARQL_JSON, "application/json"):
        raise StoreError(
            url.split("?", 1)[0],
            f"{what}: the answer is {media_type(response) or 'untyped'}, not SPARQL JSON "
            "results (only SELECT questions are supported; is this a SPARQL query endpoint?)",
        )
    return results_from_json(response.content, url.split("?", 1)[0], what)


MANIFEST_QUERY = f"""SELECT ?s ?p ?o WHERE {{ GRAPH <{PUSH_GRAPH}> {{ ?s ?p ?o }} }}"""


def pushed_dataset(http: httpx.Client, url: str) -> tuple[list[tuple[str, str]], Manifest]:
    """The protocol parameters naming the graphs a push wrote, from its manifest: none when
    the union is the store's default graph (or the URL names the graphs itself)."""
    if any(name in DATASET_PARAMETERS for name, _ in parse_qsl(urlsplit(url).query)):
        return [], Manifest()
    found = select(http, url, MANIFEST_QUERY, f"reading {graph_label(PUSH_GRAPH)}", [])
    pushed = manifest_from(
        (str(s), str(p), str(o)) for s, p, o in found.rows if s is not None and p is not None
    )
    if pushed.union is None:
        return [], pushed
    named = [("named-graph-uri", str(name)) for name in pushed.sources]
    return [("default-graph-uri", str(pushed.union)), *named], pushed


def ask(
    http: httpx.Client,
    url: str,
    question: Question,
    bindings: dict[str, Node] | None = None,
    dataset: list[tuple[str, str]] | None = None,
) -> Results:
    """Run a SELECT question on a SPARQL endpoint (SERVICE and FROM refused first)."""
    refuse_remote_sparql_parsed(question.text, str(question.path))
    text = with_bindings(question, bindings or {})
    return select(http, url, text, f"question {question.name}", dataset or [])


def answer_remote(
    url: str,
    chosen: list[Question],
    project: Project,
    bindings: dict[str, Node] | None = None,
    timeouts: Timeouts | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> list[tuple[Question, Results, Graph]]:
    """Answer questions on a SPARQL endpoint, as `query.answer_all` does on the embedded one,
    on the graphs the store's push manifest names; each answer comes with a graph whose
    prefixes (the project's) name its terms."""
    target = endpoint(url, "--endpoint")
    names = prefixes(project)
    with client(timeouts, target.auth) as http:
        dataset, pushed = pushed_dataset(http, target.url)
        if not pushed.complete:
            say(f"warning: {graph_label(PUSH_GRAPH)} says the last push did not finish")
        return [(q, ask(http, target.url, q, bindings, dataset), names) for q in chosen]


_PREFIX = re.compile(
    r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.MULTILINE | re.IGNORECASE
)


def declared_prefixes(path: Path) -> list[tuple[str, str]]:
    """The prefixes a Turtle file declares, in order (without parsing its triples)."""
    return [(m.group(1) or "", m.group(2)) for m in _PREFIX.finditer(read_text(path))]


def prefixes(project: Project) -> Graph:
    """A graph binding the prefixes of the ontology and data files, as the embedded
    dataset does, to print terms the same way."""
    names = Dataset(default_union=True)
    for path in [*project.ontology_files, *project.data_files]:
        for prefix, namespace in declared_prefixes(path):
            names.bind(prefix, namespace, override=False)
    names.bind("prov", PROV, override=False)
    return names
