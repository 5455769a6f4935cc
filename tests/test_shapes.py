"""SHACL shape tests: every fixture under tests/fixtures/shapes/ is one test case.

A fixture is a small Turtle data file. It is validated exactly as `detente check` validates the
whole graph, but against the ontology plus the fixture alone (not the project's data):
load, OWL 2 RL closure, inconsistency search, SHACL validation.

Header comment lines of a fixture (before its first non-comment line):

    # covers: <shape IRI>                     (pass/) a node shape the fixture exercises
    # expect: <focus IRI> <path IRI | -> <shape IRI>   (fail/) one expected SHACL result
    # expect-inconsistent: <node IRI>         (fail/) one node the inconsistency check reports

A pass fixture must give no finding and no inconsistency. A fail fixture must give exactly the
declared set of (focus, path, source shape) results and exactly the declared inconsistent nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from detente.kg import DET, Project, find_project, load_graph
from detente.validate import (
    ILL_TYPED,
    SHACL_ENGINES,
    Outcome,
    judge,
    names_of,
    validate,
)

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
PASS_FILES = sorted((FIXTURES / "pass").glob("*.ttl"))
FAIL_FILES = sorted((FIXTURES / "fail").glob("*.ttl"))

Key = tuple[URIRef, URIRef | None, URIRef]

# Predicates of a node shape that are not constraints of its own.
NOT_CONSTRAINTS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.property,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.deactivated,
}
# Where a blank-node shape may legitimately sit: inside a logical constraint of a named shape,
# whose results are reported under that named shape.
LOGICAL_LIST = (SH["or"], SH["and"], SH.xone)
LOGICAL_SINGLE = (SH["not"],)


# ------------------------------------------------------------------ fixture headers

_IRI = r"<([^<>\s]+)>"
_HEADER = {
    "covers": re.compile(rf"^{_IRI}$"),
    "expect": re.compile(rf"^{_IRI}\s+(?:{_IRI}|-)\s+{_IRI}$"),
    "expect-inconsistent": re.compile(rf"^{_IRI}$"),
}


@dataclass
class Header:
    """What a fixture's opening comment block declares."""

    covers: set[URIRef] = field(default_factory=set)
    expected: set[Key] = field(default_factory=set)
    inconsistent: set[URIRef] = field(default_factory=set)


def read_header(path: Path) -> Header:
    """Parse the directives of a fixture's leading comment lines, refusing malformed ones."""
    header = Header()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        found = re.match(r"^#\s*(covers|expect-inconsistent|expect):\s*(.*?)\s*$", line)
        if found is None:
            continue
        key, rest = found.groups()
        parsed = _HEADER[key].match(rest)
        assert parsed is not None, f"{path.name}: malformed header line: {line}"
        if key == "covers":
            header.covers.add(URIRef(parsed.group(1)))
        elif key == "expect-inconsistent":
            header.inconsistent.add(URIRef(parsed.group(1)))
        else:
            focus, path_iri, shape = parsed.groups()
            header.expected.add(
                (URIRef(focus), URIRef(path_iri) if path_iri else None, URIRef(shape))
            )
    return header


def params(files: list[Path]) -> list[object]:
    """One pytest parameter per fixture, named after the file."""
    return [pytest.param(path, id=path.stem) for path in files]


# ------------------------------------------------------------------ the pipeline


@pytest.fixture(scope="module")
def repo() -> Project:
    """The detente project (the repository root) these tests belong to."""
    return find_project(Path(__file__).parent)


@pytest.fixture(scope="module")
def ontology(repo: Project) -> Graph:
    """The ontology graph, loaded once; each fixture validates a copy of it."""
    return load_graph(repo.ontology_files)


@pytest.fixture(scope="module")
def shapes(repo: Project) -> Graph:
    """The shapes graph, loaded once."""
    return load_graph(repo.shapes_files)


@dataclass
class Run:
    """One fixture put through the `detente check` pipeline."""

    data: Graph
    closed: Graph
    outcome: Outcome


