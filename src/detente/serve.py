"""`detente serve`: the built publication over HTTP, and a read-only SPARQL 1.1 endpoint.

The folder `detente build` writes is served as docs/publishing.md lays it out: id/<type>/<slug>
answers 303 to doc/<type>/<slug>, documents and the ontology are content-negotiated. `/sparql`
speaks the SPARQL 1.1 Protocol. Each query runs in a worker process forked from the server,
sharing its pyoxigraph store; a worker that overruns the time limit is killed and replaced,
since pyoxigraph cannot be interrupted from within.
"""

from __future__ import annotations

import asyncio
import csv
import gc
import html
import io
import json
import math
import multiprocessing
import os
import re
import resource
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote
from xml.sax.saxutils import escape, quoteattr

import jinja2
import pyoxigraph as ox
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from detente import __version__
from detente.index import closure_default, ensure_closure, open_index
from detente.kg import META_GRAPH, Project
from detente.publish.layout import DOCUMENT_FORMATS, DUMP_FORMATS, ONTOLOGY_FORMATS
from detente.query import Question, limit_memory
from detente.query import questions as question_scripts
from detente.read import InputError, refuse_remote_sparql

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RESULTS = 10_000
DEFAULT_MAX_QUERY_CHARS = 10_000
TEMPLATES = Path(__file__).parent / "publish" / "templates"


def default_workers() -> int:
    """How many queries run at once by default: one a core, between 2 and 4."""
    return max(2, min(4, os.cpu_count() or 2))


@dataclass(frozen=True)
class Limits:
    """What the endpoint allows one query, and how many queries run at once.

    A result longer than max_results rows (SELECT) or triples (CONSTRUCT, DESCRIBE) is cut
    there and sent with the header X-Detente-Truncated: <max_results>; LIMIT and OFFSET page
    through the rest.
    """

    timeout: float = DEFAULT_TIMEOUT  # seconds a query may run before it is stopped (503)
    max_results: int = DEFAULT_MAX_RESULTS  # rows or triples sent; the rest is cut
    max_query_chars: int = DEFAULT_MAX_QUERY_CHARS  # a longer query text is refused (413)
    workers: int = field(default_factory=default_workers)  # queries running at once
    memory_mb: int | None = 2048  # memory a worker may take beyond its start (None: any)


# ----------------------------------------------------------------- content negotiation


def media_ranges(header: str) -> list[tuple[str, str, float]]:
    """The media ranges of an Accept header with their q-values; malformed ones left out."""
    ranges: list[tuple[str, str, float]] = []
    for part in header.split(","):
        fields = [item.strip() for item in part.split(";")]
        media = "*/*" if fields[0] == "*" else fields[0].lower()
        kind, slash, subtype = media.partition("/")
        if not slash or not kind or not subtype or (kind == "*" and subtype != "*"):
            continue
        quality: float | None = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = None
                if quality is not None and not 0.0 <= quality <= 1.0:
                    quality = None
        if quality is not None:
            ranges.append((kind, subtype, quality))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, str, float]]) -> float:
    """The q-value the most specific matching range gives an offered media type."""
    kind, _, subtype = offer.partition("/")
    found, rank = 0.0, -1
    for range_kind, range_subtype, quality in ranges:
        if (range_kind, range_subtype) == (kind, subtype):
            match = 2
        elif (range_kind, range_subtype) == (kind, "*"):
            match = 1
        elif (range_kind, range_subtype) == ("*", "*"):
            match = 0
        else:
            continue
        if match > rank:
            found, rank = quality, match
        elif match == rank:
            found = max(found, quality)
    return found


def negotiate(header: str | None, offers: Sequence[str]) -> str | None:
    """The offered media type an Accept header prefers, earlier offers winning ties.

    No header (or an empty one) takes the first offer; None when the header accepts none.
    """
    if not offers:
        return None
    if header is None or not header.strip():
        return offers[0]
    ranges = media_ranges(header)
    best, best_quality = None, 0.0
    for offer in offers:
        quality = _quality(offer, ranges)
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


# ----------------------------------------------------------------- the published files

SUFFIX_TYPES: dict[str, str] = {
    **{f".{ext}": media for ext, (media, _) in DUMP_FORMATS.items()},
    **{f".{ext}": media for ext, media in ONTOLOGY_FORMATS.items()},
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".gz": "application/gzip",
}
NOT_SERVED = {"conf"}  # top-level folders of the publication that are not published


def with_charset(media: str) -> str:
    """A media type as a Content-Type: text types say they are UTF-8."""
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


