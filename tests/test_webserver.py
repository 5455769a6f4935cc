"""The web server configurations `detente build` writes, run for real (issue 9).

nginx and Apache (Debian's) are started on a loopback port with the generated conf/nginx.conf
and conf/apache.conf, serving the publication, and asked as browsers and linked-data clients
ask. What docs/publishing.md promises: an IRI id/<type>/<slug> answers 303 See Other to
doc/<type>/<slug>; that document and the ontology IRI are content-negotiated (Vary: Accept),
HTML for */* and without Accept, 406 for an Accept naming none of their types.

The things asked about come from the article: Li Shangfu, China's defence minister, and the
meeting with Lloyd Austin at the 2023 Shangri-La Dialogue that the U.S. asked for.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from conftest import require_tool
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from detente.kg import DET, ID, ONTOLOGY_IRI

MODULES = Path("/usr/lib/apache2/modules")  # where Debian's apache2 keeps its modules
STARTUP_SECONDS = 20.0  # how long a server may take to answer before the test gives up

PERSON = "person/li-shangfu"
MEETING = "meeting/2023-austin-li-shangri-la"
# Each thing: its class, and words its page's title must hold (its name, from the article).
THINGS = {
    PERSON: (DET.Person, ("Li Shangfu",)),
    MEETING: (DET.Meeting, ("Lloyd Austin", "Li Shangfu", "Shangri-La")),
}
HTML = "text/html"
TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
N_TRIPLES = "application/n-triples"
RDF_XML = "application/rdf+xml"
EXTENSIONS = {HTML: "html", TURTLE: "ttl", JSON_LD: "jsonld", N_TRIPLES: "nt", RDF_XML: "rdf"}
PARSERS = {TURTLE: "turtle", JSON_LD: "json-ld", N_TRIPLES: "nt", RDF_XML: "xml"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # Firefox's
# Accept header -> the type answered, for documents (None: no Accept header at all).
ASKED: list[tuple[str | None, str]] = [
    (HTML, HTML),
    (TURTLE, TURTLE),
    (JSON_LD, JSON_LD),
    (N_TRIPLES, N_TRIPLES),
    ("*/*", HTML),
    (None, HTML),
    (BROWSER, HTML),
    ("text/*", HTML),
    ("application/*", JSON_LD),
]
SERVERS = ("nginx", "apache")
# rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph: not this module's business.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@dataclass
class Server:
    """A web server answering on a loopback port with a generated configuration."""

    name: str
    base: str  # http://127.0.0.1:<port>
    client: httpx.Client
    startup: str  # what it said while starting (warnings show here)

    def get(self, path: str, accept: str | None = None) -> httpx.Response:
        """GET a path, with this Accept header (None: none at all), redirects not followed."""
        return self.client.get(path, headers={"Accept": accept} if accept is not None else {})


# ------------------------------------------------------------------ starting the servers


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def with_line_replaced(text: str, line: str, replacement: str) -> str:
    """The text with its one line `line` replaced (it must be there exactly once)."""
    lines = text.split("\n")
    assert lines.count(line) == 1, f"the generated configuration should have {line!r} once"
    lines[lines.index(line)] = replacement
    return "\n".join(lines)


def wait_until_answering(process: subprocess.Popen[bytes], port: int, said: Path) -> None:
    """Return once the server accepts connections; fail, with what it said, if it exits."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited ({process.returncode}): {said.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    pytest.fail(f"the server did not answer within {STARTUP_SECONDS} s: {said.read_text()}")


def running(
    name: str, command: list[str], port: int, folder: Path, logs: list[Path]
) -> Iterator[Server]:
    """Run a server until the module is done, with a client for it."""
    said = folder / "stderr.txt"
    with said.open("wb") as stderr:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr)
    try:
        wait_until_answering(process, port, said)
        startup = "\n".join(p.read_text() for p in [said, *logs] if p.exists())
        base = f"http://127.0.0.1:{port}"
        client = httpx.Client(base_url=base, timeout=10, trust_env=False)
        del client.headers["Accept"]  # httpx sends */* unless told otherwise
        with client:
            yield Server(name, base, client, startup)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


