"""`detente serve`: the publication with its 303s and content negotiation, and the SPARQL
endpoint: every result format, the refusals, the limits, and the same answers as
`detente query`."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import signal
import socket
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import require_tool, served_in_thread
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, VOID
from rdflib.term import Node
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from detente.engines import oxigraph_store, to_oxigraph
from detente.kg import ID, ONTOLOGY_IRI, Project, Sources
from detente.publish.layout import DOCUMENT_FORMATS, ONTOLOGY_FORMATS
from detente.query import Question, answer_all, questions
from detente.serve import (
    Job,
    Limits,
    QueryPool,
    Refused,
    Reply,
    create_app,
    guard_query,
    negotiate,
    query_page,
)

with warnings.catch_warnings():  # starlette asks for httpx2 instead of httpx, not installed
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

# rdflib's JSON-LD parser builds a ConjunctiveGraph, which rdflib itself deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "src" / "detente" / "publish" / "static"
LI = URIRef(ID + "person/li-shangfu")
REPORT_GRAPH = ID + "graph/dw-2023-05-30"
BACKGROUND_GRAPH = ID + "graph/background"
PREFIXES = (
    "PREFIX det: <https://w3id.org/detente/ontology#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX person: <https://w3id.org/detente/id/person/>\n"
)
# Four unconstrained patterns: the graph crossed with itself four times, counted (no memory).
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . }"
# The graph crossed with itself, sorted: tens of millions of rows held at once.
GREEDY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
LIMITS = Limits(timeout=1.0, max_results=100, max_query_chars=2_000, workers=2, memory_mb=256)


# ------------------------------------------------------------------ a publication to serve


@pytest.fixture(scope="module")
def dist(publication: Path) -> Path:
    """The publication served in these tests: what `detente build` writes."""
    return publication


@pytest.fixture(scope="module")
def store(sources: Sources, closed: Graph) -> ox.Store:
    """The project's dataset with its closure, as `detente serve` loads it."""
    return oxigraph_store(sources.dataset(closed))


@pytest.fixture(scope="module")
def project_questions(project: Project) -> list[Question]:
    """The example questions of scripts/questions/."""
    return questions(project.root / "scripts" / "questions")


@pytest.fixture(scope="module")
def client(dist: Path, store: ox.Store, project_questions: list[Question]) -> Iterator[TestClient]:
    """The application, in process, with tight limits: 1 s, 100 rows, 2,000 characters."""
    app = create_app(dist, store, limits=LIMITS, questions=project_questions)
    with TestClient(app) as test_client:
        yield test_client


def sparql(
    client: TestClient, query: str, accept: str | None = None, **params: str
) -> httpx.Response:
    """GET /sparql?query=... with an Accept header."""
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", params={"query": query, **params}, headers=headers)


# ------------------------------------------------------------------ IRIs and documents


