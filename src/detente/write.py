"""Canonical Turtle, and writing files so that readers see the old file or the new one.

Canonical Turtle reads like a document and is stable: the file's opening comments, its
prefixes (sorted), then the ontology or shapes header, classes (and node shapes), properties
(and property shapes), SKOS schemes and concepts, then every other subject, each group sorted
by IRI; predicates sorted with `a` first, objects sorted. A blank node used once is written
inline, a well-formed list as ( … ). Adding one triple changes only the block of its subject.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from detente.read import InputError, decode, parse_rdf, read_bytes, read_text

CLASS_TYPES = {OWL.Class, RDFS.Class, SH.NodeShape}
PROPERTY_TYPES = {
    RDF.Property,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.FunctionalProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.InverseFunctionalProperty,
    SH.PropertyShape,
}
HEADER_TYPES = {OWL.Ontology}
_PN_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_INTEGER = re.compile(r"^-?(0|[1-9][0-9]*)$")  # canonical lexical forms only
_DECIMAL = re.compile(r"^-?(0|[1-9][0-9]*)\.[0-9]+$")
INDENT = "    "


def leading_comments(text: str) -> str:
    """The block of comment lines a Turtle file opens with (kept by the formatter)."""
    kept: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            kept.append(line.rstrip())
        else:
            break
    return "\n".join(kept) + "\n" if kept else ""


def block_group(graph: Graph, subject: Node) -> int:
    """Where a subject's block goes: 0 header, 1 classes, 2 properties, 3 SKOS, 4 the rest."""
    types = set(graph.objects(subject, RDF.type))
    if types & HEADER_TYPES:
        return 0
    if types & CLASS_TYPES:
        return 1
    if types & PROPERTY_TYPES:
        return 2
    if (
        SKOS.ConceptScheme in types
        or SKOS.Concept in types
        or (subject, SKOS.inScheme, None) in graph
    ):
        return 3
    return 4