NGINX_MAIN = """{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    {mime_types}access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/detente.conf;
}}
"""


@pytest.fixture(scope="module")
def nginx(publication: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """nginx serving the publication with its conf/nginx.conf (only the port changed)."""
    binary = require_tool("nginx")
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    generated = (publication / "conf" / "nginx.conf").read_text(encoding="utf-8")
    site = with_line_replaced(generated, "    listen 80;", f"    listen 127.0.0.1:{port};")
    (folder / "detente.conf").write_text(site, encoding="utf-8")
    debian_types = Path("/etc/nginx/mime.types")  # as Debian's own nginx.conf has it
    main = NGINX_MAIN.format(
        user="user root;\n" if os.geteuid() == 0 else "",  # workers read the tests' folders
        folder=folder,
        mime_types=f"include {debian_types};\n    " if debian_types.is_file() else "",
    )
    (folder / "nginx.conf").write_text(main, encoding="utf-8")
    log = folder / "error.log"
    command = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(log)]
    yield from running("nginx", [*command, "-g", "daemon off;"], port, folder, [log])


APACHE_MODULES = (
    "mpm_prefork",
    "authz_core",
    "mime",
    "dir",
    "alias",
    "rewrite",
    "headers",
    "negotiation",
    "proxy",
    "proxy_http",
)
APACHE_MAIN = """ServerRoot "{folder}"
DefaultRuntimeDir "{folder}"
PidFile "{folder}/apache2.pid"
Mutex file:{folder} default
ErrorLog "{folder}/error.log"
LogLevel warn
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
{modules}
TypesConfig {types}
{user}Include "{folder}/detente.conf"
"""


def served_copy(publication: Path) -> Path:
    """A copy of the publication (hard links) in a folder every user can read: Apache's
    children leave root for www-data, and pytest's own folders are private."""
    folder = Path(tempfile.mkdtemp(prefix="detente-apache-"))
    folder.chmod(0o755)

    def link(source: str, target: str) -> None:
        """Link a file, or copy it across file systems."""
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)

    shutil.copytree(publication, folder / "publication", copy_function=link)
    return folder / "publication"


