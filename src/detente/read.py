"""Safe reading: files within limits, RDF in every syntax, SPARQL that stays on the graph.

RDF is parsed by pyoxigraph, streamed: a contribution is refused as soon as it passes its
limits (statements, prefixes, IRI and literal lengths, IRI schemes), so an oversized file
costs about as much as the limit, not as the file. The line of each triple comes from feeding
the parser one line at a time. Nothing is fetched: RDF/XML declaring a DOCTYPE or entities is
refused by the XML parser itself (any encoding), JSON-LD @context and @import must be inline,
relative IRIs are refused (no base), and text must be UTF-8.
"""

from __future__ import annotations

import functools
import io
import json
import re
import sys
import xml.parsers.expat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox
from pyparsing import ParseException, ParseResults
from rdflib import Graph
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from detente.engines import Triple, from_oxigraph

FORMATS_BY_SUFFIX = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
RDF_FORMATS = ("turtle", "trig", "nt", "nquads", "json-ld", "xml")
OXIGRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
LINE_FORMATS = ("turtle", "trig", "nt", "nquads")  # the syntaxes whose triples get a line
DEFAULT_MAX_BYTES = 20_000_000
STDIN = "-"


@dataclass
class InputError(Exception):
    """A file that cannot be read as RDF, with the place of the fault when known."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Limits:
    """What a file may hold before it is refused (None: no limit)."""

    max_triples: int | None = None
    max_prefixes: int | None = None
    max_iri_length: int | None = None
    max_literal_length: int | None = None
    schemes: tuple[str, ...] | None = None  # the IRI schemes allowed


NO_LIMITS = Limits()
DEFAULT_MAX_TRIPLES = 10_000
CONTRIBUTION_LIMITS = Limits(
    max_triples=DEFAULT_MAX_TRIPLES,
    max_prefixes=1_000,
    max_iri_length=2_000,
    max_literal_length=20_000,
    schemes=("http", "https", "urn"),
)


# ------------------------------------------------------------------ bytes and text


def display_name(source: str | Path) -> str:
    """How a source is named in messages."""
    return "<stdin>" if str(source) == STDIN else str(source)


def read_bytes(source: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a file (or of standard input for "-"), refusing more than max_bytes."""
    name = display_name(source)
    try:
        if str(source) == STDIN:
            raw = sys.stdin.buffer.read(max_bytes + 1)
        else:
            path = Path(source)
            if not path.exists():
                raise InputError(name, "no such file")
            if not path.is_file():
                raise InputError(name, "not a regular file")
            if path.stat().st_size > max_bytes:
                raise InputError(
                    name, f"file is {path.stat().st_size} bytes, over the limit of {max_bytes}"
                )
            raw = path.read_bytes()
    except OSError as err:
        raise InputError(name, err.strerror or str(err)) from None
    if len(raw) > max_bytes:
        raise InputError(name, f"input is over the limit of {max_bytes} bytes")
    return raw


