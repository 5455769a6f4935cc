"""The dumps of a publication and its dataset description (issue 9).

Every dump is read back by tools that share no code with rdflib (Debian's `rapper` and `serdi`,
`pyld` for JSON-LD, which must never fetch a remote context) and compared with the graphs rdflib
builds from the project's own files. The VoID + DCAT description is held to counts taken here,
independently, from the data: the one report (DW, 30 May 2023) and the background file.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import require_tool
from pyld import jsonld
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, XSD
from rdflib.term import Node

from detente.kg import Project, Sources
from detente.publish.dumps import GZIP_FROM_BYTES, serialize, serialize_dataset, stable

ID = "https://w3id.org/detente/id/"
GRAPH = ID + "graph/"
DET = Namespace("https://w3id.org/detente/ontology#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
IANA = "https://www.iana.org/assignments/media-types/"
BASE = "https://w3id.org/detente/"  # the default --base-url
REPORT = URIRef(ID + "report/dw-2023-05-30")  # the article the data is taken from
DATASET = URIRef(BASE + "void.ttl#dataset")

PARTS = ("ontology", "shapes", "data", "closure")
TRIPLE_EXTENSIONS = ("ttl", "nt", "rdf", "jsonld")
QUAD_EXTENSIONS = ("trig", "nq")
MEDIA_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "trig": "application/trig",
    "nq": "application/n-quads",
}
FORMAT_NAMES = {  # the W3C's names of the syntaxes (http://www.w3.org/ns/formats/)
    "ttl": "Turtle",
    "nt": "N-Triples",
    "rdf": "RDF_XML",
    "jsonld": "JSON-LD",
    "trig": "TriG",
    "nq": "N-Quads",
}
RAPPER = {"ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml", "trig": "trig", "nq": "nquads"}
SERDI = {"ttl": "turtle", "nt": "ntriples", "trig": "trig", "nq": "nquads"}
TRIPLE_DUMPS = [f"detente-{part}.{ext}" for part in PARTS for ext in TRIPLE_EXTENSIONS]
QUAD_DUMPS = [f"detente-dataset.{ext}" for ext in QUAD_EXTENSIONS]
REMOTE = "https://example.org/context.jsonld"

Run = tuple[int, str, str]  # exit status, stdout, stderr


def extension_of(name: str) -> str:
    """A dump's syntax: the extension of its file name."""
    return name.rsplit(".", 1)[1]


def part_of(name: str) -> str:
    """A dump's part: ontology, shapes, data, closure or dataset."""
    return name.removeprefix("detente-").split(".")[0]


# ------------------------------------------------------------------ what rdflib builds


def union(*graphs: Graph) -> Graph:
    """The triples of some graphs in one new graph."""
    result = Graph()
    for graph in graphs:
        for triple in graph:
            result.add(triple)
    return result


Triple = tuple[Node, Node, Node]


def split(graph: Graph) -> tuple[set[Triple], Graph]:
    """A graph's triples without blank nodes, and a graph of those with blank nodes."""
    ground: set[Triple] = set()
    blank = Graph()
    for triple in graph:
        if any(isinstance(term, BNode) for term in triple):
            blank.add(triple)
        else:
            ground.add(triple)
    return ground, blank


def assert_same_graph(found: Graph, wanted: Graph, what: str) -> None:
    """Two graphs are isomorphic: the same triples without blank nodes, and the triples with
    blank nodes isomorphic (the costly comparison, kept to the few of them)."""
    found_ground, found_blank = split(found)
    wanted_ground, wanted_blank = split(wanted)
    missing = sorted(wanted_ground - found_ground)[:5]
    extra = sorted(found_ground - wanted_ground)[:5]
    assert not missing and not extra, f"{what}: missing {missing}, unexpected {extra}"
    assert isomorphic(found_blank, wanted_blank), f"{what}: the blank node triples differ"


@pytest.fixture(scope="module")
def file_graphs(project: Project) -> dict[URIRef, Graph]:
    """Each data file read on its own by rdflib, under the name id/graph/<file stem>."""
    return {
        URIRef(GRAPH + path.stem): Graph().parse(path, format="turtle")
        for path in sorted((project.root / "data").glob("*.ttl"))
    }