@pytest.fixture(scope="module")
def apache(publication: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Apache serving the publication with its conf/apache.conf (only the port changed, and,
    as root, the folder served from)."""
    binary = require_tool("apache2")
    if not (MODULES / "mod_negotiation.so").is_file():
        pytest.skip(f"needs Debian's Apache modules in {MODULES}, not installed")
    folder = tmp_path_factory.mktemp("apache")
    port = free_port()
    root = served_copy(publication) if os.geteuid() == 0 else publication.resolve()
    try:
        generated = (publication / "conf" / "apache.conf").read_text(encoding="utf-8")
        site = with_line_replaced(generated, "<VirtualHost *:80>", f"<VirtualHost *:{port}>")
        assert site.count(f'"{publication.resolve()}') >= 2  # DocumentRoot and Directory
        site = site.replace(f'"{publication.resolve()}', f'"{root}')
        (folder / "detente.conf").write_text(site, encoding="utf-8")
        (folder / "apache2.conf").write_text(apache_main(folder, port), encoding="utf-8")
        config = ["-f", str(folder / "apache2.conf")]
        checked = subprocess.run(
            [binary, "-t", *config], capture_output=True, text=True, timeout=60, check=False
        )
        assert checked.returncode == 0, f"apache2 -t: {checked.stderr}"
        (folder / "check.txt").write_text(checked.stderr, encoding="utf-8")  # warnings show here
        logs = [folder / "check.txt", folder / "error.log"]
        yield from running("apache", [binary, "-X", *config], port, folder, logs)
    finally:
        if root != publication.resolve():
            shutil.rmtree(root.parent, ignore_errors=True)


def apache_main(folder: Path, port: int) -> str:
    """A private main configuration for Debian's apache2, including the generated one."""
    modules = "\n".join(
        f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in APACHE_MODULES
    )
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    types = "/etc/mime.types" if Path("/etc/mime.types").is_file() else "/dev/null"
    return APACHE_MAIN.format(folder=folder, port=port, modules=modules, types=types, user=user)


@pytest.fixture(scope="module", params=SERVERS)
def server(request: pytest.FixtureRequest) -> Server:
    """Each web server in turn, started once for the module."""
    running_server: Server = request.getfixturevalue(request.param)
    return running_server


# ------------------------------------------------------------------ what the answers hold


def media_type(response: httpx.Response) -> str:
    """The response's media type, without parameters."""
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


def varies_on_accept(response: httpx.Response) -> bool:
    """Whether the response says it varies with the Accept header."""
    names = {n.strip().lower() for v in response.headers.get_list("vary") for n in v.split(",")}
    return "accept" in names


def title_of(html: str) -> str:
    """The <title> of a page."""
    found = re.search(r"<title>([^<]*)</title>", html)
    assert found, "the page has no <title>"
    return found.group(1)


def assert_served(response: httpx.Response, media: str, file: Path) -> None:
    """The response is that file, as that media type, in UTF-8, negotiated."""
    assert response.status_code == 200, response.text[:300]
    assert media_type(response) == media, response.headers.get("content-type")
    content_type = response.headers["content-type"].lower()
    assert "charset=utf-8" in content_type and "qs=" not in content_type, content_type
    assert varies_on_accept(response), response.headers
    assert response.content == file.read_bytes()


def graph_of(response: httpx.Response) -> Graph:
    """The RDF a response holds (parsed by its media type)."""
    return Graph().parse(data=response.content, format=PARSERS[media_type(response)])


# ------------------------------------------------------------------ the tests


def test_the_configuration_loads_without_warnings(server: Server) -> None:
    """The server starts with the generated configuration and has nothing to warn about."""
    complaints = [
        line
        for line in server.startup.splitlines()
        if re.search(r"\[(\w+:)?(warn|error|crit|alert|emerg)\]|\bwarning\b", line, re.I)
    ]
    assert complaints == []


@pytest.mark.parametrize("thing", THINGS)
@pytest.mark.parametrize(("accept", "answered"), ASKED, ids=[str(a) for a, _ in ASKED])
def test_an_iri_leads_to_its_document(
    server: Server, publication: Path, thing: str, accept: str | None, answered: str
) -> None:
    """id/<thing> answers 303 to doc/<thing>, which answers the document in the asked type."""
    redirect = server.get(f"/id/{thing}", accept)
    assert redirect.status_code == 303, redirect.text[:300]
    assert varies_on_accept(redirect), redirect.headers
    location = urljoin(server.base + "/", redirect.headers["location"])
    assert location == f"{server.base}/doc/{thing}"

    document = server.get(location, accept)
    assert_served(document, answered, publication / f"doc/{thing}.{EXTENSIONS[answered]}")
    kind, words = THINGS[thing]
    if answered == HTML:
        title = title_of(document.text)
        assert all(word in title for word in words), title
    else:
        assert (URIRef(ID + thing), RDF.type, kind) in graph_of(document)


ONTOLOGY_ASKED = [*ASKED, (RDF_XML, RDF_XML)]


@pytest.mark.parametrize(
    ("accept", "answered"), ONTOLOGY_ASKED, ids=[str(a) for a, _ in ONTOLOGY_ASKED]
)
def test_the_ontology_iri_is_negotiated(
    server: Server, publication: Path, accept: str | None, answered: str
) -> None:
    """The ontology IRI answers its documentation in the asked type, RDF/XML included."""
    response = server.get("/ontology", accept)
    assert_served(response, answered, publication / f"ontology.{EXTENSIONS[answered]}")
    if answered == HTML:
        assert "detente ontology" in title_of(response.text)
    else:
        assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in graph_of(response)


@pytest.mark.parametrize("path", [f"/doc/{PERSON}", "/ontology"])
def test_an_accept_naming_none_of_the_types_gets_406(server: Server, path: str) -> None:
    """Asking only for a type the document does not come in is refused, listing the types."""
    for accept in ("image/png", "application/pdf, image/*;q=0.5"):
        response = server.get(path, accept)
        assert response.status_code == 406, (accept, response.status_code)
        assert varies_on_accept(response), response.headers
        assert TURTLE in response.text and JSON_LD in response.text


def test_documents_come_in_rdf_xml_only_for_the_ontology(server: Server) -> None:
    """RDF/XML is a format of the ontology (and dumps), not of the documents of things."""
    assert server.get(f"/doc/{PERSON}", RDF_XML).status_code == 406
    assert media_type(server.get("/ontology", RDF_XML)) == RDF_XML


# How each configuration documents q-values: Apache's MultiViews weighs them; nginx takes the
# first type of its list (html, turtle, JSON-LD, N-Triples) that the Accept header names.
Q_VALUES = {
    "text/turtle;q=0.5, application/ld+json": {"nginx": TURTLE, "apache": JSON_LD},
    "application/n-triples, text/turtle;q=0.9": {"nginx": TURTLE, "apache": N_TRIPLES},
    "text/turtle, application/ld+json": {"nginx": TURTLE, "apache": TURTLE},
    "application/n-triples, application/ld+json": {"nginx": JSON_LD, "apache": JSON_LD},
    "application/ld+json, */*;q=0.1": {"nginx": JSON_LD, "apache": JSON_LD},
}


@pytest.mark.parametrize("accept", Q_VALUES)
def test_q_values_as_each_configuration_documents(
    server: Server, publication: Path, accept: str
) -> None:
    """Apache honours q-values; nginx takes the first listed type the Accept names."""
    answered = Q_VALUES[accept][server.name]
    response = server.get(f"/doc/{PERSON}", accept)
    assert_served(response, answered, publication / f"doc/{PERSON}.{EXTENSIONS[answered]}")


def test_an_unknown_thing_redirects_to_a_missing_document(server: Server) -> None:
    """An IRI of the pattern but of nothing published: 303, then 404."""
    redirect = server.get("/id/person/nobody", TURTLE)
    assert redirect.status_code == 303
    assert redirect.headers["location"].endswith("/doc/person/nobody")
    assert server.get("/doc/person/nobody", TURTLE).status_code == 404


def test_the_dataset_description_is_turtle(server: Server, publication: Path) -> None:
    """/.well-known/void is the VoID description, as Turtle."""
    response = server.get("/.well-known/void")
    assert response.status_code == 200
    assert media_type(response) == TURTLE
    assert response.content == (publication / ".well-known" / "void").read_bytes()
    void = Graph().parse(data=response.content, format="turtle")
    assert any(void.subjects(RDF.type, URIRef("http://rdfs.org/ns/void#Dataset")))


@pytest.mark.parametrize("name", ["nginx.conf", "apache.conf"])
def test_the_server_configuration_is_not_served(
    server: Server, publication: Path, name: str
) -> None:
    """conf/ is in the folder but not on the web."""
    assert (publication / "conf" / name).is_file()
    assert server.get(f"/conf/{name}").status_code == 404


FILES = {
    "/": ("index.html", HTML),
    "/index.html": ("index.html", HTML),
    "/dumps/detente-data.ttl": ("dumps/detente-data.ttl", TURTLE),
    "/dumps/detente-closure.jsonld": ("dumps/detente-closure.jsonld", JSON_LD),
    "/dumps/detente-dataset.trig": ("dumps/detente-dataset.trig", "application/trig"),
    "/dumps/detente-dataset.nq.gz": ("dumps/detente-dataset.nq.gz", "application/gzip"),
    "/context.jsonld": ("context.jsonld", JSON_LD),
    "/static/style.css": ("static/style.css", "text/css"),
}


@pytest.mark.parametrize("path", FILES)
def test_files_are_served_with_their_media_types(
    server: Server, publication: Path, path: str
) -> None:
    """Pages, dumps (gzip copies as they are, not decoded on the way) and static files."""
    name, media = FILES[path]
    response = server.get(path)
    assert response.status_code == 200
    assert media_type(response) == media, response.headers.get("content-type")
    assert "content-encoding" not in response.headers
    assert response.content == (publication / name).read_bytes()


def test_hidden_files_are_not_served_but_the_well_known_void_is(
    server: Server, publication: Path
) -> None:
    """.build-stamp is in the folder but not on the web; .well-known/void is."""
    assert (publication / ".build-stamp").is_file()
    assert server.get("/.build-stamp").status_code == 404
    assert server.get("/.well-known/void").status_code == 200