def _byte_position(raw: bytes, index: int) -> tuple[int, int]:
    """1-based line and column of a byte offset."""
    line = raw.count(b"\n", 0, index) + 1
    return line, index - (raw.rfind(b"\n", 0, index) + 1) + 1


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark dropped), or an error at the first bad byte.

    UTF-16 is named as such, with or without a byte-order mark (its NUL bytes are valid
    UTF-8, so it would otherwise fail later with a misleading syntax error).
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(name, "UTF-16 text (byte-order mark): detente reads UTF-8", 1, 1)
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise InputError(
            name, "NUL bytes: UTF-16 or binary, not UTF-8 text", *_byte_position(raw, nul)
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(name, "not valid UTF-8", *_byte_position(raw, err.start)) from None


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The file's text, refusing files that are too large or not UTF-8."""
    return decode(read_bytes(path, max_bytes), str(path))


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index in text."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


# ------------------------------------------------------------------ hostile input


class _Declared(Exception):
    """Raised by the XML parser's handlers at a DOCTYPE or entity declaration."""


def refuse_xml_declarations(raw: bytes, name: str) -> None:
    """Refuse XML that declares a DOCTYPE or entities (XXE, 'billion laughs'), whatever its
    encoding: the XML parser stops at the first declaration."""
    parser = xml.parsers.expat.ParserCreate()

    def refuse(*_: Any) -> None:
        raise _Declared

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(raw, True)
    except _Declared:
        line, column = _declaration_position(raw, parser.CurrentByteIndex) or (
            parser.CurrentLineNumber,
            parser.CurrentColumnNumber + 1,
        )
        raise InputError(
            name,
            "RDF/XML with a DOCTYPE or entity declaration is refused: entities can read files "
            "or expand without limit",
            line,
            column,
        ) from None
    except xml.parsers.expat.ExpatError as err:
        message = xml.parsers.expat.errors.messages.get(err.code, str(err))
        raise InputError(name, f"XML syntax error: {message}", err.lineno, err.offset + 1) from None


def _declaration_position(raw: bytes, index: int) -> tuple[int, int] | None:
    """Line and column of the `<!` that opens the declaration the XML parser stopped at,
    in UTF-8 or UTF-16 text (expat's own column points past the declaration's name)."""
    encoding = "utf-8"
    if raw.startswith(b"\xff\xfe") or raw[1:2] == b"\x00":
        encoding = "utf-16-le"
    elif raw.startswith(b"\xfe\xff") or raw[:1] == b"\x00":
        encoding = "utf-16-be"
    needle = "<!".encode(encoding)
    start = raw.rfind(needle, 0, index + len(needle))
    if start < 0:
        return None
    before = raw[:start].decode(encoding, "replace").lstrip("\ufeff")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _json_ld_problems(node: Any) -> Iterator[tuple[str, str]]:
    """(text to point at, message) for what JSON-LD must not contain: references to other
    documents in @context or @import, and @id values that are not strings."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str):
                        yield (
                            json.dumps(item),
                            f"JSON-LD {key} {item!r} is refused: only inline contexts are "
                            "accepted (detente never fetches documents)",
                        )
            if key == "@id" and not isinstance(value, str):
                yield json.dumps(value), f"invalid @id value {value!r}: an @id must be a string"
            yield from _json_ld_problems(value)
    elif isinstance(node, list):
        for item in node:
            yield from _json_ld_problems(item)


def parse_json(text: str, name: str) -> Any:
    """A JSON-LD document, refusing references to other documents and non-string @ids."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(name, f"JSON syntax error: {err.msg}", err.lineno, err.colno) from None
    except (ValueError, RecursionError) as err:  # numbers too long, nesting too deep
        raise InputError(name, f"JSON not accepted: {err}") from None
    if not isinstance(document, dict | list):
        raise InputError(name, "JSON-LD must be an object or an array")
    for needle, message in _json_ld_problems(document):
        at = text.find(needle)
        line, column = _position(text, at) if at >= 0 else (None, None)
        raise InputError(name, message, line, column)
    return document


def _says_something(document: Any) -> bool:
    """Whether a JSON-LD document holds anything besides contexts (an empty one says nothing)."""
    if isinstance(document, dict):
        return any(key != "@context" and _says_something(v) for key, v in document.items())
    if isinstance(document, list):
        return any(_says_something(item) for item in document)
    return document is not None


_SPARQL_SKIPPED = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
)
_SPARQL_REMOTE = re.compile(r"(?<![\w:?$])(SERVICE|FROM)(?![\w:])", re.IGNORECASE)
_SPARQL_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def refuse_remote_sparql(text: str, name: str) -> None:
    """Refuse SPARQL that would reach beyond the graph: SERVICE calls and FROM clauses."""
    text = _SPARQL_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    code = _SPARQL_SKIPPED.sub(" ", text)  # strings, IRIs and comments cannot hold keywords
    found = _SPARQL_REMOTE.search(code)
    if found:
        keyword = found.group(1).upper()
        raise InputError(name, f"SPARQL {keyword} is refused: queries run on the graph alone")


def _parsed_names(node: Any, names: set[str]) -> set[str]:
    """The names of every part of a query parsed by rdflib's SPARQL grammar."""
    if isinstance(node, ParseResults):
        names.add(node.getName() or "")
        names.update(cast(Any, node).keys())
        for child in node:
            _parsed_names(child, names)
    elif isinstance(node, CompValue):
        names.add(node.name)
        for key, value in node.items():
            names.add(key)
            _parsed_names(value, names)
    elif isinstance(node, list | tuple):
        for child in node:
            _parsed_names(child, names)
    return names


@functools.lru_cache(maxsize=256)
def _parts_of_query(text: str) -> frozenset[str] | tuple[str, int, int]:
    """The names of the parts of a query as rdflib's SPARQL grammar reads it, or its syntax
    error (message, line, column); a text is parsed once (0.2 s for a long question)."""
    try:
        return frozenset(_parsed_names(parseQuery(text), set()))
    except ParseException as err:
        return str(err.msg), err.lineno, err.col