def media_type_of(path: Path) -> str:
    """The media type of a published file, from its suffix."""
    return SUFFIX_TYPES.get(path.suffix.lower(), "application/octet-stream")


class Site:
    """The files of a built publication, found safely by their path in it."""

    def __init__(self, dist: Path) -> None:
        self.root = dist.resolve()

    def find(self, relative: str) -> Path | None:
        """The file at a path of the publication, if it is one to serve."""
        parts = relative.split("/")
        if "\x00" in relative or any(part in ("", ".", "..") for part in parts):
            return None
        if parts[0] in NOT_SERVED or any(
            part.startswith(".") and (index, part) != (0, ".well-known")
            for index, part in enumerate(parts)
        ):
            return None
        try:
            path = (self.root / relative).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                return path
        except (OSError, ValueError):
            pass
        return None

    def respond(self, path: Path, media: str, headers: dict[str, str] | None = None) -> Response:
        """A file sent with its media type."""
        return FileResponse(path, media_type=with_charset(media), headers=headers)

    async def index(self, request: Request) -> Response:
        """`/`: the dataset page."""
        path = self.find("index.html")
        return self.respond(path, "text/html") if path else not_found(request)

    async def see_other(self, request: Request) -> Response:
        """`/id/<type>/<slug>`: 303 See Other to the thing's document."""
        stem = f"doc/{request.path_params['kind']}/{request.path_params['slug']}"
        if not any(self.find(f"{stem}.{ext}") for ext in DOCUMENT_FORMATS):
            return not_found(request)
        return RedirectResponse(f"/{stem}", status_code=303, headers={"Vary": "Accept"})

    async def document(self, request: Request) -> Response:
        """`/doc/<type>/<slug>` negotiated; `/doc/<type>/<slug>.<ext>` as it is."""
        kind, slug = request.path_params["kind"], request.path_params["slug"]
        ext = slug.rpartition(".")[2]
        if "." in slug and ext in DOCUMENT_FORMATS:
            path = self.find(f"doc/{kind}/{slug}")
            return self.respond(path, DOCUMENT_FORMATS[ext]) if path else not_found(request)
        return self.negotiated(request, f"doc/{kind}/{slug}", DOCUMENT_FORMATS)

    async def ontology(self, request: Request) -> Response:
        """`/ontology`: the ontology's documentation or RDF, negotiated."""
        return self.negotiated(request, "ontology", ONTOLOGY_FORMATS)

    async def void(self, request: Request) -> Response:
        """`/.well-known/void`: the dataset description, in Turtle."""
        path = self.find(".well-known/void")
        return self.respond(path, "text/turtle") if path else not_found(request)

    async def static(self, request: Request) -> Response:
        """Any other file of the publication, with the media type its suffix says."""
        path = self.find(request.path_params["path"])
        return self.respond(path, media_type_of(path)) if path else not_found(request)

    def negotiated(self, request: Request, stem: str, formats: Mapping[str, str]) -> Response:
        """The format of `stem` the Accept header prefers, naming the others (406: none)."""
        available = {media: ext for ext, media in formats.items() if self.find(f"{stem}.{ext}")}
        if not available:
            return not_found(request)
        url = "/" + quote(stem)
        headers = {
            "Vary": "Accept",
            "Link": ", ".join(
                f'<{url}.{ext}>; rel="alternate"; type="{media}"'
                for media, ext in available.items()
            ),
        }
        chosen = negotiate(request.headers.get("accept"), list(available))
        if chosen is None:
            listed = "\n".join(available)
            return Response(
                f"406 Not Acceptable: /{stem} is available as\n{listed}\n",
                406,
                headers=headers,
                media_type="text/plain; charset=utf-8",
            )
        ext = available[chosen]
        headers["Content-Location"] = f"{url}.{ext}"
        path = self.find(f"{stem}.{ext}")
        assert path is not None
        return self.respond(path, chosen, headers)


def not_found(request: Request) -> Response:
    """404, as a page for browsers and as text for the rest."""
    shown = request.url.path
    if negotiate(request.headers.get("accept"), ["text/html", "text/plain"]) == "text/html":
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Not found</title>'
            '<link rel="stylesheet" href="/static/style.css"></head><body><main>'
            f"<h1>Not found</h1><p>Nothing is published at <code>{html.escape(shown)}</code>."
            '</p><p><a href="/index.html">The dataset</a></p></main></body></html>\n'
        )
        return Response(page, 404, media_type="text/html; charset=utf-8")
    return Response(f"404 Not Found: {shown}\n", 404, media_type="text/plain; charset=utf-8")


