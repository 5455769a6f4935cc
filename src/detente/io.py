"""Safe parsing of RDF files and canonical Turtle writing.

Reading never reaches the network or any file but the one named: RDF/XML with a DOCTYPE or
entity declarations is refused (XXE, entity expansion), so is JSON-LD whose @context or @import
points anywhere, so are bytes that are not UTF-8 and files over a size limit.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax import SAXParseException

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rdflib.plugins.parsers.notation3 import BadSyntax, RDFSink, SinkParser
from rdflib.plugins.parsers.trig import TrigSinkParser
from rdflib.term import Node

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
DEFAULT_MAX_BYTES = 20_000_000
STDIN = "-"

# Keep literals as written: rdflib would otherwise rewrite "01"^^xsd:integer as 1 and make
# "1"^^xsd:boolean and "true"^^xsd:boolean one value, so formatting could lose data.
rdflib.NORMALIZE_LITERALS = False

Triple = tuple[Node, Node, Node]


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


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark dropped), or an error at the first bad byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(name, "UTF-16 text (byte-order mark): detente reads UTF-8", 1, 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError(name, "not valid UTF-8", line, column) from None


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

_XML_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def refuse_xml_declarations(text: str, name: str) -> None:
    """Refuse RDF/XML that declares a DOCTYPE or entities (XXE, 'billion laughs')."""
    found = _XML_DECLARATION.search(text)
    if found:
        line, column = _position(text, found.start())
        raise InputError(
            name,
            f"RDF/XML with a {found.group(1).upper()} declaration is refused: entities can read "
            "files or expand without limit",
            line,
            column,
        )


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


# ------------------------------------------------------------------ parsing


@dataclass
class Parsed:
    """An RDF document read safely: its triples and the line each triple came from."""

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


class _LineSink(RDFSink):
    """An rdflib N3-family sink that also records the line of each statement."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph)
        self.line = 0
        self.lines: dict[Triple, int] = {}

    def makeStatement(self, quadruple: Any, why: Any = None) -> None:
        """Record the statement's line, then store it as rdflib does."""
        formula, p, s, o = quadruple
        triple = (
            self.normalise(formula, s),
            self.normalise(formula, p),
            self.normalise(formula, o),
        )
        self.lines.setdefault(triple, self.line)
        super().makeStatement(quadruple, why)


class _ObjectLines:
    """Parser mixin: each statement gets the line its object was written on.

    rdflib parses a whole object list ("a, b, c") before it makes the statements, so the
    parser's line is that of the last object; the lines of the objects are kept as they are
    parsed and handed to the sink one statement at a time.
    """

    lines: int
    _pending: list[int]

    def objectList(self, argstr: str, i: int, res: Any) -> int:
        """Parse an object list, noting the line of each object."""
        lines: list[int] = []
        i = self.object(argstr, i, res)  # type: ignore[attr-defined]
        if i < 0:
            return -1
        lines.append(self.lines + 1)
        while True:
            j: int = self.skipSpace(argstr, i)  # type: ignore[attr-defined]
            if j < 0:
                self.BadSyntax(argstr, j, "EOF found after object")  # type: ignore[attr-defined]
            if argstr[j] != ",":
                self._pending = lines
                return j
            i = self.object(argstr, j + 1, res)  # type: ignore[attr-defined]
            if i < 0:
                return -1
            lines.append(self.lines + 1)

    def makeStatement(self, quadruple: Any) -> None:
        """Hand the statement's line to the sink, then make the statement."""
        pending = getattr(self, "_pending", [])
        self._store.line = pending.pop(0) if pending else self.lines + 1  # type: ignore[attr-defined]
        super().makeStatement(quadruple)  # type: ignore[misc]


class _TurtleParser(_ObjectLines, SinkParser):
    """rdflib's Turtle parser, keeping lines."""


class _TrigParser(_ObjectLines, TrigSinkParser):
    """rdflib's TriG parser, keeping lines."""


_CARET = re.compile(r" at \^ in (.*)\^(.*)$", re.DOTALL)


def _place_of(message: str, text: str, line: int) -> tuple[int, int | None]:
    """Line and column of an rdflib message that shows the text around the fault ("a^b")."""
    found = _CARET.search(message)
    if found:
        at = text.find(found.group(1) + found.group(2))
        if at >= 0:
            return _position(text, at + len(found.group(1)))
    return line, None


def _parse_n3_family(
    text: str, name: str, base: str, trig: bool
) -> tuple[Graph, dict[Triple, int]]:
    """Parse Turtle or TriG, keeping prefixes and the line of every triple."""
    graph = Graph(bind_namespaces="none")
    dataset = Dataset(default_union=True)
    sink = _LineSink(dataset if trig else graph)
    parser_class = _TrigParser if trig else _TurtleParser
    parser = parser_class(sink, baseURI=base, turtle=True)
    try:
        with warnings.catch_warnings():  # rdflib's TriG parser uses a deprecated attribute
            warnings.simplefilter("ignore", DeprecationWarning)
            parser.loadBuf(text)
    except BadSyntax as err:
        line, column = _position(err._str.decode("utf-8", "replace"), err._i)
        raise InputError(name, f"syntax error: {err._why}", line, column) from None
    except Exception as err:  # rdflib's N3 parser also fails with assertions on bad input
        where = _place_of(str(err), text, parser.lines + 1)
        message = str(err).split(" at ^ in ")[0]
        raise InputError(name, f"syntax error: {message}", *where) from None
    if trig:
        graph += _flatten(dataset)
    for prefix, namespace in parser._bindings.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph, sink.lines


