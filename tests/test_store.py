"""Pushing the graph into real SPARQL stores and asking them the questions (detente.store).

A real Oxigraph server (`oxigraph serve`, from the `oxigraph` package) is started in memory on
a free loopback port; the project is pushed over the Graph Store Protocol, and every question
must give the same rows there as on the embedded engine. Failures (closed ports, wrong paths,
refusals, silence, a push cut off half-way) are played by small local servers. Virtuoso
(Debian's virtuoso-opensource), a second and different store, is tried when installed.
"""

from __future__ import annotations

import base64
import http.server
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pyoxigraph as ox
import pytest
from conftest import copy_project, load_sources_once, order_keys, require_tool, run
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from detente.engines import oxigraph_store
from detente.kg import (
    GRAPHS,
    ID,
    INFERRED_GRAPH,
    META_GRAPH,
    ONTOLOGY_GRAPH,
    Project,
    Sources,
    graph_name,
)
from detente.query import (
    Question,
    Results,
    answer_all,
    load_question,
    questions,
    to_csv,
    to_json,
    to_markdown,
    to_tsv,
)
from detente.read import InputError
from detente.reason import close
from detente.store import (
    INCOMPLETE,
    PUSH_GRAPH,
    Manifest,
    Pushed,
    StoreError,
    Timeouts,
    answer_remote,
    ask,
    client,
    push,
    push_store,
    pushed_dataset,
    put,
    select,
)

ROOT = Path(__file__).resolve().parents[1]
OXIGRAPH = Path(sys.executable).parent / "oxigraph"  # the server of the `oxigraph` package
QUESTIONS = questions(ROOT / "scripts" / "questions")
UNION = URIRef(GRAPHS + "union")
FAST = Timeouts(connect=2.0, read=10.0)
LIST_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
EXTRA_REPORT = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/detente/id/person/extra-test-person> rdfs:label "Extra Test Person" .
"""


# ------------------------------------------------------------------ servers


def free_port() -> int:
    """A loopback TCP port nobody listens on (just now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    """Return once something accepts connections on the port; fail past the deadline."""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.01)  # polling for readiness, bounded by the deadline
    pytest.fail(f"nothing listens on 127.0.0.1:{port} after the deadline")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server we started: SIGTERM, then SIGKILL if it lingers."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass(frozen=True)
class Oxigraph:
    """A running Oxigraph server: its Graph Store Protocol and SPARQL query URLs."""

    store: str
    query: str


@pytest.fixture(scope="module")
def start_oxigraph() -> Iterator[Callable[..., Oxigraph]]:
    """A starter of in-memory Oxigraph servers on free loopback ports, all stopped at the end."""
    if not OXIGRAPH.is_file():
        pytest.skip(f"needs {OXIGRAPH} (pip install oxigraph), not installed")
    started: list[subprocess.Popen[bytes]] = []

    def start(*options: str) -> Oxigraph:
        port = free_port()
        command = [str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}", *options]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(process)
        wait_for_port(port, process, time.monotonic() + 10)
        base = f"http://127.0.0.1:{port}"
        return Oxigraph(f"{base}/store", f"{base}/query")

    yield start
    for process in started:
        stop(process)


@pytest.fixture(scope="module")
def data(sources: Sources, closed: Graph) -> ox.Store:
    """What a push of the project writes: its dataset, with the closure, built once."""
    return push_store(sources, closed)


@pytest.fixture(scope="module")
def oxigraph(start_oxigraph: Callable[..., Oxigraph], data: ox.Store) -> tuple[Oxigraph, Pushed]:
    """An Oxigraph server holding the project, pushed once (the union as default graph)."""
    server = start_oxigraph()
    return server, push(data, server.store, timeouts=FAST)


@pytest.fixture(scope="module")
def embedded(sources: Sources) -> dict[str, tuple[Results, Graph]]:
    """Every question's answer from the embedded engine, with the graph naming its terms."""
    return {q.name: (r, names) for q, r, names in answer_all(sources, QUESTIONS, timeout=None)}


# ------------------------------------------------------------------ comparing answers