@pytest.fixture(scope="module")
def expected(sources: Sources, closed: Graph, file_graphs: dict[URIRef, Graph]) -> dict[str, Graph]:
    """The graph each triple dump must hold."""
    data = union(*file_graphs.values())
    assert isomorphic(data, sources.data)
    return {
        "ontology": sources.ontology,
        "shapes": sources.shapes,
        "data": data,
        "closure": union(sources.ontology, sources.data, closed),
    }


@pytest.fixture(scope="module")
def expected_graphs(
    sources: Sources, closed: Graph, file_graphs: dict[URIRef, Graph]
) -> dict[URIRef, Graph]:
    """The named graphs the dataset dump must hold: the files, ontology, shapes, meta, inferred.

    The meta graph says where each file's graph comes from: dw-2023-05-30 from the report of
    that name, background from no report. The inferred graph is what the closure adds."""
    meta = Graph()
    for name in file_graphs:
        meta.add((name, RDF.type, PROV.Bundle))
        if name == URIRef(GRAPH + "background"):
            meta.add((name, DCTERMS.type, DET.Background))
        else:
            meta.add((name, PROV.wasDerivedFrom, URIRef(ID + "report/" + name[len(GRAPH) :])))
    asserted = union(sources.ontology, sources.data, meta)
    inferred = Graph()
    for triple in closed:
        if triple not in asserted:
            inferred.add(triple)
    return {
        **file_graphs,
        URIRef(GRAPH + "ontology"): sources.ontology,
        URIRef(GRAPH + "shapes"): sources.shapes,
        URIRef(GRAPH + "meta"): meta,
        URIRef(GRAPH + "inferred"): inferred,
    }


def test_the_data_files_are_the_report_and_the_background(
    file_graphs: dict[URIRef, Graph],
) -> None:
    """The project holds what the DW article says and the background, one graph each."""
    assert {URIRef(GRAPH + "dw-2023-05-30"), URIRef(GRAPH + "background")} <= set(file_graphs)
    assert (REPORT, RDF.type, DET.NewsArticle) in file_graphs[URIRef(GRAPH + "dw-2023-05-30")]


# ------------------------------------------------------------------ the tools, run once


def run_all(commands: list[list[str]]) -> list[Run]:
    """Run commands side by side; each one's exit status, stdout and stderr."""

    def one(command: list[str]) -> Run:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        return done.returncode, done.stdout, done.stderr

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, commands))


@pytest.fixture(scope="module")
def dumps(publication: Path) -> Path:
    """The publication's dumps folder."""
    return publication / "dumps"


@pytest.fixture(scope="module")
def rapper_runs(dumps: Path) -> dict[str, Run]:
    """`rapper` on every dump it reads, writing N-Triples (N-Quads for the datasets)."""
    rapper = require_tool("rapper")
    names = [n for n in TRIPLE_DUMPS + QUAD_DUMPS if not n.endswith(".jsonld")]
    commands = []
    for name in names:
        extension = extension_of(name)
        out = "nquads" if extension in QUAD_EXTENSIONS else "ntriples"
        commands.append([rapper, "-q", "-i", RAPPER[extension], "-o", out, str(dumps / name)])
    return dict(zip(names, run_all(commands), strict=True))


@pytest.fixture(scope="module")
def serdi_runs(dumps: Path) -> dict[str, Run]:
    """`serdi` on every dump it reads, writing N-Quads."""
    serdi = require_tool("serdi")
    names = [n for n in TRIPLE_DUMPS + QUAD_DUMPS if extension_of(n) in SERDI]
    commands = [
        [serdi, "-i", SERDI[extension_of(n)], "-o", "nquads", str(dumps / n)] for n in names
    ]
    return dict(zip(names, run_all(commands), strict=True))


def read_back(run: Run, name: str) -> Graph:
    """The N-Triples a tool wrote, read by rdflib, after checking the tool had no complaint."""
    status, out, err = run
    assert status == 0 and err == "", f"{name}: exit {status}\n{err}"
    return Graph().parse(data=out, format="nt")