def from_oxigraph(term: Any) -> Node:
    """The rdflib term for a pyoxigraph term (xsd:string literals as simple literals)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if not isinstance(term, ox.Literal):
        raise ValueError(f"RDF 1.2 triple terms are not supported: {term}")
    if getattr(term, "direction", None):
        raise ValueError(f"base directions of language strings are not supported: {term}")
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def from_oxigraph_or_none(term: Any) -> Node | None:
    """The rdflib term for a pyoxigraph value; None where a variable is unbound."""
    return None if term is None else from_oxigraph(term)


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def oxigraph_store(graph: Graph) -> ox.Store:
    """An in-memory pyoxigraph store holding the graph's triples in its default graph.

    A dataset's named graphs are kept as named graphs too, and its default graph holds their
    union (each triple once, as rdflib's union does), so `GRAPH ?g` and plain patterns both work.
    """
    store = ox.Store()
    store.bulk_extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.DefaultGraph())  # type: ignore[arg-type]
        for s, p, o in set(graph.triples((None, None, None)))
    )
    if isinstance(graph, Dataset):
        store.bulk_extend(
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(g)))  # type: ignore[arg-type]
            for s, p, o, g in graph.quads()
            if isinstance(g, URIRef)
        )
    return store


_OX_LINE_COLUMN = re.compile(r"line (\d+)(?: between columns| column) (\d+)")


def _parse_line_based(text: str, name: str, rdf_format: str) -> tuple[Graph, dict[Triple, int]]:
    """Parse N-Triples or N-Quads (graph names dropped); one statement per line."""
    oxformat = ox.RdfFormat.N_TRIPLES if rdf_format == "nt" else ox.RdfFormat.N_QUADS
    graph = Graph(bind_namespaces="none")
    try:
        statements = list(ox.parse(text.encode("utf-8"), format=oxformat))
    except SyntaxError as err:
        found = _OX_LINE_COLUMN.search(str(err.msg))
        line, column = (int(found.group(1)), int(found.group(2))) if found else (err.lineno, None)
        raise InputError(name, f"syntax error: {err.msg}", line, column) from None
    statement_lines = [
        number
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    lines: dict[Triple, int] = {}
    for number, statement in zip(statement_lines, statements, strict=False):
        try:
            triple = (
                from_oxigraph(statement.subject),
                from_oxigraph(statement.predicate),
                from_oxigraph(statement.object),
            )
        except ValueError as err:
            raise InputError(name, str(err), number) from None
        graph.add(triple)
        lines.setdefault(triple, number)
    return graph, lines


def _parse_without_lines(text: str, name: str, rdf_format: str, base: str) -> Graph:
    """Parse RDF/XML or JSON-LD (after the hostile-input guards) with rdflib."""
    document = None
    if rdf_format == "xml":
        refuse_xml_declarations(text, name)
    else:
        document = parse_json(text, name)
    dataset = Dataset(default_union=True)
    try:
        with warnings.catch_warnings():  # rdflib's own use of a deprecated Dataset attribute
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.parse(data=text, format=rdf_format, publicID=base)
    except SAXParseException as err:
        column = err.getColumnNumber()  # SAX counts columns from 0
        raise InputError(
            name,
            f"syntax error: {err.getMessage()}",
            err.getLineNumber(),
            column + 1 if column is not None else None,
        ) from None
    except (Exception, RecursionError) as err:  # rdflib's XML and JSON-LD parsers raise many types
        raise InputError(name, f"syntax error: {err}") from None
    graph = _flatten(dataset)
    if not graph and _says_something(document):
        raise InputError(
            name,
            "the JSON-LD gives no triples: its keys map to no IRI (is the @context missing?) "
            "or its @id values are not IRIs",
        )
    return graph


def _says_something(document: Any) -> bool:
    """Whether a JSON-LD document holds anything besides contexts (an empty one says nothing)."""
    if isinstance(document, dict):
        return any(key != "@context" and _says_something(v) for key, v in document.items())
    if isinstance(document, list):
        return any(_says_something(item) for item in document)
    return document is not None


def _flatten(dataset: Dataset) -> Graph:
    """The triples of every graph of a dataset, in one graph (graph names are dropped)."""
    graph = Graph(bind_namespaces="none")
    for s, p, o, _ in dataset.quads():
        graph.add((s, p, o))
    return graph


def parse_rdf(text: str, name: str, rdf_format: str, base: str) -> Parsed:
    """Parse RDF text of any supported format safely."""
    rdflib.NORMALIZE_LITERALS = False  # pyshacl switches it back on after each validation
    if rdf_format in ("turtle", "trig"):
        graph, lines = _parse_n3_family(text, name, base, trig=rdf_format == "trig")
    elif rdf_format in ("nt", "nquads"):
        graph, lines = _parse_line_based(text, name, rdf_format)
    else:
        graph, lines = _parse_without_lines(text, name, rdf_format, base), {}
    refuse_invalid_terms(graph, lines, name)
    return Parsed(name, rdf_format, text, graph, lines)


RELATIVE_BASE = "https://relative.invalid/"  # relative references resolve here, then are refused


def _term_problem(term: Node) -> str | None:
    """What makes a parsed term unusable, or None."""
    if isinstance(term, URIRef) and str(term).startswith(RELATIVE_BASE):
        relative = str(term)[len(RELATIVE_BASE) :]
        return f"relative IRI <{relative}>: write full IRIs (detente resolves against no base)"
    if isinstance(term, Literal) and term.datatype is not None:
        problem = _term_problem(URIRef(term.datatype))
        if problem:
            return f"datatype of {term!r}: {problem}"
    try:
        to_oxigraph(term)
    except (ValueError, TypeError) as err:
        kind = "IRI" if isinstance(term, URIRef) else "term"
        return f"invalid {kind} {_shown(term)}: {err}"
    return None


def _shown(term: Node) -> str:
    """A term for an error message, even one rdflib refuses to write as N3."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        tag = (
            f"@{term.language}"
            if term.language
            else f"^^<{term.datatype}>"
            if term.datatype
            else ""
        )
        return f"{str(term)!r}{tag}"
    return str(term)