# ----------------------------------------------------------------- query results

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV_TYPE = "text/csv"
TSV_TYPE = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSON_LD = "application/ld+json"
RDF_XML = "application/rdf+xml"

# What SELECT and ASK answers come in, the default first, and other names clients use.
RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    SPARQL_JSON: ox.QueryResultsFormat.JSON,
    SPARQL_XML: ox.QueryResultsFormat.XML,
    CSV_TYPE: ox.QueryResultsFormat.CSV,
    TSV_TYPE: ox.QueryResultsFormat.TSV,
}
RESULT_ALIASES = {"application/json": SPARQL_JSON}
# What CONSTRUCT and DESCRIBE answers come in, the default first.
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    JSON_LD: ox.RdfFormat.JSON_LD,
    RDF_XML: ox.RdfFormat.RDF_XML,
}
GRAPH_ALIASES = {"application/turtle": TURTLE, "application/x-turtle": TURTLE}
# The `format` (or `output`) parameter: a short name -> (SELECT/ASK type, CONSTRUCT type).
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": (SPARQL_JSON, JSON_LD),
    "xml": (SPARQL_XML, RDF_XML),
    "csv": (CSV_TYPE, None),
    "tsv": (TSV_TYPE, None),
    "turtle": (None, TURTLE),
    "ttl": (None, TURTLE),
    "n3": (None, TURTLE),
    "nt": (None, NTRIPLES),
    "ntriples": (None, NTRIPLES),
    "n-triples": (None, NTRIPLES),
    "jsonld": (None, JSON_LD),
    "json-ld": (None, JSON_LD),
    "rdf": (None, RDF_XML),
    "rdf+xml": (None, RDF_XML),
    "rdfxml": (None, RDF_XML),
}


@dataclass(frozen=True)
class Job:
    """One query for a worker, with the result types chosen for each kind of answer."""

    query: str
    results_type: str | None  # for SELECT and ASK; None: the client accepts none
    graph_type: str | None  # for CONSTRUCT and DESCRIBE
    max_results: int
    timeout: float
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Reply:
    """A worker's answer: the HTTP status, the body, its type, and whether it was cut."""

    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    truncated: int | None = None


def _json_term(term: Any) -> dict[str, Any]:
    """A term as a SPARQL 1.1 JSON results binding."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        binding = {"type": "literal", "value": term.value}
        if term.language:
            binding["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            binding["datatype"] = term.datatype.value
        return binding
    parts = ("subject", "predicate", "object")
    return {"type": "triple", "value": {part: _json_term(getattr(term, part)) for part in parts}}


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """Text as XML character data (characters XML cannot hold become U+FFFD)."""
    return escape(_NOT_XML.sub("\ufffd", text), {"\r": "&#13;"})


def _xml_term(term: Any) -> str:
    """A term as a SPARQL 1.1 XML results binding value."""
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attribute = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD_STRING:
            attribute = f" datatype={quoteattr(term.datatype.value)}"
        else:
            attribute = ""
        return f"<literal{attribute}>{_xml_text(term.value)}</literal>"
    parts = "".join(
        f"<{part}>{_xml_term(getattr(term, part))}</{part}>"
        for part in ("subject", "predicate", "object")
    )
    return f"<triple>{parts}</triple>"


Rows = list[tuple[Any, ...]]


def results_json(variables: list[str], rows: Rows) -> bytes:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [
        {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
        for row in rows
    ]
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def results_xml(variables: list[str], rows: Rows) -> bytes:
    """SPARQL Query Results XML."""
    head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
    results = "".join(
        "<result>"
        + "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
            for v, t in zip(variables, row, strict=True)
            if t is not None
        )
        + "</result>\n"
        for row in rows
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
        f"<head>{head}</head>\n<results>\n{results}</results>\n</sparql>\n"
    ).encode()


def _plain(term: Any) -> str:
    """A term as SPARQL 1.1 CSV results write it: values only, blank nodes as _:label."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term.value)
    return str(term)