def run(path: Path, ontology: Graph, shapes: Graph) -> Run:
    """Load ontology + one fixture, close it, find inconsistencies, validate with the shapes."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in ontology.namespaces():
        graph.bind(prefix, namespace)
    graph += ontology
    load_graph([path], graph=graph)
    judgement = judge(graph, shapes)
    return Run(load_graph([path]), judgement.closed, judgement.outcome)


def finding_keys(result: Run, shapes: Graph) -> set[Key]:
    """(focus, path, rule) of every finding."""
    return {(f.focus, f.path, f.rule) for f in result.outcome.findings}  # type: ignore[misc]


def inconsistent_nodes(result: Run) -> set[URIRef]:
    """Every node the inconsistency check reports."""
    return {i.node for i in result.outcome.inconsistencies}  # type: ignore[misc]


def show(keys: set[Key]) -> list[str]:
    """Expectation lines for a set of results, as a fixture header would write them."""
    return sorted(f"<{f}> {f'<{p}>' if p is not None else '-'} <{s}>" for f, p, s in keys)


# ------------------------------------------------------------------ shapes and their targets


def declared_prefixes(shapes: Graph, holder: Node) -> str:
    """The SPARQL PREFIX lines of the sh:declare of an sh:prefixes node."""
    lines = []
    for declaration in shapes.objects(holder, SH.declare):
        prefix = shapes.value(declaration, SH.prefix)
        namespace = shapes.value(declaration, SH.namespace)
        lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(lines) + "\n"


def focus_nodes(shape: Node, shapes: Graph, closed: Graph) -> set[Node]:
    """The focus nodes of a node shape in a closed data graph (core and SPARQL targets)."""
    found: set[Node] = set(shapes.objects(shape, SH.targetNode))
    for cls in shapes.objects(shape, SH.targetClass):
        found |= set(closed.subjects(RDF.type, cls))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        found |= set(closed.subjects(prop, None))
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        found |= set(closed.objects(None, prop))
    for target in shapes.objects(shape, SH.target):
        assert (target, RDF.type, SH.SPARQLTarget) in shapes, f"unknown target kind of {shape}"
        prefixes = "".join(
            declared_prefixes(shapes, holder) for holder in shapes.objects(target, SH.prefixes)
        )
        query = prefixes + str(shapes.value(target, SH.select))
        found |= {row[0] for row in closed.query(query)}  # type: ignore[index]
    return found


def node_shapes(shapes: Graph) -> set[Node]:
    """Every node shape of the shapes graph."""
    return set(shapes.subjects(RDF.type, SH.NodeShape))


def property_shapes(shapes: Graph) -> set[Node]:
    """Every property shape: declared as such, or the value of an sh:property."""
    return set(shapes.subjects(RDF.type, SH.PropertyShape)) | set(shapes.objects(None, SH.property))


def constrained_node_shapes(shapes: Graph) -> set[Node]:
    """Node shapes with constraints of their own (they can be the source shape of a result)."""
    return {s for s in node_shapes(shapes) if set(shapes.predicates(s, None)) - NOT_CONSTRAINTS}


def nested_shapes(shapes: Graph) -> set[Node]:
    """Shapes that are members of a logical constraint (sh:or, sh:and, sh:xone, sh:not)."""
    found: set[Node] = set()
    for logical in LOGICAL_LIST:
        for members in shapes.objects(None, logical):
            found |= set(Collection(shapes, members))
    for logical in LOGICAL_SINGLE:
        found |= set(shapes.objects(None, logical))
    return found


def terms_of(graph: Graph) -> Iterator[Node]:
    """Every node a graph mentions, in any position."""
    for triple in graph:
        yield from triple


# ------------------------------------------------------------------ the fixture tests


def test_there_are_fixtures() -> None:
    assert PASS_FILES, f"no pass fixtures in {FIXTURES / 'pass'}"
    assert FAIL_FILES, f"no fail fixtures in {FIXTURES / 'fail'}"


@pytest.mark.parametrize("path", params(PASS_FILES))
def test_pass_fixture_conforms(path: Path, ontology: Graph, shapes: Graph) -> None:
    header = read_header(path)
    assert not header.expected and not header.inconsistent, "a pass fixture expects nothing"
    assert header.covers, "a pass fixture names the node shapes it exercises (# covers:)"
    result = run(path, ontology, shapes)
    assert not any(isinstance(t, BNode) for t in terms_of(result.data)), "no blank nodes"
    assert result.outcome.inconsistencies == []
    assert show(finding_keys(result, shapes)) == []
    assert result.outcome.conforms
    unknown = header.covers - node_shapes(shapes)
    assert not unknown, f"covers names no node shape: {sorted(unknown)}"
    mentioned = set(terms_of(result.data))
    for shape in sorted(header.covers):
        assert focus_nodes(shape, shapes, result.closed) & mentioned, (
            f"{shape} has no focus node among the fixture's nodes"
        )


@pytest.mark.parametrize("path", params(FAIL_FILES))
def test_fail_fixture_gives_exactly_the_expected_results(
    path: Path, ontology: Graph, shapes: Graph
) -> None:
    header = read_header(path)
    assert not header.covers, "a fail fixture declares expectations, not coverage"
    assert header.expected or header.inconsistent, "a fail fixture declares what it expects"
    result = run(path, ontology, shapes)
    assert not any(isinstance(t, BNode) for t in terms_of(result.data)), "no blank nodes"
    found = finding_keys(result, shapes)
    assert show(found) == show(header.expected)
    assert inconsistent_nodes(result) == header.inconsistent
    assert not result.outcome.conforms


# ------------------------------------------------------------------ coverage


def working(files: list[Path]) -> list[Header]:
    """The headers of the fixtures."""
    return list(map(read_header, files))


def test_every_result_giving_shape_has_a_fail_fixture(shapes: Graph) -> None:
    expected_shapes = {
        shape for h in working(FAIL_FILES) for _, _, shape in h.expected if shape != ILL_TYPED
    }
    needed = property_shapes(shapes) | constrained_node_shapes(shapes)
    assert sorted(needed - expected_shapes, key=str) == []
    assert sorted(expected_shapes - needed) == [], "fixtures expect shapes that do not exist"


def test_every_node_shape_is_exercised_by_a_pass_fixture(shapes: Graph) -> None:
    covered = {shape for h in working(PASS_FILES) for shape in h.covers}
    assert sorted(node_shapes(shapes) - covered, key=str) == []


# ------------------------------------------------------------------ the shapes graph itself


def test_the_default_engine_finds_what_pyshacl_finds(
    repo: Project, ontology: Graph, shapes: Graph
) -> None:
    """pyshacl-turbo (the default) against pySHACL (the reference), on the data and every
    fixture in one graph: the same findings, node, path, value, shape, severity and words."""
    graph = Graph(bind_namespaces="none")
    graph += ontology
    load_graph([*repo.data_files, *PASS_FILES, *FAIL_FILES], graph=graph)
    names = names_of(graph, shapes)
    found = {engine: validate(graph, shapes, names, engine=engine) for engine in SHACL_ENGINES}
    assert set(found["turbo"]) == set(found["pyshacl"])  # each once; ties in any order
    assert found["pyshacl"], "the fail fixtures break shapes here too"


def test_shapes_graph_conforms_to_shacl_shacl(shapes: Graph, ontology: Graph) -> None:
    """pySHACL's meta-SHACL check (shacl-shacl) of the shapes, on a run over a pass fixture."""
    result = run(PASS_FILES[0], ontology, shapes)
    conforms, _, text = shacl_validate(
        result.closed,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        meta_shacl=True,
    )
    assert conforms, text