def read_back_dataset(run: Run, name: str) -> Dataset:
    """The N-Quads a tool wrote, read by rdflib, after checking the tool had no complaint."""
    status, out, err = run
    assert status == 0 and err == "", f"{name}: exit {status}\n{err}"
    return Dataset().parse(data=out, format="nquads")


def named_graphs(dataset: Dataset) -> dict[Node, Graph]:
    """A dataset's non-empty graphs by name (the default graph under None)."""
    found: dict[Node, Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        found.setdefault(g, Graph()).add((s, p, o))
    return found


# ------------------------------------------------------------------ the files


def test_every_dump_is_written_and_the_large_ones_gzipped(dumps: Path) -> None:
    """Four parts in four syntaxes, the dataset in two, and a .gz copy of each large one."""
    names = {path.name for path in dumps.iterdir()}
    plain = set(TRIPLE_DUMPS + QUAD_DUMPS)
    large = {name for name in plain if (dumps / name).stat().st_size >= GZIP_FROM_BYTES}
    assert "detente-closure.nt" in large  # the closure is some 3000 triples
    assert names == plain | {name + ".gz" for name in large}


def test_gzip_copies_hold_exactly_their_file(dumps: Path) -> None:
    """Each .gz decompresses to the bytes of the file beside it."""
    copies = sorted(dumps.glob("*.gz"))
    assert copies
    for copy in copies:
        assert gzip.decompress(copy.read_bytes()) == (dumps / copy.stem).read_bytes(), copy.name


# ------------------------------------------------------------------ rapper and serdi


@pytest.mark.parametrize("name", [n for n in TRIPLE_DUMPS if not n.endswith(".jsonld")])
def test_rapper_reads_each_triple_dump_as_the_graph_rdflib_built(
    rapper_runs: dict[str, Run], expected: dict[str, Graph], name: str
) -> None:
    """rapper parses the dump without a warning, and finds the very graph of its part."""
    part = part_of(name)
    assert_same_graph(read_back(rapper_runs[name], name), expected[part], name)


@pytest.mark.parametrize("name", QUAD_DUMPS)
def test_rapper_reads_the_dataset_graph_by_graph(
    rapper_runs: dict[str, Run], expected_graphs: dict[URIRef, Graph], name: str
) -> None:
    """The dataset names one graph per data file, plus ontology, shapes, meta and inferred,
    each the graph rdflib built; nothing is left in the default graph."""
    found = named_graphs(read_back_dataset(rapper_runs[name], name))
    assert set(found) == set(expected_graphs)
    for graph_name, graph in expected_graphs.items():
        assert_same_graph(found[graph_name], graph, f"{name}, graph {graph_name}")


@pytest.mark.parametrize("name", [n for n in TRIPLE_DUMPS + QUAD_DUMPS if extension_of(n) in SERDI])
def test_serdi_reads_each_dump_statement_for_statement(
    serdi_runs: dict[str, Run],
    expected: dict[str, Graph],
    expected_graphs: dict[URIRef, Graph],
    name: str,
) -> None:
    """serdi parses the dump without complaint and counts as many statements as rdflib has."""
    status, out, err = serdi_runs[name]
    assert status == 0 and err == "", f"{name}: exit {status}\n{err}"
    part = part_of(name)
    if part == "dataset":
        count = sum(len(graph) for graph in expected_graphs.values())
    else:
        count = len(expected[part])
    assert len(out.splitlines()) == count


# ------------------------------------------------------------------ JSON-LD with pyld


class Fetched(Exception):
    """pyld asked for a document over the network."""


@pytest.fixture
def asked() -> list[str]:
    """The URLs pyld asked the refusing document loader for."""
    return []


def to_rdf(document: Any, asked: list[str]) -> Graph:
    """A JSON-LD document as RDF by pyld, with a document loader that refuses every URL."""

    def refuse(url: str, options: object = None) -> Any:
        asked.append(url)
        raise Fetched(url)

    quads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": refuse})
    return Graph().parse(data=quads, format="nt")


@pytest.mark.parametrize("part", PARTS)
def test_pyld_reads_each_json_ld_dump_as_the_graph_rdflib_built(
    dumps: Path, expected: dict[str, Graph], asked: list[str], part: str
) -> None:
    """The JSON-LD dump, expanded by pyld with no way to fetch anything, is the part's graph."""
    document = json.loads((dumps / f"detente-{part}.jsonld").read_text(encoding="utf-8"))
    assert_same_graph(to_rdf(document, asked), expected[part], f"detente-{part}.jsonld")
    assert asked == []


def test_a_remote_context_fails_rather_than_being_fetched(dumps: Path, asked: list[str]) -> None:
    """The same document pointing at a remote context cannot be read: nothing is fetched."""
    document = json.loads((dumps / "detente-data.jsonld").read_text(encoding="utf-8"))
    document["@context"] = REMOTE
    with pytest.raises(jsonld.JsonLdError):
        to_rdf(document, asked)
    assert asked == [REMOTE]


def contexts(value: object) -> Iterator[object]:
    """Every value of "@context" in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                yield item
            yield from contexts(item)
    elif isinstance(value, list):
        for item in value:
            yield from contexts(item)


def json_ld_files(publication: Path) -> list[Path]:
    """Every JSON-LD file of the publication: dumps, documents, the ontology, the context."""
    return sorted(publication.rglob("*.jsonld"))


def test_no_json_ld_document_names_a_remote_context(publication: Path) -> None:
    """Every @context is written out in full, in the dumps and in each thing's document."""
    files = json_ld_files(publication)
    assert {"detente-data.jsonld", "li-shangfu.jsonld", "context.jsonld"} <= {f.name for f in files}
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'"@context"\s*:\s*\[?\s*"', text), path
        for context in contexts(json.loads(text)):
            assert isinstance(context, dict), path


