"""The OWL 2 RL closure computed chunk by chunk of nodes is reasonable's closure of the whole
graph, triple for triple: on the article, on a synthetic project, and on a small graph made
to need every rule that joins two nodes' triples, each split across chunks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import copy_project

from detente.index import (
    DEFAULT,
    WHOLE_CLOSURE_BYTES_PER_TRIPLE,
    Unsplittable,
    _afford_closure,
    _closure,
    _split_closure,
    _split_plan,
    _write_chunks,
    ensure_closure,
    open_index,
)
from detente.kg import INFERRED_GRAPH, ONTOLOGY_GRAPH, Project, find_project
from detente.read import InputError
from detente.synth import synth

Closure = set[tuple[ox.NamedNode | ox.BlankNode | ox.Literal, ...]]

PREFIXES = """@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# An ontology with each kind of axiom whose rules join two triples, read from it generically.
ONTOLOGY = """
ex:precedes a owl:ObjectProperty, owl:TransitiveProperty ;
    rdfs:domain ex:Fact ; rdfs:range ex:Fact .
ex:justBefore rdfs:subPropertyOf ex:precedes .
ex:precision a owl:ObjectProperty, owl:FunctionalProperty ; rdfs:range ex:Precision .
ex:on a owl:DatatypeProperty, owl:FunctionalProperty .
ex:hasPart a owl:ObjectProperty ; owl:inverseOf ex:partOf .
ex:partOf rdfs:domain ex:Part ; rdfs:range ex:Whole .
ex:near a owl:SymmetricProperty ; rdfs:range ex:Place .
ex:status rdfs:range ex:Status .
ex:about a owl:ObjectProperty .
ex:Meeting rdfs:subClassOf ex:Fact .
ex:Fact owl:disjointWith ex:Agent .
ex:Spot owl:equivalentClass ex:Place .
"""

# Each subject lands in a chunk of its own (chunk size 1), so that every join crosses chunks.
DATA = """
ex:a1 a ex:Meeting ; ex:justBefore ex:a2 .
ex:a2 ex:justBefore ex:a3 .
ex:a3 ex:precedes ex:a4 .
ex:x ex:precision ex:day , ex:week .
ex:day ex:label "day" .
ex:week ex:label "week" .
ex:y ex:about ex:day .
ex:w ex:hasPart ex:v .
ex:v ex:label "part" .
ex:m1 owl:sameAs ex:m2 ; ex:label "one" .
ex:m2 ex:label "two" .
ex:z ex:about ex:m1 .
ex:e ex:on "2023-01-01"^^xsd:date , "2023-01-02"^^xsd:date .
ex:f ex:on "2023-01-01"^^xsd:date .
ex:q ex:near ex:r .
ex:s1 ex:status ex:held .
ex:s2 ex:status ex:held .
ex:s3 ex:status ex:held .
"""


def store_of(ontology: str, data: str) -> ox.Store:
    """A store laid out as the index's: the ontology in its graph, and the default graph
    holding ontology and data."""
    store = ox.Store()
    graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    for text, graphs in ((ontology, (graph, DEFAULT)), (data, (DEFAULT,))):
        triples = [q.triple for q in ox.parse(PREFIXES + text, format=ox.RdfFormat.TURTLE)]
        for name in graphs:
            store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
    return store


def both(store: ox.Store, chunk: int) -> tuple[Closure, Closure]:
    """The whole closure and the split one (which must make several chunks)."""
    whole = set(_closure(store, "reasonable", None))
    split = list(_closure(store, "reasonable", chunk))
    assert len(split) == len(set(split)), "each triple once"
    return whole, set(split)


def chunks_made(store: ox.Store, chunk: int, folder: Path) -> int:
    """How many chunks the split closure makes."""
    folder.mkdir(parents=True, exist_ok=True)
    plan = _split_plan(store)
    assert plan is not None
    return len(_write_chunks(store, plan, chunk, folder).paths())


def ex(name: str) -> ox.NamedNode:
    """A term of the example namespace."""
    return ox.NamedNode(f"http://example.org/{name}")


OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SAME = ox.NamedNode(OWL + "sameAs")


def dated(day: str) -> ox.Literal:
    """An xsd:date literal."""
    return ox.Literal(day, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))


# ------------------------------------------------------------------ the small graph


def test_every_joining_rule_across_chunks(tmp_path: Path) -> None:
    """A transitive chain, two values of a functional property, an inverse, owl:sameAs
    partners and a literal with a twin, each over nodes of different chunks: the split
    closure holds what each rule infers, and is the whole closure."""
    store = store_of(ONTOLOGY, DATA)
    assert chunks_made(store, 1, tmp_path) > 15
    whole, split = both(store, 1)
    expected = {
        (ex("a1"), ex("precedes"), ex("a4")),  # sub-property, then transitive, over 3 chunks
        (ex("a4"), RDF_TYPE, ex("Fact")),  # the range, on the chain's far end
        (ex("day"), SAME, ex("week")),  # x's two precisions are one thing (prp-fp)
        (ex("week"), ex("label"), ox.Literal("day")),  # ... with both labels (eq-rep-s)
        (ex("y"), ex("about"), ex("week")),  # ... and what points at one, at both (eq-rep-o)
        (ex("v"), ex("partOf"), ex("w")),  # the inverse, on the other node
        (ex("w"), RDF_TYPE, ex("Whole")),  # ... and its range, on w
        (ex("m2"), ex("label"), ox.Literal("one")),  # sameAs partners share their triples
        (ex("z"), ex("about"), ex("m2")),
        (ex("f"), ex("on"), dated("2023-01-02")),  # the same date as f's, through e
        (ex("r"), ex("near"), ex("q")),  # symmetric
        (ex("q"), RDF_TYPE, ex("Spot")),  # the range, then an equivalent class
        (ex("held"), RDF_TYPE, ex("Status")),  # the range on a node many point at
    }
    assert expected <= whole
    assert split == whole


def test_owls_own_inferences_on_unnamed_subjects() -> None:
    """What reasonable infers of terms no triple names as subject or object (owl:Thing,
    owl:Nothing) comes once."""
    store = store_of(ONTOLOGY, DATA)
    split = list(_closure(store, "reasonable", 1))
    nothing = [t for t in split if t[0] == ox.NamedNode(OWL + "Nothing")]
    assert (ox.NamedNode(OWL + "Nothing"), RDF_TYPE, ox.NamedNode(OWL + "Class")) in nothing
    assert len(nothing) == len(set(nothing))


@pytest.mark.parametrize(
    ("ontology", "data"),
    [
        (ONTOLOGY + "ex:R owl:someValuesFrom ex:Fact ; owl:onProperty ex:about .", DATA),
        (ONTOLOGY + "ex:key a owl:InverseFunctionalProperty .", DATA),
        (ONTOLOGY, DATA + "ex:about a owl:TransitiveProperty ."),  # schema in the data
        (ONTOLOGY, DATA + "ex:q owl:sameAs ex:about ."),  # a property with a twin
    ],
    ids=["restriction", "inverse-functional", "schema-in-data", "property-twin"],
)
def test_what_a_split_cannot_follow_is_closed_whole(ontology: str, data: str) -> None:
    """Axioms whose rules join any two nodes' triples, or schema in the data: no split;
    the closure is then the whole graph's."""
    store = store_of(ontology, data)
    assert _split_plan(store) is None
    whole, split = both(store, 1)
    assert split == whole


def test_schema_the_data_makes_stops_the_split() -> None:
    """Schema the data only implies (a property made transitive by a range) is found when
    the chunks infer it: the split closure stops rather than miss what it implies."""
    ontology = ONTOLOGY + "ex:kind rdfs:range owl:TransitiveProperty .\n"
    store = store_of(ontology, DATA + "ex:thing ex:kind ex:about .\n")
    plan = _split_plan(store)
    assert plan is not None
    with pytest.raises(Unsplittable):
        list(_split_closure(store, plan, 1))


# ------------------------------------------------------------------ the article, synthetic