def test_the_iri_of_a_thing_answers_303_to_its_document(client: TestClient) -> None:
    response = client.get("/id/person/li-shangfu", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/person/li-shangfu"
    assert response.headers["vary"] == "Accept"


def test_an_unknown_thing_is_not_found_rather_than_redirected(client: TestClient) -> None:
    assert client.get("/id/person/nobody", follow_redirects=False).status_code == 404
    assert client.get("/doc/person/nobody").status_code == 404


def _rdf(response: httpx.Response, rdf_format: str) -> Graph:
    """The graph a response holds."""
    return Graph().parse(data=response.content, format=rdf_format)


@pytest.mark.parametrize(
    ("accept", "ext"),
    [
        ("text/html", "html"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/n-triples", "nt"),
        ("*/*", "html"),
        (None, "html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("text/turtle;q=0.2, application/ld+json;q=0.9", "jsonld"),
        ("application/*;q=0.5, text/turtle;q=0.1", "jsonld"),
        ("text/html;q=0, */*", "ttl"),
        ("TEXT/Turtle", "ttl"),
    ],
)
def test_a_document_comes_in_the_format_the_client_prefers(
    client: TestClient, accept: str | None, ext: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/doc/person/li-shangfu", headers=headers)
    assert response.status_code == 200
    media = DOCUMENT_FORMATS[ext]
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    assert response.headers["content-type"] == media + charset
    assert response.headers["vary"] == "Accept"
    assert response.headers["content-location"] == f"/doc/person/li-shangfu.{ext}"
    for other, other_media in DOCUMENT_FORMATS.items():
        link = f'</doc/person/li-shangfu.{other}>; rel="alternate"; type="{other_media}"'
        assert link in response.headers["link"]
    if ext == "html":
        assert "Li Shangfu" in response.text
    else:
        parsed = _rdf(response, {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}[ext])
        assert (LI, RDFS.label, Literal("Li Shangfu")) in parsed


def test_a_client_accepting_no_format_of_a_document_gets_406_with_the_list(
    client: TestClient,
) -> None:
    response = client.get("/doc/person/li-shangfu", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["vary"] == "Accept"
    for media in DOCUMENT_FORMATS.values():
        assert media in response.text


def test_a_document_file_is_served_as_it_is(client: TestClient) -> None:
    response = client.get("/doc/person/li-shangfu.nt", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/n-triples"
    assert (LI, RDFS.label, Literal("Li Shangfu")) in _rdf(response, "nt")


@pytest.mark.parametrize(
    ("accept", "ext", "rdf_format"),
    [("application/rdf+xml", "rdf", "xml"), ("text/turtle", "ttl", "turtle"), (None, "html", "")],
)
def test_the_ontology_is_negotiated_over_its_five_formats(
    client: TestClient, accept: str | None, ext: str, rdf_format: str
) -> None:
    response = client.get("/ontology", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-location"] == f"/ontology.{ext}"
    assert response.headers["content-type"].startswith(ONTOLOGY_FORMATS[ext])
    assert response.headers["link"].count('rel="alternate"') == len(ONTOLOGY_FORMATS)
    if rdf_format:
        ontology = URIRef(ONTOLOGY_IRI)
        assert any(True for _ in _rdf(response, rdf_format).triples((ontology, None, None)))


def test_the_dataset_description_and_the_index_are_served(client: TestClient) -> None:
    void = client.get("/.well-known/void")
    assert void.status_code == 200
    assert void.headers["content-type"] == "text/turtle; charset=utf-8"
    assert (None, RDF.type, VOID.Dataset) in _rdf(void, "turtle")
    index = client.get("/")
    assert index.status_code == 200
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    script = client.get("/static/query.js")
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"


@pytest.mark.parametrize(
    "path",
    [
        "/nothing-here",
        "/conf/nginx.conf",
        "/.build-stamp",
        "/static/..%2F..%2Fconf/nginx.conf",
        "/static/%2e%2e/index.html",
        "/doc/person/li-shangfu.exe",
        "/static/%00",
    ],
)
def test_what_is_not_published_is_not_found(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Not found" in response.text


# ------------------------------------------------------------------ the endpoint's formats

LABEL_OF_LI = PREFIXES + "SELECT ?label WHERE { person:li-shangfu rdfs:label ?label }"
PEOPLE_AND_NAMES = (
    PREFIXES + "SELECT ?person ?label ?alt WHERE { ?person a det:Person ; rdfs:label ?label . "
    "OPTIONAL { ?person skos:altLabel ?alt } }"
)


def _rows(body: bytes, results_format: ox.QueryResultsFormat) -> set[tuple[str, ...]]:
    """The rows of a SPARQL results document, each term in N-Triples syntax ('' unbound)."""
    parsed = ox.parse_query_results(body, results_format)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return {tuple("" if row[n] is None else str(row[n]) for n in names) for row in parsed}


@pytest.mark.parametrize(
    ("accept", "media", "results_format"),
    [
        (None, "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            ox.QueryResultsFormat.XML,
        ),
        ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("application/json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ],
)
def test_select_answers_come_in_each_results_format(
    client: TestClient,
    store: ox.Store,
    accept: str | None,
    media: str,
    results_format: ox.QueryResultsFormat,
) -> None:
    response = sparql(client, PEOPLE_AND_NAMES, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    rows = _rows(response.content, results_format)
    solutions = store.query(PEOPLE_AND_NAMES)
    assert isinstance(solutions, ox.QuerySolutions)
    expected = _rows(solutions.serialize(format=results_format) or b"", results_format)
    assert rows == expected
    li = f"<{LI}>"
    assert (li, '"Li Shangfu"', "") in rows  # unbound where the report gives no other name
    assert (f"<{ID}person/lloyd-austin>", '"Lloyd Austin"', '"Austin"') in rows


def test_csv_answers_hold_plain_values(client: TestClient) -> None:
    response = sparql(client, PEOPLE_AND_NAMES, "text/csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["person", "label", "alt"]
    assert [f"{ID}person/gina-raimondo", "Gina Raimondo", "Raimondo"] in rows
    assert [str(LI), "Li Shangfu", ""] in rows


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+json", b'"boolean":true'),
        ("application/sparql-results+xml", b"<boolean>true</boolean>"),
        ("text/csv", b"true"),
        ("text/tab-separated-values", b"true"),
    ],
)
def test_ask_answers_come_in_each_results_format(
    client: TestClient, accept: str, expected: bytes
) -> None:
    query = PREFIXES + 'ASK { person:li-shangfu rdfs:label "Li Shangfu" }'
    response = sparql(client, query, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert expected in response.content.replace(b" ", b"")
    other = sparql(client, query.replace('"Li Shangfu"', '"Lloyd Austin"'), accept)
    assert expected.replace(b"true", b"false") in other.content.replace(b" ", b"")


STATES = PREFIXES + "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a det:State ; rdfs:label ?l }"


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_answers_come_in_each_graph_format(
    client: TestClient, accept: str | None, rdf_format: str
) -> None:
    response = sparql(client, STATES, accept)
    assert response.status_code == 200
    graph = _rdf(response, rdf_format)
    assert (URIRef(ID + "state/austria"), RDFS.label, Literal("Austria")) in graph
    assert (URIRef(ID + "state/singapore"), RDFS.label, Literal("Singapore")) in graph
    assert set(graph.predicates()) == {RDFS.label}


def test_describe_answers_with_the_thing_s_triples(client: TestClient) -> None:
    response = sparql(client, PREFIXES + "DESCRIBE person:li-shangfu", "text/turtle")
    assert (LI, RDFS.label, Literal("Li Shangfu")) in _rdf(response, "turtle")


@pytest.mark.parametrize(
    ("fmt", "media"),
    [
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("xml", "application/sparql-results+xml"),
        ("json", "application/sparql-results+json"),
    ],
)
def test_the_format_parameter_overrides_accept(client: TestClient, fmt: str, media: str) -> None:
    response = sparql(client, LABEL_OF_LI, "text/html", format=fmt)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Li Shangfu" in response.text


def test_unknown_or_unacceptable_formats_are_refused(client: TestClient) -> None:
    unknown = sparql(client, LABEL_OF_LI, format="html")
    assert unknown.status_code == 400
    assert "unknown format 'html'" in unknown.text
    assert sparql(client, LABEL_OF_LI, "image/png").status_code == 406
    tabular_graph = sparql(client, STATES, format="csv")
    assert tabular_graph.status_code == 406
    assert "text/turtle" in tabular_graph.text


def test_post_takes_a_form_or_a_bare_query(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": LABEL_OF_LI})
    bare = client.post(
        "/sparql", content=LABEL_OF_LI, headers={"Content-Type": "application/sparql-query"}
    )
    for response in (form, bare):
        assert response.status_code == 200
        assert response.json()["results"]["bindings"] == [
            {"label": {"type": "literal", "value": "Li Shangfu"}}
        ]
        assert response.headers["access-control-allow-origin"] == "*"


def test_cors_preflight_is_answered(client: TestClient) -> None:
    response = client.options("/sparql")
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]


NAMES_OF_BLINKEN = (
    PREFIXES + "SELECT ?name DATASET { person:anthony-blinken rdfs:label|skos:prefLabel ?name }"
)


@pytest.mark.parametrize(
    ("dataset", "params", "names"),
    [
        ("", {}, {"Anthony Blinken", "Antony Blinken"}),  # the report's spelling, the canonical
        (f"FROM <{REPORT_GRAPH}>", {}, {"Anthony Blinken"}),
        (f"FROM <{BACKGROUND_GRAPH}>", {}, {"Antony Blinken"}),
        ("", {"default-graph-uri": BACKGROUND_GRAPH}, {"Antony Blinken"}),
    ],
)
def test_from_and_default_graph_uri_pick_graphs_of_the_dataset(
    client: TestClient, dataset: str, params: dict[str, str], names: set[str]
) -> None:
    response = sparql(client, NAMES_OF_BLINKEN.replace("DATASET", dataset), **params)
    assert response.status_code == 200
    found = {row["name"]["value"] for row in response.json()["results"]["bindings"]}
    assert found == names


# ------------------------------------------------------------------ what is refused

REMOTE = "http://example.org/remote"
ANYTHING = "SELECT * WHERE { ?s ?p ?o }"
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"update": "CLEAR ALL"}, 403, "read-only"),
        ({"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, 403, "read-only"),
        ({"query": PREFIXES + "DELETE WHERE { ?s ?p ?o }"}, 403, "read-only"),
        ({"query": f"SELECT * WHERE {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }}"}, 403, "SERVICE"),
        ({"query": f"SELECT * {{ \\u0053ERVICE <{REMOTE}> {{ ?s ?p ?o }} }}"}, 403, "SERVICE"),
        ({"query": f"SELECT * FROM <{REMOTE}> WHERE {{ ?s ?p ?o }}"}, 403, f"FROM <{REMOTE}>"),
        ({"query": f"SELECT * FROM NAMED <{REMOTE}> {{ ?s ?p ?o }}"}, 403, f"NAMED <{REMOTE}>"),
        (
            {"query": "PREFIX ex: <http://example.org/>\nSELECT * FROM ex:remote { ?s ?p ?o }"},
            403,
            f"FROM <{REMOTE}> is refused",
        ),
        ({"query": ANYTHING, "named-graph-uri": REMOTE}, 403, "named-graph-uri"),
        ({"query": ANYTHING, "default-graph-uri": REMOTE}, 403, "default-graph-uri"),
        ({"query": ANYTHING + " " * 2_000}, 413, "2,000"),
        ({"query": "SELECT ?x\nWHERE {\n  ?x ?y\n}"}, 400, "syntax error at line 4, column"),
        ({"query": "SELECT ?x WHERE { ?x ?y ?z } LIMT 1"}, 400, "syntax error at line 1, column"),
    ],
)
def test_what_the_endpoint_refuses_it_refuses_with_a_reason(
    client: TestClient, params: dict[str, str], status: int, says: str
) -> None:
    response = client.get("/sparql", params=params)
    assert response.status_code == status, response.text
    assert says in response.text
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "says"),
    [
        ("INSERT DATA { <a:b> <a:c> <a:d> }", "application/sparql-update", 403, "read-only"),
        ("update=CLEAR+ALL", FORM, 403, "read-only"),
        ("query=" + "%20" * 30_000, FORM, 413, "bytes"),
        (b"query=\xff", FORM, 400, "UTF-8"),
        ("", FORM, 400, "no query"),
        (ANYTHING, "text/plain", 415, "application/sparql-query"),
    ],
)
def test_what_is_posted_is_refused_with_a_reason(
    client: TestClient, body: str | bytes, content_type: str, status: int, says: str
) -> None:
    response = client.post("/sparql", content=body, headers={"Content-Type": content_type})
    assert response.status_code == status, response.text
    assert says in response.text


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ("SERVICE <http://x/> FROM <http://y/>" AS ?words) WHERE {}',
        "# FROM <http://example.org/remote>, SERVICE\nASK {}",
        "PREFIX from: <http://example.org/from#>\nSELECT ?x WHERE { ?x from:service ?y }",
        "SELECT ?from WHERE { ?from ?service ?x } LIMIT 1",
    ],
)
def test_the_words_from_and_service_in_strings_comments_or_names_are_not_refused(
    client: TestClient, query: str
) -> None:
    guard_query(query, frozenset())
    assert sparql(client, query).status_code == 200


SERVICE_CALL = "SERVICE <http://example.org/sparql> { ?x ?y ?z }"


@pytest.mark.parametrize(
    "query",
    [
        # An escaped # in a local name starts no comment.
        f"PREFIX ex: <http://e/>\nSELECT * WHERE {{ ?s ?p ex:a\\# . {SERVICE_CALL} }}",
        # An escaped quote in a local name starts no string.
        f"PREFIX ex: <http://e/>\nSELECT * {{ ?s ?p ex:a\\' . {SERVICE_CALL} . ?s ?p 'b' }}",
        # A comment ends at a carriage return.
        f"SELECT * WHERE {{ ?s ?p ?o # note\r {SERVICE_CALL} }}",
        # An escaped quote does not end a long string.
        f'SELECT * WHERE {{ BIND("""a\\"""" AS ?v) . {SERVICE_CALL} . BIND("b" AS ?w) }}',
    ],
)
def test_service_is_found_where_the_grammar_puts_it(query: str) -> None:
    with pytest.raises(Refused, match="SERVICE is refused"):
        guard_query(query, frozenset())


def test_a_worker_cannot_reach_out_even_if_a_service_call_got_past_the_checks(
    store: ox.Store,
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        query = f"SELECT * WHERE {{ ?s ?p ?o . SERVICE <http://127.0.0.1:{port}/> {{ ?x ?y ?z }} }}"
        job = Job(query, "application/sparql-results+json", None, 10, LIMITS.timeout)
        pool = QueryPool(store, {}, LIMITS)

        async def ask() -> Reply:
            pool.start()
            try:
                return await pool.answer(job)
            finally:
                pool.stop()

        reply = asyncio.run(ask())
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):  # nobody knocked
            listener.accept()
    assert reply.status == 500
    assert b"Too many open files" in reply.body


def test_an_unknown_prefix_in_from_is_refused_like_any_from() -> None:
    with pytest.raises(Refused, match="FROM is refused"):
        guard_query("SELECT * FROM ex:remote WHERE { ?s ?p ?o }", frozenset())


# ------------------------------------------------------------------ limits


def test_a_query_past_the_time_limit_gets_503_and_the_next_query_is_answered(
    client: TestClient,
) -> None:
    pool = client.app.state.pool  # type: ignore[attr-defined]
    before = set(pool.workers)
    stopped = sparql(client, ENDLESS)
    assert stopped.status_code == 503
    assert "no answer within 1 s" in stopped.text
    assert stopped.headers["retry-after"] == "1"
    after = set(pool.workers)
    assert len(after) == LIMITS.workers and after != before  # the overrunning worker replaced
    answered = sparql(client, LABEL_OF_LI)
    assert answered.status_code == 200
    assert "Li Shangfu" in answered.text


def test_a_query_past_the_memory_limit_gets_503_and_the_next_query_is_answered(
    dist: Path, store: ox.Store
) -> None:
    # A time limit far above what the greedy sort takes to reach 256 MB: only memory stops it.
    limits = Limits(timeout=30.0, max_results=100, max_query_chars=2_000, workers=1, memory_mb=256)
    with TestClient(create_app(dist, store, limits=limits)) as client:
        stopped = sparql(client, GREEDY)
        assert stopped.status_code == 503
        assert "memory" in stopped.text
        assert sparql(client, LABEL_OF_LI).status_code == 200


def test_an_answer_past_the_result_limit_is_cut_and_says_so(client: TestClient) -> None:
    rows = sparql(client, "SELECT * WHERE { ?s ?p ?o }")
    assert rows.status_code == 200
    assert rows.headers["x-detente-truncated"] == str(LIMITS.max_results)
    assert len(rows.json()["results"]["bindings"]) == LIMITS.max_results
    triples = sparql(client, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert triples.headers["x-detente-truncated"] == str(LIMITS.max_results)
    assert len(triples.text.splitlines()) == LIMITS.max_results
    whole = sparql(client, LABEL_OF_LI)
    assert "x-detente-truncated" not in whole.headers


# ------------------------------------------------------------------ the query page


class _Page(HTMLParser):
    """The scripts, stylesheets, question buttons and question texts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.buttons: list[str] = []
        self.texts: dict[str, str] = {}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.sources.append(str(found["src"]))
        if tag == "link" and found.get("rel") == "stylesheet":
            self.sources.append(str(found["href"]))
        if tag == "button" and found.get("data-question"):
            self.buttons.append(str(found["data-question"]))
        if tag == "pre" and str(found.get("id", "")).startswith("question-"):
            self._in = str(found["id"])[len("question-") :]
            self.texts[self._in] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self.texts[self._in] += data


def test_the_query_page_offers_every_question_and_loads_nothing_from_elsewhere(
    client: TestClient, project_questions: list[Question]
) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = _Page()
    page.feed(response.text)
    assert "static/query.js" in page.sources
    assert not [s for s in page.sources if "//" in s], "the page must work offline (no CDN)"
    for source in page.sources:
        assert client.get("/" + source).status_code == 200
    assert page.buttons == [q.name for q in project_questions]
    assert page.texts == {q.name: q.text for q in project_questions}
    assert 'action="sparql"' in response.text


def test_without_a_built_query_page_one_is_rendered_from_the_template(
    project_questions: list[Question],
) -> None:
    page = _Page()
    page.feed(query_page(project_questions, report_count=1).decode("utf-8"))
    assert page.buttons == [q.name for q in project_questions]
    assert page.texts == {q.name: q.text for q in project_questions}
    assert page.sources == ["static/style.css", "static/query.js"]


def test_the_query_script_writes_no_markup_from_data_and_posts_to_the_relative_endpoint() -> None:
    script = (STATIC / "query.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "outerHTML" not in script
    assert "insertAdjacentHTML" not in script and "document.write" not in script
    assert 'const ENDPOINT = "sparql";' in script
    assert "No SPARQL endpoint" in (ROOT / "src/detente/publish/templates/sparql.html").read_text(
        encoding="utf-8"
    )


# ------------------------------------------------------------------ content negotiation itself


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        (None, "a/x"),
        ("", "a/x"),
        ("b/y", "b/y"),
        ("b/y;q=0.5, a/x;q=0.4", "b/y"),
        ("*/*;q=0.1, a/x;q=0", "b/y"),  # the exact range's q=0 beats the wildcard
        ("a/*;q=0.3, b/*;q=0.3", "a/x"),  # a tie goes to the earlier offer
        ("c/z", None),
        ("a/x;q=0", None),
        ("a/x;q=2, b/y;q=abc", None),  # malformed q-values are left out
        ("*", "a/x"),
    ],
)
def test_negotiation_follows_q_values_and_specificity(header: str | None, chosen: str) -> None:
    assert negotiate(header, ["a/x", "b/y"]) == chosen


# ------------------------------------------------------------------ the real server


@pytest.fixture(scope="module")
def running(project: Project, dist: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`serve` itself in a subprocess on a free loopback port: its URL and its process."""
    code = (
        "import sys; from pathlib import Path; from detente.kg import project_at; "
        "from detente.serve import serve; "
        "serve(project_at(Path(sys.argv[1])), Path(sys.argv[2]), port=0)"
    )
    process = subprocess.Popen(
        [sys.executable, "-u", "-c", code, str(project.root), str(dist)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(60, process.kill)  # never let a broken server hang the suite
    watchdog.start()
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+/) ", line)
        assert found, (
            f"no URL in {line!r}; stderr: {process.stderr.read() if process.stderr else ''}"
        )
        yield found.group(1), process
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
        process.wait()


def _terms(value: dict[str, str]) -> str:
    """A SPARQL JSON binding in N-Triples syntax."""
    if value["type"] == "uri":
        return str(ox.NamedNode(value["value"]))
    if value["type"] == "bnode":
        return "_:" + value["value"]
    if "xml:lang" in value:
        return str(ox.Literal(value["value"], language=value["xml:lang"]))
    if "datatype" in value:
        return str(ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"])))
    return str(ox.Literal(value["value"]))


def _plain_rows(rows: list[tuple[Node | None, ...]]) -> set[tuple[str | None, ...]]:
    """Rows of rdflib terms in N-Triples syntax."""
    return {tuple(None if t is None else str(to_oxigraph(t)) for t in row) for row in rows}


def test_the_server_answers_every_question_as_detente_query_does_and_stops_on_ctrl_c(
    running: tuple[str, subprocess.Popen[str]],
    sources: Sources,
    project_questions: list[Question],
) -> None:
    url, process = running
    expected = {q.name: results for q, results, _ in answer_all(sources, project_questions)}
    for index, question in enumerate(project_questions):
        client = SPARQLWrapper(url + "sparql")
        client.setQuery(question.text)
        client.setReturnFormat(JSON)
        if index % 2:
            client.setMethod(POST)
        document = client.queryAndConvert()
        assert isinstance(document, dict)
        variables = document["head"]["vars"]
        assert variables == expected[question.name].variables, question.name
        rows = {
            tuple(_terms(b[v]) if v in b else None for v in variables)
            for b in document["results"]["bindings"]
        }
        assert rows == _plain_rows(expected[question.name].rows), question.name
    page = SPARQLWrapper(url + "sparql")  # the live server refuses what the app refuses
    page.setQuery(f"SELECT * WHERE {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }}")
    with pytest.raises(Exception, match="403"):
        page.queryAndConvert()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err


# ------------------------------------------------------------------ the query page in a browser


@pytest.fixture(scope="module")
def in_thread(dist: Path, store: ox.Store) -> Iterator[str]:
    """The application behind uvicorn in a thread, on a free loopback port: its URL."""
    with served_in_thread(create_app(dist, store)) as url:
        yield url


def test_the_query_page_runs_questions_shows_errors_and_says_when_no_endpoint_answers(
    in_thread: str, dist: Path, sources: Sources, project_questions: list[Question]
) -> None:
    chromium = require_tool("chromium")
    playwright = pytest.importorskip("playwright.sync_api")
    held = next(q for q in project_questions if q.name == "held-meetings")
    ((_, expected, _),) = answer_all(sources, [held])
    participants = {str(row[expected.variables.index("participant")]) for row in expected.rows}
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(in_thread + "sparql.html")
            page.wait_for_selector("body[data-endpoint=yes]")
            assert page.is_hidden("#no-endpoint")
            # One click on a question: its query in the editor, its answer in the table.
            page.click("button[data-question=held-meetings]")
            page.wait_for_selector("#results table")
            assert page.input_value("#query") == held.text
            assert page.locator("#results tbody tr").count() == len(expected.rows)
            column = expected.variables.index("participant") + 1
            shown = page.locator(f"#results tbody td:nth-child({column})").all_text_contents()
            assert set(shown) == participants
            (dist / "screenshots").mkdir(exist_ok=True)
            page.screenshot(path=str(dist / "screenshots" / "sparql.png"))
            # A malformed query: the error with its place, and the caret put there.
            page.fill("#query", "SELECT ?x\nWHERE {\n  ?x ?y\n}")
            page.click("#run")
            page.wait_for_selector("#error:not([hidden])")
            error = page.text_content("#error") or ""
            found = re.search(r"line (\d+), column (\d+)", error)
            assert found and found.group(1) == "4", error
            caret = page.evaluate("document.getElementById('query').selectionStart")
            assert caret == len("SELECT ?x\nWHERE {\n  ?x ?y\n") + int(found.group(2)) - 1
            # Markup and script IRIs in the data stay text.
            page.fill(
                "#query",
                'SELECT ?x ?y WHERE { BIND("<img src=x onerror=alert(1)>" AS ?x) '
                "BIND(<javascript:alert(1)> AS ?y) }",
            )
            page.click("#run")
            page.wait_for_selector("#results table")
            cells = page.locator("#results tbody td").all_text_contents()
            assert cells == ["<img src=x onerror=alert(1)>", "<javascript:alert(1)>"]
            assert page.locator("#results img, #results a").count() == 0
            # The same page opened from disk says that no endpoint answers.
            page.goto((dist / "sparql.html").as_uri())
            page.wait_for_selector("body[data-endpoint=no]")
            assert "opened from disk" in (page.text_content("#no-endpoint") or "")
        finally:
            browser.close()


def test_a_query_string_that_is_not_utf8_is_refused_as_a_post_body_is(
    client: TestClient,
) -> None:
    answer = client.get("/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D")
    assert answer.status_code == 400
    assert "not UTF-8" in answer.text