def assert_same_rows(question: Question, remote: Results, local: Results) -> None:
    """Same columns, the same rows (as a multiset), the same order on the ORDER BY columns."""
    assert remote.variables == local.variables, question.name
    missing = Counter(local.rows) - Counter(remote.rows)
    extra = Counter(remote.rows) - Counter(local.rows)
    assert not missing and not extra, f"{question.name}: missing {missing}, extra {extra}"
    keys = order_keys(question, local.variables)
    if keys:
        ordered = [[row[k] for k in keys] for row in local.rows]
        assert [[row[k] for k in keys] for row in remote.rows] == ordered, question.name


def expected_graphs(project: Project) -> set[str]:
    """The named graphs of the project's dataset: one per data file, ontology, meta, inferred."""
    names = {graph_name(path) for path in project.data_files}
    return {str(g) for g in names | {ONTOLOGY_GRAPH, META_GRAPH, INFERRED_GRAPH}}


def listed_graphs(url: str, dataset: list[tuple[str, str]] | None = None) -> set[str]:
    """The graphs `GRAPH ?g` finds on an endpoint."""
    with client(FAST) as http:
        found = select(http, url, LIST_GRAPHS, "list graphs", dataset or [])
    return {str(row[0]) for row in found.rows}


def count(url: str, pattern: str, dataset: list[tuple[str, str]] | None = None) -> int:
    """How many solutions a graph pattern has on an endpoint."""
    with client(FAST) as http:
        text = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
        found = select(http, url, text, "count", dataset or [])
    return int(found.rows[0][0])  # type: ignore[arg-type]


def one_line(err: BaseException) -> str:
    """An error's message, checked to be a single line without a traceback."""
    text = str(err)
    assert "\n" not in text and "Traceback" not in text, text
    return text


# ------------------------------------------------------------------ Oxigraph


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_every_question_gives_the_embedded_rows_on_oxigraph_in_every_format(
    question: Question,
    oxigraph: tuple[Oxigraph, Pushed],
    project: Project,
    embedded: dict[str, tuple[Results, Graph]],
) -> None:
    server, _ = oxigraph
    [(_, remote, names)] = answer_remote(server.query, [question], project, timeouts=FAST)
    local, local_names = embedded[question.name]
    assert_same_rows(question, remote, local)
    assert remote.rows, f"{question.name}: the article answers every question"
    # The answers carry the project's prefixes: every format reads as the embedded one.
    for write in (to_csv, to_tsv, to_json):
        assert sorted(write(remote).splitlines()) == sorted(write(local).splitlines())
    shown = to_markdown(remote, names).splitlines()
    assert sorted(shown) == sorted(to_markdown(local, local_names).splitlines())
    if question.name == "meeting-provenance":
        assert any(line.startswith("| meeting:2023-austin-li-shangri-la |") for line in shown)


def test_the_push_writes_one_graph_per_source_and_the_union_as_default_graph(
    oxigraph: tuple[Oxigraph, Pushed], project: Project, sources: Sources, closed: Graph
) -> None:
    server, pushed = oxigraph
    names = expected_graphs(project)
    assert {str(g) for g in pushed.written if g is not None} == names
    assert None in pushed.written and pushed.union is None
    # GRAPH ?g sees the dataset's graphs and the push's manifest, nothing else.
    assert listed_graphs(server.query) == names | {str(PUSH_GRAPH)}
    # Each graph holds what the file (or the closure) holds; the default graph their union.
    dataset = sources.dataset(closed)
    for name in names:
        held = count(server.query, f"GRAPH <{name}> {{ ?s ?p ?o }}")
        assert held == len(dataset.graph(URIRef(name))), name
    union = set(dataset.triples((None, None, None)))
    assert count(server.query, "?s ?p ?o") == len(union) == pushed.triples
    assert f"{len(names)} named graphs and their union in the default graph" in pushed.summary()