@pytest.mark.parametrize(
    "thing", ["person/li-shangfu", "meeting/2023-austin-li-shangri-la", "report/dw-2023-05-30"]
)
def test_a_thing_s_json_ld_document_reads_without_the_network(
    publication: Path, sources: Sources, asked: list[str], thing: str
) -> None:
    """pyld reads a thing's document with no document loader; it speaks of the thing."""
    path = publication / "doc" / f"{thing}.jsonld"
    graph = to_rdf(json.loads(path.read_text(encoding="utf-8")), asked)
    iri = URIRef(ID + thing)
    assert set(graph.predicate_objects(iri)) == set(sources.data.predicate_objects(iri))
    assert asked == []


def test_the_shipped_context_is_the_one_the_dumps_embed(dumps: Path, publication: Path) -> None:
    """context.jsonld holds the prefixes (det among them) that each JSON-LD dump embeds."""
    context = json.loads((publication / "context.jsonld").read_text(encoding="utf-8"))
    assert set(context) == {"@context"} and isinstance(context["@context"], dict)
    assert context["@context"]["det"] == str(DET)
    for name in TRIPLE_DUMPS:
        if name.endswith(".jsonld"):
            embedded = json.loads((dumps / name).read_text(encoding="utf-8"))["@context"]
            assert embedded == context["@context"], name


# ------------------------------------------------------------------ the same bytes every time


# Shapes-like blank nodes: nested, in lists, two alike, and two in a cycle.
BLANK_NODES = """
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:Shape sh:property [ sh:path ex:p ; sh:in ( ex:a ex:b [ ex:q 1 ] ) ] ,
    [ sh:path ex:p ; sh:or ( [ sh:class ex:C ] [ sh:class ex:D ] ) ] .
ex:twins ex:has [ ex:q "same" ] , [ ex:q "same" ] .
_:one ex:next _:two . _:two ex:next _:one .
"""
EX = Namespace("http://example.org/")


def read_twice() -> tuple[Graph, Graph]:
    """The blank node snippet read twice (new blank node names each time), the second copy
    made by adding its triples in the reverse order."""
    first = Graph().parse(data=BLANK_NODES, format="turtle")
    read = Graph().parse(data=BLANK_NODES, format="turtle")
    second = Graph(bind_namespaces="none")
    for prefix, namespace in read.namespaces():
        second.bind(prefix, namespace)
    for triple in sorted(read, reverse=True):
        second.add(triple)
    assert set(first) != set(second)  # the same graph, not the same blank nodes
    return first, second


