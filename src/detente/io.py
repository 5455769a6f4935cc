"""Safe parsing of RDF files and canonical Turtle writing."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.plugins.parsers.notation3 import BadSyntax

FORMATS_BY_SUFFIX = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
}
DEFAULT_MAX_BYTES = 20_000_000


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


def format_for(path: Path, explicit: str | None = None) -> str:
    """The rdflib format name for a file, from an explicit choice or its suffix."""
    if explicit:
        return explicit
    try:
        return FORMATS_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS_BY_SUFFIX))
        raise InputError(str(path), f"unknown RDF file type (known: {known})") from None


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The file's text, refusing files that are too large or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(str(path), f"file is {size} bytes, over the limit of {max_bytes}")
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(str(path), err.strerror or str(err)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError(str(path), "not valid UTF-8", line, column) from None


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index in text."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _syntax_error(path: Path, err: BadSyntax) -> InputError:
    """An InputError naming the line and column of a Turtle/N3 syntax error."""
    line, column = _position(err._str.decode("utf-8", "replace"), err._i)
    return InputError(str(path), f"syntax error: {err._why}", line, column)


_LINE_IN_MESSAGE = re.compile(r"line (\d+)", re.IGNORECASE)


def parse_text(text: str, path: Path, rdf_format: str, graph: Graph | None = None) -> Graph:
    """Parse RDF text into a graph (new, or the one given), with errors naming path:line:column."""
    target = graph if graph is not None else Graph(bind_namespaces="none")
    try:
        target.parse(data=text, format=rdf_format, publicID=path.resolve().as_uri())
    except BadSyntax as err:
        raise _syntax_error(path, err) from None
    except Exception as err:  # rdflib's other parsers raise assorted exception types
        found = _LINE_IN_MESSAGE.search(str(err))
        line = int(found.group(1)) if found else None
        raise InputError(str(path), f"syntax error: {err}", line) from None
    return target


def parse_file(
    path: Path,
    rdf_format: str | None = None,
    graph: Graph | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Graph:
    """Read one RDF file safely into a graph."""
    return parse_text(read_text(path, max_bytes), path, format_for(path, rdf_format), graph)


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


def canonical_form(path: Path) -> str:
    """The canonical text of a Turtle file, after checking it holds the same graph."""
    text = read_text(path)
    graph = parse_text(text, path, "turtle")
    canonical = canonical_turtle(graph, leading_comments(text))
    reparsed = parse_text(canonical, path, "turtle")
    if not isomorphic(graph, reparsed):
        raise InputError(str(path), "formatting would change the graph; file left as it is")
    return canonical


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content so that readers see the old file or the new one, never half."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