def test_every_shape_is_named(shapes: Graph) -> None:
    nested = nested_shapes(shapes)
    typed = node_shapes(shapes) | property_shapes(shapes)
    assert sorted(str(s) for s in typed if not isinstance(s, URIRef)) == []
    # A blank node with sh:path is an unnamed property shape: allowed only inside sh:or & co.
    anonymous = {s for s in shapes.subjects(SH.path, None) if not isinstance(s, URIRef)}
    assert sorted(map(str, anonymous - nested)) == []


def test_every_shape_that_reports_has_a_message_and_a_severity(shapes: Graph) -> None:
    for shape in sorted(property_shapes(shapes) | constrained_node_shapes(shapes), key=str):
        assert isinstance(shapes.value(shape, SH.severity), URIRef), f"{shape}: no sh:severity"
        message = shapes.value(shape, SH.message)
        assert isinstance(message, Literal) and message.language == "en", f"{shape}: no message"
    for shape in sorted(node_shapes(shapes), key=str):
        assert shapes.value(shape, SH.severity) is not None, f"{shape}: no sh:severity"
        assert shapes.value(shape, RDFS.label) is not None, f"{shape}: no label"


# ------------------------------------------------------------------ ranges of object properties


def superclasses(graph: Graph, cls: Node) -> set[Node]:
    """A class and every class it is a subclass of, following rdfs:subClassOf."""
    return {c for c in graph.transitive_objects(cls, RDFS.subClassOf) if c is not None}