def refuse_invalid_terms(graph: Graph, lines: dict[Triple, int], name: str) -> None:
    """Refuse what RDF does not allow but rdflib lets through: IRIs with spaces, braces or bad
    %-escapes, malformed language tags and datatype IRIs, relative IRIs."""
    checked: set[Node] = set()
    for triple in sorted(graph, key=lambda t: (lines.get(t, 0), str(t))):
        for term in triple:
            if isinstance(term, BNode) or term in checked:
                continue
            checked.add(term)
            problem = _term_problem(term)
            if problem:
                raise InputError(name, problem, lines.get(triple))


def read_rdf(
    source: str | Path, rdf_format: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Parsed:
    """Read one RDF file (or standard input for "-") safely."""
    name = display_name(source)
    raw = read_bytes(source, max_bytes)
    chosen = format_for(source, rdf_format)
    text = decode(raw, name)
    return parse_rdf(text, name, chosen, RELATIVE_BASE)


def parse_file(path: Path, graph: Graph | None = None) -> Graph:
    """Read one of the project's RDF files (no size limit) into a graph, keeping its prefixes."""
    parsed = read_rdf(path, max_bytes=sys.maxsize)
    return parsed.graph if graph is None else merge_into(graph, parsed.graph)


def merge_into(target: Graph, *graphs: Graph) -> Graph:
    """Add graphs to a target, their prefixes too (a prefix already bound keeps its namespace)."""
    for graph in graphs:
        for prefix, namespace in graph.namespaces():
            target.bind(prefix, namespace, override=False)
        target += graph
    return target


# ------------------------------------------------------------------ canonical Turtle


def leading_comments(text: str) -> str:
    """The block of comment lines a Turtle file opens with (kept by the formatter)."""
    kept: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            kept.append(line.rstrip())
        else:
            break
    return "\n".join(kept) + "\n" if kept else ""


def canonical_turtle(graph: Graph, header: str = "") -> str:
    """The canonical Turtle text of a graph: its own prefixes, sorted subjects and predicates."""
    body = graph.serialize(format="turtle")
    return header + body.rstrip("\n") + "\n"


def faithful_turtle(graph: Graph, header: str, name: str) -> str:
    """Canonical Turtle of a graph, refused if reading it back would not give the same graph
    (rdflib writes some literals, such as "1"^^xsd:boolean, in a short form that changes them)."""
    canonical = canonical_turtle(graph, header)
    reparsed = parse_rdf(canonical, name, "turtle", RELATIVE_BASE).graph
    if not isomorphic(graph, reparsed):
        raise InputError(name, "formatting would change the graph; nothing written")
    return canonical


def canonical_text(text: str, name: str) -> str:
    """The canonical form of a Turtle text, after checking it holds the same graph."""
    graph = parse_rdf(text, name, "turtle", RELATIVE_BASE).graph
    return faithful_turtle(graph, leading_comments(text), name)


def canonical_form(path: Path) -> str:
    """The canonical text of a Turtle file, after checking it holds the same graph."""
    return canonical_text(read_text(path), str(path))


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content so that readers see the old file or the new one, never half."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(temporary, _mode_for(path))
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The permissions a rewritten file keeps: its own, or for a new file 0666 less the umask."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