@pytest.mark.parametrize("extension", TRIPLE_EXTENSIONS)
def test_a_dump_does_not_depend_on_blank_node_names_or_order(extension: str) -> None:
    """The same graph read twice gives the same text, and the text holds the graph."""
    first, second = read_twice()
    context = {"ex": str(EX), "sh": "http://www.w3.org/ns/shacl#"}
    text = serialize(first, extension, context)
    assert serialize(second, extension, context) == text
    form = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}[extension]
    assert_same_graph(Graph().parse(data=text, format=form), first, extension)


def test_blank_nodes_alike_stay_apart() -> None:
    """Two blank nodes with the same triples around them are still two nodes."""
    first, _ = read_twice()
    assert len(set(first.objects(EX.twins, EX.has))) == 2
    assert len(stable(first)) == len(first)
    assert_same_graph(stable(first), first, "stable")


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_a_dataset_dump_keeps_a_blank_node_shared_by_two_graphs() -> None:
    """TriG and N-Quads are the same text however the blank nodes are named, and a blank node
    in two graphs (a shape, and a remark about it in another graph) is one node read back."""

    def dataset(graph: Graph) -> Dataset:
        built = Dataset()
        target = built.graph(EX.shapes)
        target += graph
        remarks = built.graph(EX.remarks)
        for node in graph.objects(EX.Shape, URIRef("http://www.w3.org/ns/shacl#property")):
            remarks.add((node, EX.remark, Literal("checked")))
        return built

    first, second = (dataset(graph) for graph in read_twice())
    for extension in QUAD_EXTENSIONS:
        text = serialize_dataset(first, extension)
        assert serialize_dataset(second, extension) == text
        read = Dataset().parse(data=text, format="trig" if extension == "trig" else "nquads")
        remarked = set(read.graph(EX.remarks).subjects())
        assert len(remarked) == 2, extension
        assert remarked <= set(read.graph(EX.shapes).objects(EX.Shape, None)), extension


# ------------------------------------------------------------------ VoID and DCAT


@pytest.fixture(scope="module")
def void(publication: Path) -> Graph:
    """The dataset description, read by rdflib."""
    return Graph().parse(publication / "void.ttl", format="turtle")


def number(graph: Graph, subject: Node, predicate: URIRef) -> int:
    """The one integer a subject has for a predicate."""
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    literal = values[0]
    assert isinstance(literal, Literal)
    return int(literal)


def test_well_known_void_is_void_ttl(publication: Path) -> None:
    """/.well-known/void serves the same bytes as void.ttl."""
    described = (publication / "void.ttl").read_bytes()
    assert (publication / ".well-known" / "void").read_bytes() == described


def test_void_counts_the_triples_and_things_of_the_data(
    void: Graph, expected: dict[str, Graph]
) -> None:
    """void:triples is the data's size; void:entities the things of id/ that have triples."""
    data = expected["data"]
    things = {s for s in data.subjects() if isinstance(s, URIRef) and s.startswith(ID)}
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert (DATASET, RDF.type, DCAT.Dataset) in void
    assert number(void, DATASET, VOID.triples) == len(data)
    assert number(void, DATASET, VOID.entities) == len(things)
    assert URIRef(ID + "person/li-shangfu") in things


def test_void_has_one_class_partition_per_class_with_its_things(
    void: Graph, expected: dict[str, Graph]
) -> None:
    """Each class the data types things with has one partition counting those things."""
    data = expected["data"]
    typed: dict[Node, set[Node]] = {}
    for thing, cls in data.subject_objects(RDF.type):
        typed.setdefault(cls, set()).add(thing)
    partitions = list(void.objects(DATASET, VOID.classPartition))
    classes = [void.value(partition, VOID["class"]) for partition in partitions]
    assert sorted(classes) == sorted(typed)  # one partition each
    for partition, cls in zip(partitions, classes, strict=True):
        assert number(void, partition, VOID.entities) == len(typed[cls]), cls
    meetings = void.value(predicate=VOID["class"], object=DET.Meeting)
    assert meetings is not None and number(void, meetings, VOID.entities) >= 2