def refuse_remote_sparql_parsed(text: str, name: str, sandboxed: bool = False) -> None:
    """Refuse SERVICE and FROM as a full SPARQL 1.1 parser sees them, not a pattern.

    The engines would fetch what SERVICE names. A query the parser cannot read is refused
    too, since it cannot be shown to stay on the graph, unless it will run `sandboxed`, in a
    process that can open no socket (the engine then reports its syntax error).
    """
    refuse_remote_sparql(text, name)
    names = _parts_of_query(text)
    if isinstance(names, tuple):
        if sandboxed:
            return
        message, line, column = names
        raise InputError(name, f"SPARQL syntax error: {message}", line, column)
    if "ServiceGraphPattern" in names:
        raise InputError(name, "SPARQL SERVICE is refused: queries run on the graph alone")
    if "datasetClause" in names:
        raise InputError(name, "SPARQL FROM is refused: queries run on the graph alone")


# ------------------------------------------------------------------ parsing


@dataclass
class Parsed:
    """An RDF document read safely: its triples, the line each came from, its prefixes."""

    name: str
    rdf_format: str
    text: str
    graph: Graph
    lines: dict[Triple, int] = field(default_factory=dict)


def format_for(source: str | Path, explicit: str | None = None) -> str:
    """The RDF format of a source, from an explicit choice or its suffix."""
    if explicit:
        if explicit not in RDF_FORMATS:
            raise InputError(display_name(source), f"unknown RDF format {explicit!r}")
        return explicit
    if str(source) == STDIN:
        return "turtle"
    try:
        return FORMATS_BY_SUFFIX[Path(source).suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS_BY_SUFFIX))
        raise InputError(
            str(source), f"unknown RDF file type (known: {known}; or give --input-format)"
        ) from None


_PREFIX_DECLARATION = re.compile(rb"(?:^|[\s.])(?:@prefix|[Pp][Rr][Ee][Ff][Ii][Xx])\s")


class _LineReader(io.RawIOBase):
    """Bytes handed to the parser one line at a time, so the line it has reached is known.

    With a prefix limit, it stops the parse at the line that declares one prefix too many
    (the parser itself only says how many prefixes it holds once it yields a triple).
    """

    def __init__(self, data: bytes, name: str = "", max_prefixes: int | None = None) -> None:
        self._data = data
        self._at = 0
        self.line = 0  # lines handed out so far (1-based number of the current one)
        self._name = name
        self._max_prefixes = max_prefixes
        self._prefixes = 0

    def readable(self) -> bool:
        """A readable stream."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Copy the rest of the current line, or the next one, into the buffer."""
        if self._at >= len(self._data):
            return 0
        end = self._data.find(b"\n", self._at)
        end = len(self._data) if end < 0 else end + 1
        end = min(end, self._at + len(buffer))
        chunk = self._data[self._at : end]
        if self._at == 0 or self._data[self._at - 1 : self._at] == b"\n":
            self.line += 1
            self._count_prefixes(
                self._data[self._at : self._data.find(b"\n", self._at) + 1 or None]
            )
        buffer[: len(chunk)] = chunk
        self._at = end
        return len(chunk)

    def _count_prefixes(self, line: bytes) -> None:
        """Count a line's prefix declarations; refuse the one over the limit."""
        if self._max_prefixes is None:
            return
        self._prefixes += len(_PREFIX_DECLARATION.findall(line))
        if self._prefixes > self._max_prefixes:
            raise InputError(
                self._name,
                f"{self._prefixes} prefixes, over the limit of {self._max_prefixes}; refused "
                "before reading further",
                self.line,
            )


_OX_PREFIX = re.compile(r"^Parser error at line \d+ (?:between columns \d+ and \d+|column \d+): ")


def _syntax_error(err: SyntaxError, name: str, text: str) -> InputError:
    """An InputError from pyoxigraph's SyntaxError, at its line and column, showing the text
    found there."""
    message = _OX_PREFIX.sub("", str(err.msg))
    message = message[:1].lower() + message[1:]  # "invalid IRI code point ..."
    if "no scheme found" in message.lower():
        message = f"relative IRI ({message}): write full IRIs, detente resolves against no base"
    lines = text.split("\n")
    if err.lineno is not None and err.offset is not None and 0 < err.lineno <= len(lines):
        found = lines[err.lineno - 1][err.offset - 1 :][:40].rstrip()
        if found:
            message += f", at {found!r}"
    return InputError(name, f"syntax error: {message}", err.lineno, err.offset)