def test_a_push_sends_the_dataset_the_embedded_engine_queries(
    data: ox.Store, sources: Sources, closed: Graph
) -> None:
    """push_store builds the dataset without rdflib's Dataset: the same quads nonetheless."""
    assert set(data) == set(oxigraph_store(sources.dataset(closed)))
    assert {URIRef(g.value) for g in data.named_graphs()} >= {ONTOLOGY_GRAPH, INFERRED_GRAPH}


def test_bound_variables_reach_the_store(
    oxigraph: tuple[Oxigraph, Pushed], project: Project, sources: Sources
) -> None:
    server, _ = oxigraph
    offices = next(q for q in QUESTIONS if q.name == "offices")
    bindings = {"holder": URIRef(f"{ID}person/li-shangfu")}
    [(_, remote, _)] = answer_remote(server.query, [offices], project, bindings, FAST)
    [(_, local, _)] = answer_all(sources, [offices], bindings=bindings, timeout=None)
    assert_same_rows(offices, remote, local)
    person = local.variables.index("person")
    # Li Shangfu held two posts in the article: defence minister and head of the EDD.
    assert {row[person] for row in remote.rows} == {Literal("Li Shangfu")}
    assert len(remote.rows) == 2


def test_a_question_that_would_reach_out_is_refused_before_it_is_sent(
    oxigraph: tuple[Oxigraph, Pushed], project: Project, tmp_path: Path
) -> None:
    server, _ = oxigraph
    for keyword, text in (
        ("SERVICE", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"),
        ("FROM", "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }"),
    ):
        path = tmp_path / f"{keyword.lower()}.rq"
        path.write_text(f"# Reaches out?\n{text}\n", encoding="utf-8")
        with pytest.raises(InputError, match=f"SPARQL {keyword} is refused"):
            answer_remote(server.query, [load_question(path)], project, timeouts=FAST)


def test_a_second_push_replaces_the_first_and_leaves_no_trace_of_a_removed_file(
    start_oxigraph: Callable[..., Oxigraph], project: Project, tmp_path: Path
) -> None:
    server = start_oxigraph()
    copy = Project(copy_project(project, tmp_path, {"extra-report.ttl": EXTRA_REPORT}))
    extra = f"{GRAPHS}extra-report"
    person = "<https://w3id.org/detente/id/person/extra-test-person>"
    first = load_sources_once(copy)
    push(push_store(first, close(first.merged())), server.store, timeouts=FAST)
    assert extra in listed_graphs(server.query)
    assert count(server.query, f"{person} <{RDFS.label}> ?o") == 1

    (copy.root / "data" / "extra-report.ttl").unlink()
    second = load_sources_once(copy)
    pushed = push(push_store(second, close(second.merged())), server.store, timeouts=FAST)
    assert pushed.removed == [URIRef(extra)]
    assert "removed graph/extra-report" in pushed.summary()
    assert listed_graphs(server.query) == expected_graphs(copy) | {str(PUSH_GRAPH)}
    assert count(server.query, f"{person} ?p ?o") == 0  # not in the default graph either
    assert count(server.query, f"GRAPH ?g {{ {person} ?p ?o }}") == 0
    with client(FAST) as http:
        _, manifest = pushed_dataset(http, server.query)
    assert manifest.complete
    assert {str(g) for g in manifest.parts} == expected_graphs(copy)


def test_a_union_graph_serves_stores_whose_default_graph_is_the_union_of_all(
    start_oxigraph: Callable[..., Oxigraph],
    project: Project,
    data: ox.Store,
    embedded: dict[str, tuple[Results, Graph]],
) -> None:
    """On such a store (here Oxigraph --union-default-graph, like Virtuoso) a triple kept in
    two graphs would come twice: the union goes into a named graph, and the questions name
    their dataset from the push's manifest (default-graph-uri, named-graph-uri)."""
    server = start_oxigraph("--union-default-graph")
    pushed = push(data, server.store, union=UNION, timeouts=FAST)
    assert pushed.union == UNION and None not in pushed.written
    assert "named graphs and their union in graph/union" in pushed.summary()
    with client(FAST) as http:
        dataset, manifest = pushed_dataset(http, server.query)
    assert manifest.union == UNION
    assert ("default-graph-uri", str(UNION)) in dataset
    assert listed_graphs(server.query, dataset) == expected_graphs(project)
    # Without naming the dataset this store sees every triple once per graph holding it.
    assert count(server.query, "?s ?p ?o") > 2 * pushed.triples
    with client(FAST) as http:
        for question in QUESTIONS:
            there = select(http, server.query, question.text, question.name, dataset)
            assert_same_rows(question, there, embedded[question.name][0])


def test_questions_on_a_store_whose_last_push_did_not_finish_come_with_a_warning(
    start_oxigraph: Callable[..., Oxigraph], data: ox.Store, project: Project
) -> None:
    server = start_oxigraph()
    push(data, server.store, timeouts=FAST)
    said: list[str] = []
    answer_remote(server.query, QUESTIONS[:1], project, timeouts=FAST, say=said.append)
    assert said == []
    with client(FAST) as http:  # what a push stopped half-way leaves behind
        stopped = Manifest((ONTOLOGY_GRAPH,), None, complete=False)
        put(http, server.store, PUSH_GRAPH, stopped.ntriples(datetime.now(UTC)))
    answer_remote(server.query, QUESTIONS[:1], project, timeouts=FAST, say=said.append)
    assert said == ["warning: graph/push says the last push did not finish"]


def test_everything_into_one_graph_leaves_the_rest_of_the_store_alone(
    start_oxigraph: Callable[..., Oxigraph],
    data: ox.Store,
    embedded: dict[str, tuple[Results, Graph]],
) -> None:
    server = start_oxigraph()
    mine = URIRef("http://example.org/graphs/detente")
    pushed = push(data, server.store, into=mine, timeouts=FAST)
    assert pushed.written == [mine] and pushed.union == mine
    assert listed_graphs(server.query) == {str(mine)}
    assert count(server.query, "?s ?p ?o") == 0  # the default graph untouched
    assert count(server.query, f"GRAPH <{mine}> {{ ?s ?p ?o }}") == pushed.triples
    # Union questions are asked of that graph by naming it in the endpoint's URL.
    sanctions = next(q for q in QUESTIONS if q.name == "sanctions")
    url = f"{server.query}?default-graph-uri={mine}"
    with client(FAST) as http:
        got = ask(http, url, sanctions)
    assert_same_rows(sanctions, got, embedded["sanctions"][0])


# ------------------------------------------------------------------ failures


def test_an_unreachable_store_is_one_line(data: ox.Store) -> None:
    port = free_port()
    with pytest.raises(StoreError) as caught:
        push(data, f"http://127.0.0.1:{port}/store", timeouts=FAST)
    message = one_line(caught.value)
    assert message.startswith(f"http://127.0.0.1:{port}/store: ")
    assert "cannot connect" in message
    with pytest.raises(StoreError, match="cannot connect") as caught:
        answer_remote(f"http://127.0.0.1:{port}/query", QUESTIONS[:1], Project(ROOT))
    one_line(caught.value)


def test_a_wrong_path_is_one_line_naming_the_status(
    oxigraph: tuple[Oxigraph, Pushed], data: ox.Store, project: Project
) -> None:
    server, _ = oxigraph
    base = server.store.rsplit("/", 1)[0]
    with pytest.raises(StoreError) as caught:
        push(data, f"{base}/no-such-path", timeouts=FAST)
    message = one_line(caught.value)
    assert "HTTP 404 Not Found" in message
    assert message.endswith("nothing in the store was changed")
    with pytest.raises(StoreError, match="HTTP 404") as caught:
        answer_remote(f"{base}/no-such-path", QUESTIONS[:1], project, timeouts=FAST)
    one_line(caught.value)


def test_bad_urls_are_refused_before_any_request(data: ox.Store) -> None:
    for url in ("ftp://example.org/store", "/store", "http:///store", "http://h/store#x"):
        with pytest.raises(StoreError, match="wants an absolute http"):
            push(data, url)


@dataclass
class FakeStore:
    """What a scripted Graph Store Protocol server was asked, and how it is to answer."""

    manifest: str = ""  # the manifest it holds ("" none: 404)
    fail_from: int | None = None  # the first PUT or DELETE (counting from 1) answered 500
    status: int | None = None  # every request answered with this status
    password: str | None = None  # Basic credentials wanted for user "detente"
    silent: bool = False  # never answer
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)
    changes: int = 0
    released: threading.Event = field(default_factory=threading.Event)  # ends any silence