def results_csv(variables: list[str], rows: Rows) -> bytes:
    """SPARQL 1.1 Query Results CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    writer.writerows([_plain(t) for t in row] for row in rows)
    return out.getvalue().encode("utf-8")


def results_tsv(variables: list[str], rows: Rows) -> bytes:
    """SPARQL 1.1 Query Results TSV: terms in N-Triples syntax."""
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


RESULT_WRITERS: dict[str, Callable[[list[str], Rows], bytes]] = {
    SPARQL_JSON: results_json,
    SPARQL_XML: results_xml,
    CSV_TYPE: results_csv,
    TSV_TYPE: results_tsv,
}

_OX_POSITION = re.compile(r"^(?:error )?at (\d+):(\d+):\s*", re.IGNORECASE)


def syntax_error(err: SyntaxError) -> Reply:
    """400 for a malformed query, saying where the fault is (line and column, from 1)."""
    message = str(err.msg or err)
    found = _OX_POSITION.search(message)
    if found:
        line, column = found.groups()
        message = f"SPARQL syntax error at line {line}, column {column}: {message[found.end() :]}"
    else:
        message = f"SPARQL syntax error: {message}"
    return Reply(400, (message + "\n").encode())


def _not_acceptable(kind: str, types: Sequence[str]) -> Reply:
    """406 for an answer of a kind the client accepts in no type we write."""
    listed = ", ".join(types)
    return Reply(406, f"406 Not Acceptable: {kind} answers come as {listed}\n".encode())


def answer(store: ox.Store, job: Job, prefixes: Mapping[str, str]) -> Reply:
    """Run one query on the store and write its answer in the chosen type, cut at the limit."""
    try:
        result = store.query(
            job.query,
            default_graph=None
            if job.default_graph is None
            else [ox.NamedNode(g) for g in job.default_graph],
            named_graphs=None
            if job.named_graphs is None
            else [ox.NamedNode(g) for g in job.named_graphs],
        )
        if isinstance(result, ox.QueryBoolean):
            if job.results_type is None:
                return _not_acceptable("ASK", list(RESULT_TYPES))
            body = result.serialize(format=RESULT_TYPES[job.results_type])
            return Reply(200, body or b"", with_charset(job.results_type))
        if isinstance(result, ox.QuerySolutions):
            if job.results_type is None:
                return _not_acceptable("SELECT", list(RESULT_TYPES))
            variables = [v.value for v in result.variables]
            rows = [
                tuple(solution[v] for v in variables)
                for solution in islice(result, job.max_results + 1)
            ]
            cut = job.max_results if len(rows) > job.max_results else None
            body = RESULT_WRITERS[job.results_type](variables, rows[: job.max_results])
            return Reply(200, body, with_charset(job.results_type), cut)
        if job.graph_type is None:
            return _not_acceptable("CONSTRUCT and DESCRIBE", list(GRAPH_TYPES))
        triples = list(islice(result, job.max_results + 1))
        cut = job.max_results if len(triples) > job.max_results else None
        body = ox.serialize(
            triples[: job.max_results], format=GRAPH_TYPES[job.graph_type], prefixes=dict(prefixes)
        )
        return Reply(200, body or b"", with_charset(job.graph_type), cut)
    except SyntaxError as err:
        return syntax_error(err)
    except Exception as err:  # an engine's own failure on this query, said to the client
        return Reply(500, f"the query engine failed on this query: {err}\n".encode())


# ----------------------------------------------------------------- what is refused


class Refused(Exception):
    """A request the endpoint will not run, with its HTTP status and the reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"
# How the text checks see a query: escapes, strings and comments as the SPARQL grammar has
# them (escaped quotes in long strings, comments ended by CR or LF, `\#` in local names).
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_HIDDEN = re.compile(
    r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    rf"|{_IRI}|#[^\r\n]*|\\[\s\S]?"
)
_PREFIX = re.compile(rf"(?<![\w:?$])PREFIX\s+([A-Za-z][\w.-]*)?:\s*({_IRI})", re.IGNORECASE)
_PROLOGUE = re.compile(
    rf"\s*(?:(?:BASE\s*{_IRI}|PREFIX\s+(?:[A-Za-z][\w.-]*)?:\s*{_IRI})\s*)*", re.IGNORECASE
)
_UPDATE = re.compile(
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:])", re.IGNORECASE
)
_FROM = re.compile(
    rf"(?<![\w:?$])FROM(\s+NAMED)?\s*({_IRI}|(?:[A-Za-z][\w.-]*)?:[\w.%:-]*)", re.IGNORECASE
)


def _hide(found: re.Match[str]) -> str:
    """An IRI kept; an escape in a name made inert; a string or a comment blanked."""
    text = found.group()
    if text.startswith("<"):
        return text
    return "_" * len(text) if text.startswith("\\") else " "


def _codes(text: str) -> tuple[str, str]:
    """The query's code as the engine reads it (\\u escapes only inside strings and IRIs)
    and with every \\u escape decoded first (as SPARQL 1.1 has it): strings and comments
    blanked, IRIs kept."""
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return _HIDDEN.sub(_hide, text), _HIDDEN.sub(_hide, decoded)