def _term_problem(term: Any, limits: Limits) -> str | None:
    """What makes a parsed term unacceptable under the limits, or None."""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        if limits.max_iri_length is not None and len(iri) > limits.max_iri_length:
            return f"an IRI of {len(iri)} characters, over the limit of {limits.max_iri_length}"
        scheme = iri.split(":", 1)[0].lower()
        if limits.schemes is not None and scheme not in limits.schemes:
            allowed = ", ".join(f"{s}:" for s in limits.schemes)
            return f"IRI scheme {scheme}: is not accepted (only {allowed}): <{iri[:80]}>"
    if isinstance(term, ox.Literal):
        length = len(term.value)
        if limits.max_literal_length is not None and length > limits.max_literal_length:
            return (
                f"a literal of {length} characters, over the limit of {limits.max_literal_length}"
            )
        return _term_problem(term.datatype, limits)
    return None


def parse_rdf(
    data: str | bytes,
    name: str,
    rdf_format: str,
    limits: Limits = NO_LIMITS,
    with_lines: bool = True,
) -> Parsed:
    """Parse RDF of any supported syntax safely, within the limits; graph names are dropped.

    With lines, each triple of a line-based syntax (Turtle, TriG, N-Triples, N-Quads) is
    given the line the parser had reached when it made the triple.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if rdf_format == "xml":
        refuse_xml_declarations(raw, name)
    text = data if isinstance(data, str) else decode(raw, name)
    document = parse_json(text, name) if rdf_format == "json-ld" else None
    with_lines = with_lines and rdf_format in LINE_FORMATS
    prefixed = rdf_format in ("turtle", "trig")
    reader = _LineReader(raw, name, limits.max_prefixes if prefixed else None)
    source = cast(IO[bytes], reader) if with_lines else raw
    parser = ox.parse(source, OXIGRAPH_FORMATS[rdf_format])
    graph = Graph(bind_namespaces="none")
    lines: dict[Triple, int] = {}
    count = 0
    try:
        for quad in parser:
            line = reader.line if with_lines else None
            count += 1
            if limits.max_triples is not None and count > limits.max_triples:
                raise InputError(
                    name,
                    f"more than {limits.max_triples} statements, over the limit "
                    "(--max-triples); refused before reading further",
                    line,
                )
            for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
                problem = _term_problem(term, limits)
                if problem:
                    raise InputError(name, problem, line)
            try:
                triple = (
                    from_oxigraph(quad.subject),
                    from_oxigraph(quad.predicate),
                    from_oxigraph(quad.object),
                )
            except ValueError as err:
                raise InputError(name, str(err), line) from None
            graph.add(triple)
            if line is not None:
                lines.setdefault(triple, line)
            if count % 1000 == 0:
                _check_prefixes(parser, limits, name, line)
    except SyntaxError as err:
        raise _syntax_error(err, name, text) from None
    _check_prefixes(parser, limits, name, None)
    for prefix, namespace in parser.prefixes.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    if not graph and _says_something(document):
        raise InputError(
            name,
            "the JSON-LD gives no triples: its keys map to no IRI (is the @context missing?) "
            "or its @id values are not IRIs",
        )
    return Parsed(name, rdf_format, text, graph, lines)


def _check_prefixes(parser: ox.QuadParser, limits: Limits, name: str, line: int | None) -> None:
    """Refuse a document declaring more prefixes than the limit."""
    if limits.max_prefixes is not None and len(parser.prefixes) > limits.max_prefixes:
        raise InputError(
            name,
            f"{len(parser.prefixes)} prefixes, over the limit of {limits.max_prefixes}",
            line,
        )


def read_rdf(
    source: str | Path,
    rdf_format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: Limits = CONTRIBUTION_LIMITS,
    with_lines: bool = True,
) -> Parsed:
    """Read one RDF file (or standard input for "-") safely, within the limits."""
    name = display_name(source)
    raw = read_bytes(source, max_bytes)
    return parse_rdf(raw, name, format_for(source, rdf_format), limits, with_lines)


def parse_file(path: Path, graph: Graph | None = None) -> Graph:
    """Read one of the project's own RDF files (no limits) into a graph, with its prefixes."""
    parsed = read_rdf(path, max_bytes=sys.maxsize, limits=NO_LIMITS, with_lines=False)
    return parsed.graph if graph is None else merge_into(graph, parsed.graph)


def merge_into(target: Graph, *graphs: Graph) -> Graph:
    """Add graphs to a target, their prefixes too (a prefix already bound keeps its namespace)."""
    for graph in graphs:
        for prefix, namespace in graph.namespaces():
            target.bind(prefix, namespace, override=False)
        target += graph
    return target