@pytest.fixture(scope="module")
def article(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ox.Store]:
    """The article project's index (on a copy), open."""
    root = copy_project(find_project(), tmp_path_factory.mktemp("article"))
    with open_index(Project(root)) as index:
        yield index.store


def test_article_split_is_whole(article: ox.Store, tmp_path: Path) -> None:
    """On the article's graph, in chunks of 200 triples, the closure is the whole one."""
    assert chunks_made(article, 200, tmp_path) >= 5
    whole, split = both(article, 200)
    assert len(whole) > 3000
    assert split == whole


def test_synthetic_split_is_whole(tmp_path: Path) -> None:
    """On a synthetic project (tenures ordered by det:precedes, dated facts with a precision),
    in chunks of 500 triples, the closure is the whole one."""
    synth(3000, seed=5, out=tmp_path / "synth", contribution_sizes=(), article=False)
    with open_index(Project(tmp_path / "synth")) as index:
        precedes = ox.NamedNode("https://w3id.org/detente/ontology#precedes")
        assert next(iter(index.store.quads_for_pattern(None, precedes, None, DEFAULT)), None)
        assert chunks_made(index.store, 500, tmp_path / "chunks") >= 5
        whole, split = both(index.store, 500)
    assert split == whole


def small_project(root: Path, ontology: str, data: str) -> Project:
    """A project of one ontology file and one data file."""
    for folder, text in (("ontology", ontology), ("data", data)):
        (root / folder).mkdir(parents=True)
        (root / folder / "small.ttl").write_text(PREFIXES + text, encoding="utf-8")
    return Project(root)


def test_ensure_closure_keeps_what_the_closure_adds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inferred graph, computed a subject a chunk, holds the whole closure less the
    asserted triples."""
    monkeypatch.setattr("detente.index.CLOSURE_CHUNK", 1)
    with open_index(small_project(tmp_path, ONTOLOGY, DATA)) as index:
        ensure_closure(index)
        inferred = ox.NamedNode(str(INFERRED_GRAPH))
        kept = {q.triple for q in index.store.quads_for_pattern(None, None, None, inferred)}
        asserted = {q.triple for q in index.store.quads_for_pattern(None, None, None, DEFAULT)}
        whole = {ox.Triple(*t) for t in _closure(index.store, "reasonable", None)}  # type: ignore[misc]
    assert ox.Triple(ex("a1"), ex("precedes"), ex("a4")) in kept
    assert kept == whole - asserted


def test_ensure_closure_falls_back_to_the_whole_graph(tmp_path: Path) -> None:
    """When the data makes schema (here a property transitive), the closure kept is the
    whole graph's."""
    ontology = ONTOLOGY + "ex:kind rdfs:range owl:TransitiveProperty .\n"
    data = DATA + "ex:thing ex:kind ex:linked .\nex:a ex:linked ex:b .\nex:b ex:linked ex:c .\n"
    with open_index(small_project(tmp_path, ontology, data)) as index:
        ensure_closure(index)
        inferred = ox.NamedNode(str(INFERRED_GRAPH))
        assert list(index.store.quads_for_pattern(ex("a"), ex("linked"), ex("c"), inferred))


# ------------------------------------------------------------------ memory


class Sized:
    """An index of a given number of triples, as `_afford_closure` sees it."""

    folder = Path("/nowhere")

    def __init__(self, triples: int) -> None:
        self.count = triples

    def triples(self) -> int:
        """The number of asserted triples."""
        return self.count


def test_a_million_triples_fit_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """With 8 GB free, the closure of a million triples is afforded split, refused whole."""
    monkeypatch.setattr("detente.index._available_memory", lambda: 8 * 2**30)
    _afford_closure(Sized(1_000_000), split=True)  # type: ignore[arg-type]
    assert 1_000_000 * WHOLE_CLOSURE_BYTES_PER_TRIPLE > 8 * 2**30
    with pytest.raises(InputError, match="needs about"):
        _afford_closure(Sized(1_000_000), split=False)  # type: ignore[arg-type]