def fake_handler(fake: FakeStore) -> type[http.server.BaseHTTPRequestHandler]:
    """A request handler answering as `fake` says and recording every request."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Stay quiet."""

        def answer(
            self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if fake.silent:
                fake.released.wait(5)  # outlast the client's read timeout
                return
            if fake.password is not None:
                wanted = base64.b64encode(f"detente:{fake.password}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {wanted}":
                    self.answer(401, b"", {"WWW-Authenticate": 'Basic realm="store"'})
                    return
            fake.requests.append((self.command, unquote(self.path), body))
            if fake.status is not None:
                self.answer(fake.status, b"Access denied to this store\nsecond line\n")
            elif self.command == "GET":
                if fake.manifest:
                    headers = {"Content-Type": "application/n-triples"}
                    self.answer(200, fake.manifest.encode(), headers)
                else:
                    self.answer(404, b"The graph does not exist")
            else:
                fake.changes += 1
                if fake.fail_from is not None and fake.changes >= fake.fail_from:
                    page = b"<html><head><title>Oops</title></head><body><h1>Disk full</h1>"
                    self.answer(500, page, {"Content-Type": "text/html"})
                else:
                    self.answer(204)

        do_GET = do_PUT = do_DELETE = do_POST = handle_any

    return Handler


@pytest.fixture
def fake_store() -> Iterator[tuple[FakeStore, str]]:
    """A scripted store on a free loopback port, in a thread: its script and its URL."""
    fake = FakeStore()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), fake_handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}/store"
    fake.released.set()
    server.shutdown()
    server.server_close()