def guard_query(text: str, graphs: frozenset[str]) -> None:
    """Refuse (403) updates, SERVICE, and FROM or FROM NAMED of a graph the store lacks.

    These checks read the text, to answer with a clear reason; what enforces the refusal of
    SERVICE is that a worker can open no socket (see `_seal`).
    """
    for code in _codes(text):
        _guard_code(code, graphs)


def _guard_code(code: str, graphs: frozenset[str]) -> None:
    """The checks of guard_query on the query's code (strings and comments blanked)."""
    prologue = _PROLOGUE.match(code)
    if _UPDATE.match(code, prologue.end() if prologue else 0):
        raise Refused(403, READ_ONLY)
    prefixes = {(m.group(1) or ""): m.group(2)[1:-1] for m in _PREFIX.finditer(code)}

    def local(found: re.Match[str]) -> str:
        """A FROM clause naming a graph of the store, blanked; any other is refused."""
        name = found.group(2)
        if name.startswith("<"):
            iri: str | None = name[1:-1]
        else:
            prefix, _, local_name = name.partition(":")
            iri = prefixes[prefix] + local_name if prefix in prefixes else None
        if iri is None:
            return found.group()  # an unknown prefix: refused below, as any FROM
        if iri not in graphs:
            keyword = "FROM NAMED" if found.group(1) else "FROM"
            raise Refused(
                403,
                f"{keyword} <{iri}> is refused: it is not a graph of this dataset, and the "
                "endpoint fetches nothing from elsewhere (SELECT DISTINCT ?g WHERE "
                "{ GRAPH ?g {} } lists the graphs)",
            )
        return " " * len(found.group())

    try:
        refuse_remote_sparql(_FROM.sub(local, code), "query")
    except InputError as err:
        raise Refused(403, err.message) from None


# ----------------------------------------------------------------- the worker processes


@dataclass
class Worker:
    """A forked process answering queries sent down its pipe."""

    pid: int
    pipe: Connection


CPU_MARGIN = 5  # seconds of CPU past the time limit before the kernel stops a lone worker


def _limit_cpu(timeout: float) -> None:
    """Let the kernel stop this worker if a query outlives the time limit (and the server)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + timeout) + CPU_MARGIN
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _detach(keep: int) -> None:
    """In a new worker: let go of the server's files, signals and garbage."""
    gc.freeze()  # the server's objects are never collected (nor their files closed) here
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.closerange(3, keep)  # client connections and the listening socket stay the server's
    os.closerange(keep + 1, max(keep + 2, os.sysconf("SC_OPEN_MAX")))
    quiet = os.open(os.devnull, os.O_WRONLY)  # the engine's own words on a failed allocation
    os.dup2(quiet, 2)
    os.close(quiet)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _seal(keep: int) -> None:
    """Let this worker open no file or socket ever again: every descriptor number below the
    pipe's is taken and none above it may be made. A SERVICE call, should one get past the
    text checks, fails here instead of reaching out ("Too many open files")."""
    while (spare := os.open(os.devnull, os.O_RDONLY)) < keep:
        pass
    os.close(spare)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (keep + 1, hard))


def _work(pipe: Connection, store: ox.Store, prefixes: Mapping[str, str], limits: Limits) -> None:
    """A worker's life: answer the queries sent down the pipe until the server closes it."""
    _detach(pipe.fileno())
    if limits.memory_mb is not None:
        limit_memory(limits.memory_mb)
    _seal(pipe.fileno())
    while True:
        try:
            job = pipe.recv()
        except (EOFError, OSError):
            return
        _limit_cpu(job.timeout)
        pipe.send(answer(store, job, prefixes))