def range_members(ontology: Graph, range_: Node) -> set[Node]:
    """The classes of a range: the members of an owl:unionOf, else the class itself."""
    union = ontology.value(range_, OWL.unionOf)
    return set(Collection(ontology, union)) if union is not None else {range_}


def classes_required(shapes: Graph, shape: Node) -> set[Node]:
    """The classes a property shape requires of each value: sh:class, or sh:or of sh:class."""
    found = set(shapes.objects(shape, SH["class"]))
    for members in shapes.objects(shape, SH["or"]):
        alternatives = [shapes.value(m, SH["class"]) for m in Collection(shapes, members)]
        found |= {a for a in alternatives if a is not None} if None not in alternatives else set()
    return found


def covers_domain(shapes: Graph, ontology: Graph, node_shape: Node, prop: Node) -> bool:
    """Whether a node shape's targets take in every subject of the property (its domain)."""
    if (node_shape, SH.targetSubjectsOf, prop) in shapes:
        return True
    targets = set(shapes.objects(node_shape, SH.targetClass))
    return any(superclasses(ontology, d) & targets for d in ontology.objects(prop, RDFS.domain))


def test_every_object_property_range_is_enforced(shapes: Graph, ontology: Graph) -> None:
    """Each det: object property's rdfs:range has a property shape on its path, on a node shape
    that targets the property's domain: sh:class of the range (or of a subclass), sh:or of
    sh:class for a union, and for owl:Thing a value that is a node, not a literal."""
    missing, checked = [], 0
    for prop in sorted(ontology.subjects(RDF.type, OWL.ObjectProperty), key=str):
        if not str(prop).startswith(str(DET)):
            continue
        for range_ in ontology.objects(prop, RDFS.range):
            checked += 1
            allowed = range_members(ontology, range_)
            enforced = False
            for shape in shapes.subjects(SH.path, prop):
                holders = list(shapes.subjects(SH.property, shape))
                if not any(covers_domain(shapes, ontology, h, prop) for h in holders):
                    continue
                if range_ in (OWL.Thing, RDFS.Resource):
                    enforced |= shapes.value(shape, SH.nodeKind) in (SH.BlankNodeOrIRI, SH.IRI)
                    continue
                required = classes_required(shapes, shape)
                enforced |= bool(required) and all(
                    superclasses(ontology, c) & allowed for c in required
                )
            if not enforced:
                missing.append(f"{prop} range {range_}")
    assert checked > 0, "the ontology gives no object property a range"
    assert missing == []