def graph_of(request_path: str) -> str:
    """The graph a Graph Store Protocol request names ('default' for the default graph)."""
    query = parse_qs(urlsplit(request_path).query, keep_blank_values=True)
    return query["graph"][0] if "graph" in query else "default"


def test_a_push_cut_off_half_way_says_exactly_what_is_left(
    fake_store: tuple[FakeStore, str], data: ox.Store
) -> None:
    fake, url = fake_store
    earlier = ["background", "dw-2023-05-30", "inferred", "meta", "ontology", "old-report"]
    fake.manifest = "".join(
        f"<{PUSH_GRAPH}> <http://purl.org/dc/terms/hasPart> <{GRAPHS}{name}> .\n"
        for name in earlier
    )
    fake.fail_from = 4  # the begun manifest and two graphs are written, the third fails
    with pytest.raises(StoreError) as caught:
        push(data, url, timeouts=FAST)
    message = one_line(caught.value)
    assert "PUT graph/inferred: HTTP 500 Internal Server Error: Disk full" in message
    assert "new copy in: graph/background, graph/dw-2023-05-30" in message
    assert (
        "earlier copy still in: graph/inferred, graph/meta, graph/ontology, the default graph"
        in message
    )
    assert "left from the earlier push: graph/old-report" in message
    assert "graph/push lists them all as incomplete" in message
    sent = [(method, graph_of(path)) for method, path, _ in fake.requests]
    assert sent == [
        ("GET", str(PUSH_GRAPH)),
        ("PUT", str(PUSH_GRAPH)),
        ("PUT", f"{GRAPHS}background"),
        ("PUT", f"{GRAPHS}dw-2023-05-30"),
        ("PUT", f"{GRAPHS}inferred"),
    ]
    # The manifest written first lists the earlier graphs and the new ones, as incomplete,
    # so that the next push still knows to remove graph/old-report.
    begun = fake.requests[1][2].decode()
    assert INCOMPLETE in begun
    for name in earlier:
        assert f"<{GRAPHS}{name}>" in begun