def _open_std_streams() -> None:
    """Descriptors 0, 1 and 2 open (on the null device if closed), so that a worker's pipe is
    never one of them."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)


class QueryPool:
    """Worker processes answering queries; one that overruns is killed and replaced."""

    def __init__(self, store: ox.Store, prefixes: Mapping[str, str], limits: Limits) -> None:
        self.store = store
        self.prefixes = dict(prefixes)
        self.limits = limits
        self.workers: dict[int, Worker] = {}
        self._idle: asyncio.Queue[Worker] | None = None

    def start(self) -> None:
        """Fork the workers."""
        self.stop()
        _open_std_streams()
        self._idle = asyncio.Queue()
        self._fill()

    def _fill(self) -> None:
        """Fork workers until there are as many as the limits say (a failed fork is retried
        at the next query)."""
        assert self._idle is not None
        while len(self.workers) < self.limits.workers:
            try:
                worker = self._fork()
            except OSError as err:
                print(f"detente serve: cannot start a query worker: {err}", file=sys.stderr)
                return
            self.workers[worker.pid] = worker
            self._idle.put_nowait(worker)

    def _fork(self) -> Worker:
        """A new worker, sharing the store with the server (copy on write)."""
        ours, theirs = multiprocessing.Pipe()
        pid = os.fork()
        if pid == 0:  # the worker: it never returns from here
            status = 1
            try:
                ours.close()
                _work(theirs, self.store, self.prefixes, self.limits)
                status = 0
            finally:
                os._exit(status)
        theirs.close()
        return Worker(pid, ours)

    def _end(self, worker: Worker) -> None:
        """Kill a worker and wait for it to be gone."""
        self.workers.pop(worker.pid, None)
        worker.pipe.close()
        try:
            os.kill(worker.pid, signal.SIGKILL)
            os.waitpid(worker.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass

    def stop(self) -> None:
        """Kill every worker."""
        for worker in list(self.workers.values()):
            self._end(worker)
        self._idle = None

    async def answer(self, job: Job) -> Reply:
        """The answer of a free worker within the time limit; 503 past it (the worker is
        replaced), or when no worker is free for as long."""
        if self._idle is None:
            self.start()
        assert self._idle is not None
        self._fill()
        timeout = self.limits.timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            return Reply(
                503,
                f"every query worker ({self.limits.workers}) stayed busy for {timeout:g} s; "
                "try again\n".encode(),
            )
        try:
            worker.pipe.send(job)
            reply = await self._receive(worker, timeout)
        except TimeoutError:
            self._replace(worker)
            return Reply(
                503,
                f"no answer within {timeout:g} s, this endpoint's time limit: the query "
                "was stopped\n".encode(),
            )
        except (EOFError, OSError):
            self._replace(worker)
            return Reply(
                503,
                b"the query engine stopped without an answer (the query may need more "
                b"memory than this endpoint allows); it was restarted\n",
            )
        except BaseException:  # cancelled: the worker may still be busy
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        return reply

    def _replace(self, worker: Worker) -> None:
        """Kill a worker and fork another in its place."""
        self._end(worker)
        if self._idle is not None:
            self._fill()

    async def _receive(self, worker: Worker, timeout: float) -> Reply:
        """The reply a worker sends within the timeout (TimeoutError: none)."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            """The pipe has something: the reply, or the end of a dead worker."""
            if not ready.done():
                ready.set_result(None)

        fd = worker.pipe.fileno()
        loop.add_reader(fd, readable)
        try:
            await asyncio.wait_for(ready, timeout)
        finally:
            loop.remove_reader(fd)
        reply = worker.pipe.recv()
        if not isinstance(reply, Reply):
            raise EOFError("unexpected message from a worker")
        return reply


# ----------------------------------------------------------------- the endpoint

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-Detente-Truncated",
}


def _text(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """A plain-text response."""
    return Response(
        message.rstrip("\n") + "\n",
        status,
        headers={**CORS, "Vary": "Accept", **(headers or {})},
        media_type="text/plain; charset=utf-8",
    )


def add_fields(params: dict[str, list[str]], encoded: str, where: str) -> None:
    """Add the fields of a URL-encoded text to params; 400 if it is not UTF-8 or malformed."""
    try:
        fields = parse_qsl(encoded, keep_blank_values=True, errors="strict", max_num_fields=200)
    except UnicodeDecodeError:
        raise Refused(400, f"{where} is not UTF-8") from None
    except ValueError as err:
        raise Refused(400, f"{where} cannot be read: {err}") from None
    for name, value in fields:
        params.setdefault(name, []).append(value)


class Endpoint:
    """`/sparql`: the SPARQL 1.1 Protocol, read-only, within the limits; the query page."""

    def __init__(
        self, pool: QueryPool, graphs: frozenset[str], limits: Limits, page: bytes
    ) -> None:
        self.pool = pool
        self.graphs = graphs
        self.limits = limits
        self.page = page
        self.max_body = 12 * limits.max_query_chars + 4096  # percent-encoded UTF-8, and more

    async def handle(self, request: Request) -> Response:
        """Answer one request to /sparql."""
        if request.method == "OPTIONS":
            return Response(
                status_code=204,
                headers={
                    **CORS,
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Accept, Content-Type",
                    "Allow": "GET, HEAD, POST, OPTIONS",
                },
            )
        try:
            params = await self._params(request)
            if "update" in params:
                raise Refused(403, READ_ONLY)
            texts = params.get("query", [])
            if not texts:
                if request.method in ("GET", "HEAD"):
                    return Response(self.page, media_type="text/html; charset=utf-8")
                raise Refused(400, "no query: send one as the `query` parameter")
            if len(texts) > 1:
                raise Refused(400, "one query at a time: `query` is given more than once")
            job = self._job(texts[0], params, request.headers.get("accept"))
        except Refused as err:
            return _text(err.status, err.message)
        reply = await self.pool.answer(job)
        headers = {**CORS, "Vary": "Accept"}
        if reply.truncated is not None:
            headers["X-Detente-Truncated"] = str(reply.truncated)
        if reply.status == 503:
            headers["Retry-After"] = "1"
        return Response(reply.body, reply.status, headers=headers, media_type=reply.content_type)

    async def _params(self, request: Request) -> dict[str, list[str]]:
        """The protocol's parameters, from the URL and a POSTed form or query."""
        params: dict[str, list[str]] = {}
        # Read strictly, as a POSTed form is: starlette would put U+FFFD for bytes not UTF-8.
        url_fields = request.scope.get("query_string", b"").decode("latin-1")
        add_fields(params, url_fields, "the URL's query string")
        if request.method != "POST":
            return params
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            raise Refused(403, READ_ONLY)
        if media not in ("application/sparql-query", "application/x-www-form-urlencoded"):
            raise Refused(
                415,
                "POST a query as application/x-www-form-urlencoded (query=...) or as "
                "application/sparql-query",
            )
        try:
            body = (await self._body(request)).decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "the request body is not UTF-8") from None
        if media == "application/sparql-query":
            if "query" in params:
                raise Refused(400, "the query is both in the URL and in the body")
            params["query"] = [body]
            return params
        add_fields(params, body, "the form")
        return params

    async def _body(self, request: Request) -> bytes:
        """The request body, refused (413) past the size any allowed query needs."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            raise Refused(413, f"the request body is over {self.max_body:,} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body:
                raise Refused(413, f"the request body is over {self.max_body:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _job(self, text: str, params: dict[str, list[str]], accept: str | None) -> Job:
        """The query checked against the limits, with its dataset and result types."""
        limit = self.limits.max_query_chars
        if len(text) > limit:
            raise Refused(
                413, f"the query has {len(text):,} characters; this endpoint takes {limit:,}"
            )
        guard_query(text, self.graphs)
        results_type, graph_type = self._types(params, accept)
        return Job(
            text,
            results_type,
            graph_type,
            self.limits.max_results,
            self.limits.timeout,
            self._graphs(params.get("default-graph-uri", []), "default-graph-uri"),
            self._graphs(params.get("named-graph-uri", []), "named-graph-uri"),
        )

    def _graphs(self, names: list[str], parameter: str) -> tuple[str, ...] | None:
        """The graphs a protocol parameter names, each one of the store's (403 otherwise)."""
        for name in names:
            if name not in self.graphs:
                raise Refused(
                    403, f"{parameter} <{name}> is refused: it is not a graph of this dataset"
                )
        return tuple(names) or None

    def _types(
        self, params: dict[str, list[str]], accept: str | None
    ) -> tuple[str | None, str | None]:
        """The types for a SELECT/ASK and a CONSTRUCT/DESCRIBE answer: `format` or Accept."""
        given = params.get("format") or params.get("output")
        if given:
            named = given[0]
            key = named.strip().lower()
            key = RESULT_ALIASES.get(key, GRAPH_ALIASES.get(key, key))
            if key in FORMAT_NAMES:
                return FORMAT_NAMES[key]
            if key in RESULT_TYPES or key in GRAPH_TYPES:
                return (key if key in RESULT_TYPES else None, key if key in GRAPH_TYPES else None)
            known = ", ".join(FORMAT_NAMES)
            raise Refused(400, f"unknown format {named!r}; known: {known}, or a media type")
        results = negotiate(accept, [*RESULT_TYPES, *RESULT_ALIASES])
        graph = negotiate(accept, [*GRAPH_TYPES, *GRAPH_ALIASES])
        if results is None and graph is None:
            offered = ", ".join([*RESULT_TYPES, *GRAPH_TYPES])
            raise Refused(406, f"406 Not Acceptable: answers come as {offered}")
        return (
            RESULT_ALIASES.get(results, results) if results else None,
            GRAPH_ALIASES.get(graph, graph) if graph else None,
        )