class _Writer:
    """Writes one graph as canonical Turtle."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.prefixes = sorted(
            ((p, str(n)) for p, n in graph.namespaces() if p), key=lambda item: item[0]
        )
        self.used: set[str] = set()
        self.inline = self._inlinable()

    def _inlinable(self) -> set[BNode]:
        """Blank nodes written in place: used once as an object, not in a cycle."""
        counts: dict[Node, int] = {}
        for _, _, o in self.graph:
            if isinstance(o, BNode):
                counts[o] = counts.get(o, 0) + 1
        found = {node for node, n in counts.items() if n == 1 and isinstance(node, BNode)}
        for node in list(found):  # a blank node reachable from itself cannot be inlined
            seen: set[Node] = set()
            todo: list[Node] = [node]
            while todo:
                current = todo.pop()
                for o in self.graph.objects(current, None):
                    if o == node:
                        found.discard(node)
                    if isinstance(o, BNode) and o not in seen:
                        seen.add(o)
                        todo.append(o)
        return found

    def iri(self, node: URIRef) -> str:
        """An IRI as a prefixed name where one fits, else <…>."""
        text = str(node)
        best: tuple[str, str] | None = None
        for prefix, namespace in self.prefixes:
            longer = best is None or len(namespace) > len(best[1])
            local = text[len(namespace) :]
            if text.startswith(namespace) and longer and (not local or _PN_LOCAL.match(local)):
                best = (prefix, namespace)
        if best is None:
            return "<" + text.replace("\\", "\\u005C").replace(">", "\\u003E") + ">"
        self.used.add(best[0])
        return f"{best[0]}:{text[len(best[1]) :]}"

    def literal(self, node: Literal) -> str:
        """A literal as written, short forms only where they read back the same."""
        lexical = str(node)
        datatype = node.datatype
        if datatype == XSD.integer and _INTEGER.match(lexical):
            return lexical
        if datatype == XSD.decimal and _DECIMAL.match(lexical):
            return lexical
        if datatype == XSD.boolean and lexical in ("true", "false"):
            return lexical
        if "\n" in lexical and '"""' not in lexical and not lexical.endswith('"'):
            quoted = '"""' + lexical.replace("\\", "\\\\") + '"""'
        else:
            escaped = (
                lexical.replace("\\", "\\\\")
                .replace('"', '\\"')
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
            quoted = f'"{escaped}"'
        if node.language:
            return f"{quoted}@{node.language}"
        if datatype is not None and datatype != XSD.string:
            return f"{quoted}^^{self.iri(URIRef(datatype))}"
        return quoted

    def items(self, node: BNode) -> list[Node] | None:
        """The members of a well-formed RDF list starting at a blank node, else None."""
        members: list[Node] = []
        seen: set[Node] = set()
        current: Node = node
        while current != RDF.nil:
            if not isinstance(current, BNode) or current in seen:
                return None
            seen.add(current)
            predicates = set(self.graph.predicates(current, None))
            firsts = list(self.graph.objects(current, RDF.first))
            rests = list(self.graph.objects(current, RDF.rest))
            if predicates != {RDF.first, RDF.rest} or len(firsts) != 1 or len(rests) != 1:
                return None
            if current != node and current not in self.inline:
                return None
            members.append(firsts[0])
            current = rests[0]
        return members

    def term(self, node: Node, depth: int) -> str:
        """Any object, inline blank nodes and lists included."""
        if isinstance(node, URIRef):
            return self.iri(node)
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, BNode) and node in self.inline:
            members = self.items(node)
            if members is not None:
                return "( " + " ".join(self.term(m, depth + 1) for m in members) + " )"
            body = self.predicates(node, depth + 1)
            return "[ " + body + " ]" if body else "[ ]"
        return f"_:{node}"

    def predicates(self, subject: Node, depth: int) -> str:
        """The predicate-object lists of a subject, `a` first."""
        indent = INDENT * depth
        parts = []
        by_predicate: dict[Node, list[Node]] = {}
        for p, o in self.graph.predicate_objects(subject):
            by_predicate.setdefault(p, []).append(o)
        ordered = sorted(by_predicate, key=lambda p: (p != RDF.type, str(p)))
        for predicate in ordered:
            name = "a" if predicate == RDF.type else self.iri(predicate)  # type: ignore[arg-type]
            objects = [
                text
                for _, text in sorted(
                    (_rank(o), self.term(o, depth)) for o in by_predicate[predicate]
                )
            ]
            joined = (",\n" + indent + INDENT).join(objects)
            parts.append(f"{name} {joined}")
        return (" ;\n" + indent).join(parts)

    def block(self, subject: Node) -> str:
        """One subject and everything said of it."""
        if isinstance(subject, URIRef):
            head = self.iri(subject)
        elif subject in self.inline:
            return ""
        else:
            # A blank node any triple points at keeps its label, so the reference holds.
            head = f"_:{subject}" if (None, None, subject) in self.graph else "[]"
        return f"{head} {self.predicates(subject, 1)} .\n"

    def body(self) -> str:
        """Every subject's block, in the canonical groups and order."""
        groups: list[list[Node]] = [[], [], [], [], []]
        for subject in set(self.graph.subjects()):
            groups[block_group(self.graph, subject)].append(subject)
        blocks = []
        for group in groups:
            named = sorted((s for s in group if isinstance(s, URIRef)), key=str)
            blank = [s for s in group if not isinstance(s, URIRef)]
            texts = [self.block(s) for s in named]
            texts += sorted(text for text in (self.block(s) for s in blank) if text)
            blocks += [text for text in texts if text]
        return "\n".join(blocks)

    def text(self, header: str) -> str:
        """The whole document: comments and prefixes, a blank line, the blocks."""
        body = self.body()  # first: it notes the prefixes used
        prefixes = "".join(f"@prefix {p}: <{n}> .\n" for p, n in self.prefixes if p in self.used)
        top = header + prefixes
        return top + ("\n" if top and body else "") + body


def _rank(node: Node) -> int:
    """Objects in order: IRIs, then literals, then blank nodes."""
    return 0 if isinstance(node, URIRef) else 1 if isinstance(node, Literal) else 2


def canonical_turtle(graph: Graph, header: str = "") -> str:
    """The canonical Turtle text of a graph (its own prefixes, grouped and sorted blocks)."""
    text = _Writer(graph).text(header)
    return text.rstrip("\n") + "\n"


def faithful_turtle(graph: Graph, header: str, name: str) -> str:
    """Canonical Turtle of a graph, refused if reading it back would not give the same graph."""
    canonical = canonical_turtle(graph, header)
    reparsed = parse_rdf(canonical, name, "turtle", with_lines=False).graph
    if not isomorphic(graph, reparsed):
        raise InputError(name, "formatting would change the graph; nothing written")
    return canonical


def canonical_text(text: str, name: str) -> str:
    """The canonical form of a Turtle text, after checking it holds the same graph."""
    graph = parse_rdf(text, name, "turtle", with_lines=False).graph
    return faithful_turtle(graph, leading_comments(text), name)


def canonical_form(path: Path) -> str:
    """The canonical text of a Turtle file, after checking it holds the same graph."""
    return canonical_text(read_text(path), str(path))


def format_files(paths: list[Path], write: bool = True) -> list[Path]:
    """The files that are not in canonical form, each rewritten when `write` (all checked first).

    A file is compared byte for byte with its canonical form, so a byte-order mark or a
    missing final newline makes it non-canonical.
    """
    changed = []
    for path in paths:
        raw = read_bytes(path, sys.maxsize)
        canonical = canonical_text(decode(raw, str(path)), str(path))
        if raw != canonical.encode("utf-8"):
            changed.append((path, canonical))
    if write:
        for path, canonical in changed:
            write_atomically(path, canonical)
    return [path for path, _ in changed]


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