def test_a_push_refused_from_the_start_changes_nothing(
    fake_store: tuple[FakeStore, str], data: ox.Store
) -> None:
    fake, url = fake_store
    fake.fail_from = 1
    with pytest.raises(StoreError) as caught:
        push(data, url, timeouts=FAST)
    message = one_line(caught.value)
    assert "PUT graph/push: HTTP 500" in message
    assert message.endswith("nothing in the store was changed")


def test_a_refusal_is_one_line_with_the_status_and_the_servers_first_line(
    fake_store: tuple[FakeStore, str], data: ox.Store
) -> None:
    fake, url = fake_store
    fake.status = 403
    with pytest.raises(StoreError) as caught:
        push(data, url, timeouts=FAST)
    message = one_line(caught.value)
    assert "HTTP 403 Forbidden: Access denied to this store" in message
    assert "second line" not in message


def test_credentials_in_the_url_answer_the_stores_challenge_and_are_never_shown(
    fake_store: tuple[FakeStore, str], data: ox.Store
) -> None:
    fake, url = fake_store
    fake.password = "s3cret"
    with_user = url.replace("http://", "http://detente:s3cret@")
    pushed = push(data, with_user, timeouts=FAST)
    assert "s3cret" not in pushed.summary() and pushed.store == url
    assert [method for method, _, _ in fake.requests][-1] == "PUT"
    wrong = url.replace("http://", "http://detente:wrong@")
    with pytest.raises(StoreError) as caught:
        push(data, wrong, timeouts=FAST)
    message = one_line(caught.value)
    assert "HTTP 401" in message and "wrong" not in message


def test_a_silent_store_times_out_in_one_line(
    fake_store: tuple[FakeStore, str], data: ox.Store
) -> None:
    fake, url = fake_store
    fake.silent = True
    with pytest.raises(StoreError) as caught:
        push(data, url, timeouts=Timeouts(connect=2.0, read=0.3))
    assert "no answer in time" in one_line(caught.value)


# ------------------------------------------------------------------ Virtuoso

# Where Virtuoso 7.2 answers otherwise than the SPARQL 1.1 standard and the embedded engine:
# question -> (how: "order" same rows in another order, "rows" other rows, "error" no answer).
VIRTUOSO_DEVIATES = {
    "offices": ("rows", "gives the boolean ?background as the integer 0 or 1"),
    "officials-by-state": ("rows", "gives the boolean ?background as the integer 0 or 1"),
    "status-history": ("rows", "gives the boolean ?current as the integer 0 or 1"),
    "meeting-provenance": ("rows", "evaluates the zero-or-one property path otherwise"),
    "reports": ("rows", "finds no report (rdfs:subClassOf* inside FILTER NOT EXISTS)"),
    "timeline": ("error", "fails on YEAR() of an unbound variable instead of leaving it unbound"),
    "unrealised-meetings": ("order", "sorts the ?event labels otherwise"),
}


def outcome(
    http: httpx.Client,
    url: str,
    question: Question,
    local: Results,
    dataset: list[tuple[str, str]],
) -> str:
    """How a store's answer compares with the embedded one: same, order, rows or error."""
    try:
        remote = select(http, url, question.text, question.name, dataset)
    except StoreError:
        return "error"
    if Counter(remote.rows) != Counter(local.rows) or remote.variables != local.variables:
        return "rows"
    try:
        assert_same_rows(question, remote, local)
    except AssertionError:
        return "order"
    return "same"


VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {db}
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