# ----------------------------------------------------------------- the application


def query_page(
    questions: Sequence[Question], report_count: int, version: str = __version__
) -> bytes:
    """The query page, rendered from templates/sparql.html (for a publication without one)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    page = environment.get_template("sparql.html").render(
        root="", questions=questions, version=version, report_count=report_count, canonical=None
    )
    return page.encode("utf-8")


def _report_count(store: ox.Store) -> int:
    """How many reports the store's graphs come from (the meta graph says)."""
    found = store.query(
        f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH <{META_GRAPH}> "
        "{ ?g <http://www.w3.org/ns/prov#wasDerivedFrom> ?r } }"
    )
    assert isinstance(found, ox.QuerySolutions)
    return int(next(iter(found))["n"].value)


def create_app(
    dist: Path,
    store: ox.Store,
    *,
    limits: Limits | None = None,
    prefixes: Mapping[str, str] | None = None,
    questions: Sequence[Question] = (),
) -> Starlette:
    """The ASGI application serving a built publication and a SPARQL endpoint on the store.

    The query page is dist/sparql.html, or rendered from the questions without one.
    """
    limits = limits or Limits()
    site = Site(dist)
    page_file = site.find("sparql.html")
    page = page_file.read_bytes() if page_file else query_page(questions, _report_count(store))
    graphs = frozenset(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    pool = QueryPool(store, prefixes or {}, limits)
    endpoint = Endpoint(pool, graphs, limits, page)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        """Workers forked at start, killed at shutdown."""
        pool.start()
        try:
            yield
        finally:
            pool.stop()

    routes = [
        Route("/", site.index, methods=["GET"]),
        Route("/sparql", endpoint.handle, methods=["GET", "POST", "OPTIONS"]),
        Route("/id/{kind}/{slug}", site.see_other, methods=["GET"]),
        Route("/doc/{kind}/{slug}", site.document, methods=["GET"]),
        Route("/ontology", site.ontology, methods=["GET"]),
        Route("/.well-known/void", site.void, methods=["GET"]),
        Route("/{path:path}", site.static, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.pool = pool
    return app


def project_store(project: Project) -> tuple[ox.Store, dict[str, str]]:
    """The project's dataset with its OWL 2 RL closure in a store, and its prefixes.

    The default graph is the union; each source, the ontology, the meta graph and the
    inferred triples stay named graphs, so that `GRAPH ?g` works as with `detente query`.
    Read from the persistent index (brought up to date, its closure computed if need be),
    into memory: the endpoint's workers open no file.
    """
    with open_index(project) as index:
        ensure_closure(index)
        store = ox.Store()
        store.bulk_extend(
            quad
            for quad in index.store.quads_for_pattern(None, None, None, None)
            if quad.graph_name != ox.DefaultGraph()
        )
        union = [ox.DefaultGraph(), *closure_default()[1:]]
        store.bulk_extend(
            ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())
            for graph in union
            for quad in index.store.quads_for_pattern(None, None, None, graph)
        )
        names = index.names()
    prefixes = {prefix: str(namespace) for prefix, namespace in names.namespaces() if prefix}
    return store, prefixes


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket listening on host:port (port 0: a free one).

    Made as TCP explicitly: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on the
    connections of such a socket, and with it on, every answer on a kept-alive connection
    waits some 40 ms for the client's delayed acknowledgement.
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    """The http URL of a listening socket."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine only."""
    return host in ("localhost", "::1") or host.startswith("127.")


def serve(
    project: Project,
    dist: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    limits: Limits | None = None,
    access_log: bool = False,
    say: Callable[[str], None] = print,
) -> None:
    """Serve a built publication and its SPARQL endpoint until Ctrl-C (loopback by default)."""
    if not (dist / "index.html").is_file():
        raise FileNotFoundError(f"{dist}: no publication here (run `detente build` first)")
    store, prefixes = project_store(project)
    scripts = question_scripts(project.root / "scripts" / "questions")
    app = create_app(dist, store, limits=limits, prefixes=prefixes, questions=scripts)
    listener = listen(host, port)
    config = uvicorn.Config(
        app,
        log_level="info" if access_log else "warning",
        access_log=access_log,
        timeout_graceful_shutdown=2,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    url = url_of(listener)
    say(f"detente: serving {dist} at {url} (SPARQL endpoint: {url}sparql); Ctrl-C stops")
    if not is_loopback(host):
        say(f"detente: warning: {host} is reachable from other machines")
    try:
        server.run(sockets=[listener])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it has handled
        pass
    finally:
        listener.close()
    say("detente: stopped")