def test_void_has_one_property_partition_per_property_with_its_triples(
    void: Graph, expected: dict[str, Graph]
) -> None:
    """Each property the data uses has one partition counting its triples."""
    counts = Counter(p for _, p, _ in expected["data"])
    partitions = list(void.objects(DATASET, VOID.propertyPartition))
    properties = [void.value(partition, VOID.property) for partition in partitions]
    assert sorted(properties) == sorted(counts)  # one partition each
    for partition, prop in zip(partitions, properties, strict=True):
        assert number(void, partition, VOID.triples) == counts[prop], prop


def test_every_dump_is_a_distribution_with_its_media_type_and_size(
    void: Graph, dumps: Path
) -> None:
    """Each file of dumps/ is a dcat:Distribution: where to download it, its IANA media type
    (for a .gz, that of what it holds, compressed with gzip) and its real size in bytes."""
    files = sorted(dumps.iterdir())
    distributions = set(void.objects(DATASET, DCAT.distribution))
    assert distributions == {URIRef(BASE + "dumps/" + path.name) for path in files}
    for path in files:
        url = URIRef(BASE + "dumps/" + path.name)
        compressed = path.suffix == ".gz"
        extension = (path.with_suffix("") if compressed else path).suffix[1:]
        assert (url, RDF.type, DCAT.Distribution) in void
        assert (url, DCAT.downloadURL, url) in void
        media = URIRef(IANA + MEDIA_TYPES[extension])
        assert set(void.objects(url, DCAT.mediaType)) == {media}, path.name
        gzipped = {URIRef(IANA + "application/gzip")} if compressed else set()
        assert set(void.objects(url, DCAT.compressFormat)) == gzipped, path.name
        size = void.value(url, DCAT.byteSize)
        assert size == Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger), path.name
    features = {URIRef("http://www.w3.org/ns/formats/" + name) for name in FORMAT_NAMES.values()}
    assert set(void.objects(DATASET, VOID.feature)) == features


def test_the_sparql_endpoint_is_a_data_service_serving_the_dataset(void: Graph) -> None:
    """The endpoint is described as a DCAT 3 data service for this dataset."""
    services = set(void.subjects(DCAT.servesDataset, DATASET))
    assert len(services) == 1
    service = services.pop()
    assert (service, RDF.type, DCAT.DataService) in void
    assert void.value(service, DCAT.endpointURL) == URIRef(BASE + "sparql")
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")


def test_void_names_examples_licence_and_the_report_it_comes_from(
    void: Graph, expected: dict[str, Graph], sources: Sources, file_graphs: dict[URIRef, Graph]
) -> None:
    """Example things exist in the data; the dataset and each dump carry the ontology's
    licence; the data comes from the DW report."""
    examples = set(void.objects(DATASET, VOID.exampleResource))
    assert examples and examples <= set(expected["data"].subjects())
    licence = sources.ontology.value(URIRef(BASE + "ontology"), DCTERMS.license)
    assert licence is not None and set(void.objects(DATASET, DCTERMS.license)) == {licence}
    for distribution in void.objects(DATASET, DCAT.distribution):
        assert set(void.objects(distribution, DCTERMS.license)) == {licence}, distribution
    reports = {URIRef(ID + "report/" + name[len(GRAPH) :]) for name in file_graphs}
    reports.discard(URIRef(ID + "report/background"))
    assert REPORT in reports
    assert set(void.objects(DATASET, PROV.wasDerivedFrom)) == reports


def test_each_source_graph_is_a_subset_with_its_triples(
    void: Graph, file_graphs: dict[URIRef, Graph]
) -> None:
    """Each data file's graph is a void:subset counting its own triples; the report's graph
    is derived from the report, the background's from none."""
    assert set(void.objects(DATASET, VOID.subset)) == set(file_graphs)
    for name, graph in file_graphs.items():
        assert number(void, name, VOID.triples) == len(graph), name
    assert void.value(URIRef(GRAPH + "dw-2023-05-30"), PROV.wasDerivedFrom) == REPORT
    assert void.value(URIRef(GRAPH + "background"), PROV.wasDerivedFrom) is None