# Not in `make test` (Virtuoso is a 12 s install and a 6 s test): `pytest -m virtuoso`, with
# Debian's virtuoso-opensource installed.
@pytest.mark.virtuoso
def test_virtuoso_holds_the_same_graphs_and_answers_alike_where_it_keeps_the_standard(
    tmp_path: Path,
    project: Project,
    data: ox.Store,
    embedded: dict[str, tuple[Results, Graph]],
) -> None:
    """Virtuoso: a second, different store. Its Graph Store Protocol has no default graph
    and its default graph is the union of all graphs, so the union goes into a named graph;
    writing needs credentials (a fresh database's own dba account, Digest)."""
    virtuoso = require_tool("virtuoso-t")
    sql, port = free_port(), free_port()
    (tmp_path / "virtuoso.ini").write_text(
        VIRTUOSO_INI.format(db=tmp_path, sql=sql, http=port), encoding="utf-8"
    )
    command = [virtuoso, "+foreground", "+configfile", str(tmp_path / "virtuoso.ini")]
    process = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, process, time.monotonic() + 60)
        query = f"http://127.0.0.1:{port}/sparql"
        store = f"http://dba:dba@127.0.0.1:{port}/sparql-graph-crud-auth"
        with pytest.raises(StoreError, match=r"PUT the default graph: HTTP 500"):
            push(data, store, timeouts=FAST)  # no default graph to PUT
        pushed = push(data, store, union=UNION, timeouts=FAST)
        with client(FAST) as http:
            dataset, manifest = pushed_dataset(http, query)
        assert manifest.complete and manifest.union == UNION
        assert listed_graphs(query, dataset) == expected_graphs(project)
        with client(FAST) as http:
            found = {
                q.name: outcome(http, query, q, embedded[q.name][0], dataset) for q in QUESTIONS
            }
        expected = {q.name: VIRTUOSO_DEVIATES.get(q.name, ("same", ""))[0] for q in QUESTIONS}
        assert found == expected
        assert list(found.values()).count("same") == 8 and pushed.triples > 0
    finally:
        stop(process)


def test_the_push_command_loads_the_store_and_query_endpoint_answers_there(
    start_oxigraph: Callable[..., Oxigraph], project: Project
) -> None:
    server = start_oxigraph()
    code, out, err = run("push", "--store", server.store, "--project", project.root)
    assert code == 0, err
    assert "named graphs and their union in the default graph" in out
    assert "push: PUT graph/dw-2023-05-30" in err
    code, out, _ = run(
        "query",
        "offices",
        "--endpoint",
        server.query,
        "--format",
        "csv",
        "--bind",
        "holder=person/li-shangfu",
        "--project",
        project.root,
    )
    assert code == 0
    assert out.count("Li Shangfu,") == 2  # his two posts: defence minister, head of the EDD
    code, here, _ = run("query", "sanctions", "--format", "json", "--project", project.root)
    code, there, _ = run(
        "query",
        "sanctions",
        "--format",
        "json",
        "--endpoint",
        server.query,
        "--project",
        project.root,
    )
    assert code == 0 and json.loads(there) == json.loads(here)


@pytest.mark.parametrize(
    ("option", "named"),
    [
        (["--engine", "rdflib"], "--engine"),
        (["--closure"], "--closure"),
        (["--no-closure"], "--closure"),
    ],
)
def test_query_endpoint_takes_no_engine_and_no_closure(
    option: list[str], named: str, project: Project
) -> None:
    url = "http://127.0.0.1:9/query"
    code, out, err = run("query", "offices", "--endpoint", url, *option, "--project", project.root)
    assert code == 2 and out == ""
    assert err.startswith("detente: --endpoint ") and f"takes no {named}" in err
    assert len(err.splitlines()) == 1


def test_the_commands_fail_in_one_line_with_exit_2(
    oxigraph: tuple[Oxigraph, Pushed], project: Project
) -> None:
    server, _ = oxigraph
    closed_port = f"http://127.0.0.1:{free_port()}"
    base = server.store.rsplit("/", 1)[0]
    for args, words in (
        (["push", "--store", f"{closed_port}/store"], "cannot connect"),
        (["push", "--store", f"{base}/no-such-path"], "HTTP 404"),
        (["push", "--store", "ftp://example.org/"], "wants an absolute http(s) URL"),
        (["push", "--store", server.store, "--graph", "not an IRI"], "--graph"),
        (["query", "offices", "--endpoint", f"{closed_port}/query"], "cannot connect"),
        (["query", "offices", "--endpoint", f"{base}/no-such-path"], "HTTP 404"),
    ):
        code, _, err = run(*args, "--project", project.root)
        assert code == 2, args
        assert words in err and len(err.strip().splitlines()) == 1, err
