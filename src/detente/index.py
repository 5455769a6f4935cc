"""A project's persistent index: its graphs in an on-disk pyoxigraph store, kept up to date.

The index lives in a folder (default `<project>/.cache/index`): `store/` is the pyoxigraph
store, `state.json` says what it holds (each source file's size, time and digest; whether the
closure is current; the findings of the whole graph, once judged), and `answers/` keeps the
answers of questions already asked of these files (emptied when they change). In the store:

- the default graph holds ontology + data, each triple once: what checks and questions see;
- one named graph per data file (id/graph/<stem>), the ontology's, meta, and the inferred
  triples of the OWL 2 RL closure (computed when first needed, then kept until data changes).

Opening the index compares the files with the state and re-reads only those that changed.
The index is a cache: deleting the folder loses nothing; a damaged one is rebuilt.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby, islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from filelock import FileLock
from rdflib import BNode, Graph

from detente import __version__
from detente.engines import to_oxigraph
from detente.kg import (
    INFERRED_GRAPH,
    META_GRAPH,
    ONTOLOGY_GRAPH,
    Project,
    graph_name,
    meta_graph,
)
from detente.read import InputError
from detente.reason import (
    META_CLASSES,
    RDF_TYPE,
    SAME_AS,
    SCHEMA_PREDICATES,
    NTriple,
    PropertyAxioms,
    lean_ontology,
    link_closure,
    property_axioms,
)

FORMAT = 2  # the layout of the index; another value means: rebuild
DEFAULT = ox.DefaultGraph()
Quad = ox.Quad
Term = ox.NamedNode | ox.BlankNode | ox.Literal
DERIVED = (ox.NamedNode(str(META_GRAPH)), ox.NamedNode(str(INFERRED_GRAPH)))  # not sources


def index_folder(project: Project) -> Path:
    """Where a project's index lives by default."""
    return project.root / ".cache" / "index"


@dataclass
class Refresh:
    """What opening the index re-read: files added, changed and removed, and the time taken."""

    built: bool = False
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    retimed: bool = False  # files touched but unchanged: only their times are new
    # the triples that left and entered the data, for keeping findings current
    gone: list[Quad] = field(default_factory=list, repr=False)
    came: list[Quad] = field(default_factory=list, repr=False)

    @property
    def touched(self) -> bool:
        """Whether anything was re-read."""
        return bool(self.built or self.added or self.changed or self.removed)


@dataclass
class Index:
    """An open index: the project, its folder, the store and what the store holds."""

    project: Project
    folder: Path
    store: ox.Store
    state: dict[str, Any]
    refresh: Refresh

    def prefixes(self, graph: str) -> dict[str, str]:
        """The prefixes the files of a graph declare."""
        return self.state.setdefault("prefixes", {}).setdefault(graph, {})  # type: ignore[no-any-return]

    def names(self) -> Graph:
        """An empty graph with the project's prefixes (the data's first), to name terms."""
        graph = Graph(bind_namespaces="none")
        bound: set[tuple[str, str]] = set()  # files declare the same prefixes: bind each once
        for name in [*sorted(self.state["files"].get("data", {})), str(ONTOLOGY_GRAPH)]:
            for pair in self.prefixes(name).items():
                if pair not in bound:
                    bound.add(pair)
                    graph.bind(*pair, override=False)
        graph.bind("prov", "http://www.w3.org/ns/prov#", override=False)
        return graph

    @property
    def path(self) -> Path:
        """The folder of the on-disk store."""
        return self.folder / "store"

    @property
    def data_graphs(self) -> list[ox.NamedNode]:
        """The named graphs of the data files, in file order."""
        return [ox.NamedNode(name) for name in sorted(self.state["files"]["data"])]

    def triples(self) -> int:
        """The number of asserted triples (ontology + data, each once)."""
        return int(self.state.get("triples", 0))

    @contextmanager
    def readers(self) -> Iterator[Path]:
        """Close the store for a while, so that other processes can open it read-only (while
        this process holds it, its compactions may delete files under their feet)."""
        self.store.flush()
        self.let_go()
        try:
            yield self.path
        finally:
            self.store = _store_at(self.path)

    def let_go(self) -> None:
        """Drop the store, so that it closes (pyoxigraph closes a store when it is freed)."""
        # Views of the store can end up in reference cycles (through the tracebacks of
        # exceptions rdflib catches while reading literals): when anything besides this
        # attribute still holds it, collect them now, so that the store closes and the
        # index can be opened again in this process. (A collection costs tens of ms; what
        # holds the store without a reference, such as an iterator in a cycle, is collected
        # when the store is opened again: `_store_at`.)
        held = sys.getrefcount(self.store) > 2  # the attribute, and the call's argument
        del self.store
        if held:
            gc.collect()

    def holding(self) -> str:
        """A digest of what the store holds: the digest of every source file, the layout and
        the toolkit's version."""
        files = self.state["files"]
        digests = {
            kind: {n: f["sha256"] for n, f in group.items()} for kind, group in files.items()
        }
        text = json.dumps([FORMAT, __version__, digests], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def answers(self) -> Path:
        """The folder of the answers kept for the files as they are."""
        return self.folder / "answers"

    def kept(self, key: str) -> Any | None:
        """The answer kept under a key, or None (none kept, or unreadable: it is asked again)."""
        try:
            return json.loads((self.answers / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None

    def keep(self, key: str, answer: Any) -> None:
        """Keep an answer under a key, written atomically (a full disk or a folder that cannot
        be written keeps nothing, and loses nothing)."""
        path = self.answers / f"{key}.json"
        temporary = path.with_suffix(".tmp")
        try:
            self.answers.mkdir(exist_ok=True)
            temporary.write_text(json.dumps(answer, separators=(",", ":")), encoding="utf-8")
            temporary.replace(path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)

    def save(self) -> None:
        """Write the state beside the store, atomically."""
        self.store.flush()
        path = self.folder / "state.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.state, indent=1, sort_keys=True), encoding="utf-8")
        temporary.replace(path)


def _fingerprint(path: Path, known: dict[str, Any] | None) -> dict[str, Any]:
    """A file's size, time and digest; the digest is reused while size and time agree."""
    stat = path.stat()
    if known and known["size"] == stat.st_size and known["mtime_ns"] == stat.st_mtime_ns:
        return known
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}


def _same(known: dict[str, Any] | None, fingerprint: dict[str, Any]) -> bool:
    """Whether a file still holds what was read (the same digest: a copy or a touch is no
    change)."""
    return known is not None and known["sha256"] == fingerprint["sha256"]


def _parse(path: Path, prefixes: dict[str, str] | None = None) -> list[ox.Triple]:
    """The triples of a project Turtle file (its prefixes added to those given), or an error
    naming the file, line and column."""
    try:
        parser = ox.parse(path=path, format=ox.RdfFormat.TURTLE)
        triples = [quad.triple for quad in parser]
    except SyntaxError as err:
        raise InputError(str(path), f"Turtle syntax error: {err.msg}") from None
    if prefixes is not None:
        for prefix, namespace in parser.prefixes.items():
            prefixes.setdefault(prefix, namespace)
    return triples


def _graph_of(
    triples: Iterable[ox.Triple], graph: ox.NamedNode | ox.DefaultGraph
) -> Iterator[Quad]:
    """The triples as quads of one graph."""
    for triple in triples:
        yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)


def _drop_graph(store: ox.Store, name: ox.NamedNode) -> list[Quad]:
    """Remove a source graph, and from the default graph its triples no other source holds."""
    gone = list(store.quads_for_pattern(None, None, None, name))
    for quad in gone:
        s, p, o = quad.subject, quad.predicate, quad.object
        holders = {q.graph_name for q in store.quads_for_pattern(s, p, o, None)}
        if not holders - {DEFAULT, name, *DERIVED}:
            store.remove(ox.Quad(s, p, o, DEFAULT))
    store.remove_graph(name)
    return gone


def _has(store: ox.Store, s: Any, p: Any, o: Any, graph: Any) -> bool:
    """Whether a graph of the store holds a triple."""
    return next(iter(store.quads_for_pattern(s, p, o, graph)), None) is not None


def _load_graph(store: ox.Store, name: ox.NamedNode, triples: list[ox.Triple]) -> list[Quad]:
    """Put a source graph's triples in its named graph and in the default graph."""
    quads = list(_graph_of(triples, name))
    store.bulk_extend(quads)
    store.bulk_extend(_graph_of(triples, DEFAULT))
    return quads


def _write_meta(index: Index) -> None:
    """Rewrite the meta graph: which report each data graph comes from."""
    from rdflib import URIRef

    index.store.remove_graph(ox.NamedNode(str(META_GRAPH)))
    meta = meta_graph({URIRef(g.value): Graph() for g in index.data_graphs})
    index.store.bulk_extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(META_GRAPH)))  # type: ignore[arg-type]
        for s, p, o in meta
    )


def _refresh(index: Index, refresh: Refresh) -> None:
    """Re-read the ontology and the data files that changed since the state was written."""
    files = index.state["files"]
    project = index.project
    ontology = {str(p.relative_to(project.root)): p for p in project.ontology_files}
    known_ontology = files.get("ontology", {})
    prints = {name: _fingerprint(path, known_ontology.get(name)) for name, path in ontology.items()}
    if {n: f["sha256"] for n, f in prints.items()} == {
        n: f["sha256"] for n, f in known_ontology.items()
    }:
        if prints != known_ontology:
            files["ontology"] = prints
            refresh.retimed = True
    else:
        ontology_graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
        # Read before the store changes: a malformed file changes nothing.
        prefixes: dict[str, str] = {}
        triples = [t for path in ontology.values() for t in _parse(path, prefixes)]
        _drop_graph(index.store, ontology_graph)
        index.prefixes(str(ONTOLOGY_GRAPH)).clear()
        index.prefixes(str(ONTOLOGY_GRAPH)).update(prefixes)
        _load_graph(index.store, ontology_graph, triples)
        files["ontology"] = prints
        refresh.changed.append("ontology")
    current = {str(graph_name(path)): path for path in project.data_files}
    data = files.setdefault("data", {})
    for gone_name in sorted(set(data) - set(current)):
        refresh.gone += _drop_graph(index.store, ox.NamedNode(gone_name))
        del data[gone_name]
        index.state.get("prefixes", {}).pop(gone_name, None)
        refresh.removed.append(gone_name)
    changed = []
    for name, path in sorted(current.items()):
        fingerprint = _fingerprint(path, data.get(name))
        if _same(data.get(name), fingerprint):
            if data[name] != fingerprint:  # touched, not changed: remember its new time
                data[name] = fingerprint
                refresh.retimed = True
            continue
        graph = ox.NamedNode(name)
        changed.append((graph, path, fingerprint))
    # Every file is read before the store changes, so that a malformed one changes nothing;
    # then one bulk load for them all (a load per file writes store files of its own).
    read = [(graph, _parse(path, _fresh_prefixes(index, graph))) for graph, path, _ in changed]
    for graph, path, fingerprint in changed:
        if graph.value in data:
            refresh.gone += _drop_graph(index.store, graph)
            refresh.changed.append(path.name)
        else:
            refresh.added.append(path.name)
        data[graph.value] = fingerprint
    came = _quads_of(read)
    if refresh.built or index.state.get("judged") is None:
        index.store.bulk_extend(came)  # streamed: nothing to keep for a judgement
    else:
        refresh.came = list(came)
        index.store.bulk_extend(refresh.came)
    if refresh.touched:
        shutil.rmtree(index.answers, ignore_errors=True)  # asked of other files
        _note_change(index, refresh)
        _write_meta(index)
        index.state["triples"] = _count(index.store)
        index.state["closure"] = None


def _fresh_prefixes(index: Index, graph: ox.NamedNode) -> dict[str, str]:
    """The prefixes of a graph, emptied to be read again."""
    prefixes = index.prefixes(graph.value)
    prefixes.clear()
    return prefixes


def _quads_of(read: list[tuple[ox.NamedNode, list[ox.Triple]]]) -> Iterator[Quad]:
    """Each file's triples as quads of its graph and of the default graph."""
    for graph, triples in read:
        for triple in triples:
            s, p, o = triple.subject, triple.predicate, triple.object
            yield ox.Quad(s, p, o, graph)
            yield ox.Quad(s, p, o, DEFAULT)


def _note_change(index: Index, refresh: Refresh) -> None:
    """Keep in the state which nodes changed, for the recorded judgement to catch up with.

    A changed ontology voids the judgement: it is made again when next needed.
    """
    judged = index.state.get("judged")
    if judged is None:
        return
    if "ontology" in refresh.changed or refresh.built:
        index.state["judged"] = None
        return

    def named(quads: list[Quad]) -> set[Quad]:
        return {q for q in quads if q.graph_name != DEFAULT}

    moved = named(refresh.gone) ^ named(refresh.came)  # what a file kept is no change
    changed = {f"{q.subject} {q.predicate} {q.object} ." for q in moved}
    judged["pending"] = sorted({*judged.get("pending", []), *changed})


def _count(store: ox.Store) -> int:
    """The number of triples in the default graph."""
    solutions = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(next(iter(solutions))["n"].value)  # type: ignore[arg-type]


def _empty_state() -> dict[str, Any]:
    """The state of an index that holds nothing yet."""
    return {"format": FORMAT, "toolkit": __version__, "files": {}, "closure": None, "judged": None}


def _read_state(folder: Path) -> dict[str, Any] | None:
    """The state of an index folder, or None when missing, damaged or of another layout."""
    try:
        state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        return None
    if state.get("toolkit") != __version__:
        return None
    return state


def _store_at(path: Path) -> ox.Store:
    """The on-disk store, opened for writing. Held by this process still, through a query
    or an iterator caught in a reference cycle (which keep it open without a reference to
    it), it is opened again once those are collected."""
    try:
        return ox.Store(str(path))
    except OSError as err:
        if "lock" not in str(err).lower():
            raise
        gc.collect()
        return ox.Store(str(path))


def _open_store(path: Path) -> tuple[ox.Store, bool]:
    """The on-disk store, and whether it was made anew: a damaged one is deleted and made
    again (the index is a cache)."""
    try:
        return _store_at(path), False
    except OSError as err:
        if "lock" in str(err).lower():
            raise InputError(str(path), f"the index is in use: {err}") from None
        shutil.rmtree(path, ignore_errors=True)
        return ox.Store(str(path)), True


@contextmanager
def open_index(project: Project, folder: Path | None = None) -> Iterator[Index]:
    """The project's index, brought up to date; held exclusively while open."""
    folder = (folder or index_folder(project)).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / ".lock")):
        start = time.perf_counter()
        state = _read_state(folder)
        refresh = Refresh(built=state is None)
        if state is None:
            shutil.rmtree(folder / "store", ignore_errors=True)
            state = _empty_state()
        store, rebuilt = _open_store(folder / "store")
        if rebuilt:
            state, refresh = _empty_state(), Refresh(built=True)
        index = Index(project, folder, store, state, refresh)
        del store  # the index holds the only reference: the store closes with it
        _refresh(index, refresh)
        refresh.seconds = time.perf_counter() - start
        if refresh.touched or refresh.retimed:
            index.save()
        try:
            yield index
        finally:
            index.store.flush()
            index.let_go()


def asserted_default() -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
    """The graphs a question without the closure is asked over: ontology + data, and meta."""
    return [DEFAULT, ox.NamedNode(str(META_GRAPH))]


def ensure_closure(index: Index, reasoner: str = "reasonable") -> None:
    """Compute the closure's inferred triples into their graph, unless they are current.

    With reasonable the closure is computed in chunks of nodes (`_split_closure`), in memory
    bounded by the chunk, exactly as on the whole graph at once; when the ontology or data
    use what a split cannot follow, and with owlrl, on the whole graph. What the reasoner
    infers beyond the asserted triples goes to the inferred graph, so that asserted +
    inferred hold each triple once.
    """
    if index.state.get("closure") == reasoner:
        return
    plan = _split_plan(index.store) if reasoner == "reasonable" else None
    _afford_closure(index, split=plan is not None)
    try:
        if plan is None:
            _keep_inferred(index, _added(index.store, _whole_closure(index.store, reasoner)))
        else:
            _keep_inferred(index, _split_closure(index.store, plan, CLOSURE_CHUNK))
    except Unsplittable:  # the data made schema: the split was not exact, nothing is kept
        _afford_closure(index, split=False)
        _keep_inferred(index, _added(index.store, _whole_closure(index.store, reasoner)))
    index.state["closure"] = reasoner
    index.save()


def _keep_inferred(index: Index, inferred: Iterable[tuple[Term, Term, Term]]) -> None:
    """Replace the inferred graph by these triples, in batches (the bulk loader keeps what it
    is given in memory, up to a million quads)."""
    graph = ox.NamedNode(str(INFERRED_GRAPH))
    # Quad by quad, a batch at a time: remove_graph holds all it removes in memory (1 GB
    # for the 650,000 inferred quads of a million triples), and is no faster.
    while gone := list(islice(index.store.quads_for_pattern(None, None, None, graph), BATCH)):
        for quad in gone:
            index.store.remove(quad)
    quads = (ox.Quad(s, p, o, graph) for s, p, o in inferred)  # type: ignore[arg-type]
    while batch := list(islice(quads, BATCH)):
        index.store.bulk_extend(batch)


BATCH = 200_000


def _added(
    store: ox.Store, closed: Iterable[tuple[Term, Term, Term]]
) -> Iterator[tuple[Term, Term, Term]]:
    """The triples of a closure that the default graph does not hold."""
    return (triple for triple in closed if not _has(store, *triple, DEFAULT))


# The chunk: 20,000 triples. Measured at 770,000 triples (bench/bench_closure.py, a shared
# machine), chunks of 10,000, 20,000, 40,000 and 100,000 triples take 85, 58, 66 and 64 s
# and 331, 385, 488 and 761 MB at peak: smaller chunks pay the ontology's closure each.
CLOSURE_CHUNK = 20_000
# Memory (peak RSS of the whole process), split: a fixed part, the chunk's reasoning and
# the store's write buffers while the inferred graph is replaced (some 600 MB), and a part
# per triple, the chunk of each node, the link closure (some 300 bytes): 0.9 GB measured
# at 770,000 triples (the inferred graph replaced), 1.4 GB estimated with these. Whole:
# reasonable's own need, which grows faster than the graph (it pairs the instances of
# disjoint classes and the values of functional properties): 0.8 GB at 81,000 triples,
# killed at 24 GB at 770,000.
CLOSURE_CHUNK_BYTES = 1_000_000_000
CLOSURE_BYTES_PER_TRIPLE = 500
WHOLE_CLOSURE_BYTES_PER_TRIPLE = 40_000  # 16.9 GB measured at 400,000 triples


def _afford_closure(index: Index, split: bool = True) -> None:
    """Refuse, with a clear error, a closure this machine has not the memory for.

    Split in chunks, the closure needs a fixed amount (a chunk, the store's buffers) and a
    little per triple; whole, some 40 KB a triple at peak, more as the graph grows.
    """
    if split:
        need = CLOSURE_CHUNK_BYTES + index.triples() * CLOSURE_BYTES_PER_TRIPLE
    else:
        need = index.triples() * WHOLE_CLOSURE_BYTES_PER_TRIPLE
    available = _available_memory()
    if available is not None and need > available:
        raise InputError(
            str(index.folder),
            f"the OWL 2 RL closure of {index.triples():,} triples needs about "
            f"{need / 2**30:.1f} GB of memory and {available / 2**30:.1f} GB are available; "
            "questions on the closure cannot be answered here (the others can, and so can "
            "`check FILE`)",
        )


def _available_memory() -> int | None:
    """The memory available to this process (MemAvailable, within any address-space limit)."""
    limits = [resource.getrlimit(resource.RLIMIT_AS)[0]]
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                limits.append(int(line.split()[1]) * 1024)
    except OSError:
        pass
    known = [limit for limit in limits if limit not in (resource.RLIM_INFINITY, -1)]
    return min(known) if known else None


def _closure(
    store: ox.Store, reasoner: str, chunk: int | None = CLOSURE_CHUNK
) -> Iterator[tuple[Term, Term, Term]]:
    """The closure of the store's default graph, as pyoxigraph terms: split in chunks of
    about `chunk` triples where it can be, else (or with chunk None) whole."""
    plan = _split_plan(store) if reasoner == "reasonable" and chunk else None
    if plan is None or chunk is None:
        return _whole_closure(store, reasoner)
    return _split_closure(store, plan, chunk, asserted=True)


def _whole_closure(store: ox.Store, reasoner: str) -> Iterator[tuple[Term, Term, Term]]:
    """The closure of the store's default graph, computed at once, as pyoxigraph terms."""
    from detente.reason import close

    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "asserted.ttl"  # N-Triples, which is Turtle
        store.dump(str(dump), ox.RdfFormat.N_TRIPLES, from_graph=DEFAULT)
        if reasoner == "reasonable":
            import reasonable

            engine = reasonable.PyReasoner()
            engine.load_file(str(dump))
            closed: Iterable[tuple[Any, Any, Any]] = engine.reason()
        else:
            graph = Graph(bind_namespaces="none")
            graph.parse(dump, format="nt")
            closed = close(graph, reasoner)  # type: ignore[arg-type]
    for s, p, o in closed:
        yield to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)


# ------------------------------------------------------------------ the closure in chunks
#
# Why the split closure is exact (reasonable 0.4.4's rules). Every node belongs to one chunk
# (an identity class wholly; the ontology's nodes to chunk 0). A chunk's reasoner reads the
# ontology, the triples whose subject is in the chunk, and for each of its nodes the triples
# pointing at it, as far as they can say anything of it: all of them when the property (or
# one it is a sub-property of) has an inverse or is symmetric; one per property when it only
# has a range (the same types, whoever points); none otherwise. The chunk keeps what it
# infers with subject in the chunk. Besides the rules below, reasonable's rules infer from
# one triple a triple on the same two nodes, or from a node's types another type (prp-dom,
# prp-rng, prp-spo1, prp-eqp, prp-inv, prp-symp, cax-sco, cax-eqc, cls-uni, cls-int1/2,
# cls-hv2, cls-svf2, "every subject is an owl:Thing"): a triple on n follows from the
# triples on n, all in n's chunk. The rules that join two nodes' triples are followed
# beforehand, from the ontology's axioms read generically: `link_closure` makes every triple
# of owl:sameAs and of the transitive and functional properties (and of the properties that
# make theirs: sub-, equivalent and inverse properties), which the chunks read as given;
# each chunk reads the owl:sameAs triples of the identity classes it names (eq-rep-s,
# eq-rep-o), and a literal the same as another has its triples copied (eq-rep-o). The
# ontology's chunk alone reads the axioms of rules that only join what is already made
# (prp-trp, prp-fp) or only find contradictions (cax-dw, prp-pdw, cls-com, prp-irp,
# prp-asyp): in the others they would only cost (they pair instances, the square of a
# chunk). A chunk reads true triples only, so it infers nothing false; each triple on n is
# inferred in n's chunk: the split gives the whole closure, no more, no less. Where this
# does not hold, the closure is computed whole: someValuesFrom, allValuesFrom, hasValue or
# InverseFunctionalProperty in the ontology (rules joining any two nodes; reasonable's
# prp-ifp makes all subjects of the property the same), schema in the data (asserted: seen
# before; inferred: seen in the chunks, which then stop), owl:sameAs on a property, rdf:type
# made by a link property, a literal the same as a node.


class Unsplittable(Exception):
    """The data makes schema: the split closure may miss what it implies."""


@dataclass
class SplitPlan:
    """What splitting the closure needs: the ontology, its closure and property axioms, the
    link closure, and the identity classes of nodes and of literals (N-Triples terms)."""

    ontology: list[NTriple]
    schema: set[NTriple]
    axioms: PropertyAxioms
    links: set[NTriple]
    classes: dict[str, tuple[str, ...]]  # node: the members of its class (non-trivial ones)
    twins: dict[str, tuple[str, ...]]  # literal: the other literals of its class


def _split_plan(store: ox.Store) -> SplitPlan | None:
    """What the split closure needs, or None when it would not be exact."""
    ontology_graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    ontology = [_nt(q) for q in store.quads_for_pattern(None, None, None, ontology_graph)]
    with tempfile.TemporaryDirectory() as work:
        closed = _reason_nt(_write_nt(Path(work) / "ontology.ttl", ontology))
    schema = {(str(to_oxigraph(s)), str(to_oxigraph(p)), str(to_oxigraph(o))) for s, p, o in closed}
    axioms = property_axioms(schema)
    if axioms.unsplittable or RDF_TYPE in axioms.links():
        return None
    if any(t not in schema for t in _schema_triples(store)):
        return None
    asserted = (
        _nt(q)
        for p in axioms.links()
        for q in store.quads_for_pattern(None, ox.NamedNode(p[1:-1]), None, DEFAULT)
    )
    links = link_closure(asserted, axioms)
    members: dict[str, set[str]] = {}
    for s, p, o in links:
        if p == SAME_AS and s != o:
            members.setdefault(s, {s}).add(o)
    if not members:
        return SplitPlan(ontology, schema, axioms, links, {}, {})
    literal = {node for node in members if node.startswith('"')}
    if any((node in literal) != (members[node] <= literal) for node in members):
        return None  # a literal the same as a node
    used = {str(row["p"]) for row in store.query("SELECT DISTINCT ?p { ?s ?p ?o }")}  # type: ignore[union-attr]
    if used & members.keys():
        return None  # eq-rep-p: a property with twins
    classes = {n: tuple(sorted(ms)) for n, ms in members.items() if n not in literal}
    twins = {n: tuple(sorted(ms - {n})) for n, ms in members.items() if n in literal}
    return SplitPlan(ontology, schema, axioms, links, classes, twins)


def _nt(quad: Quad) -> NTriple:
    """A quad's triple in N-Triples terms."""
    return str(quad.subject), str(quad.predicate), str(quad.object)


def _schema_triples(store: ox.Store) -> Iterator[NTriple]:
    """The default graph's triples that reasonable reads as schema."""
    for p in SCHEMA_PREDICATES:
        for quad in store.quads_for_pattern(None, ox.NamedNode(p[1:-1]), None, DEFAULT):
            yield _nt(quad)
    kind = ox.NamedNode(RDF_TYPE[1:-1])
    for meta in META_CLASSES:
        for quad in store.quads_for_pattern(None, kind, ox.NamedNode(meta[1:-1]), DEFAULT):
            yield _nt(quad)


def _reason_nt(*files: Path) -> list[tuple[Any, Any, Any]]:
    """reasonable's closure of N-Triples files, as rdflib terms."""
    import reasonable

    engine = reasonable.PyReasoner()
    for path in files:
        engine.load_file(str(path))
    return engine.reason()  # type: ignore[no-any-return]


def _nt_term(term: Any) -> str:
    """An rdflib term (an IRI or a blank node: a subject) in N-Triples form."""
    return f"_:{term}" if type(term) is BNode else f"<{term}>"  # not +: rdflib's __radd__


def _split_closure(
    store: ox.Store, plan: SplitPlan, chunk: int, asserted: bool = False
) -> Iterator[tuple[Term, Term, Term]]:
    """What the closure of the store's default graph adds to it (with `asserted`, all of
    the closure), computed chunk by chunk of nodes."""
    with tempfile.TemporaryDirectory() as work:
        chunks = _write_chunks(store, plan, chunk, Path(work))
        # Only the chunk of the ontology's nodes reads the whole ontology: the link closure
        # has made what prp-trp and prp-fp make, and the other rules that join two instance
        # triples find contradictions, no triple; the other chunks are spared their joins.
        ontology = _write_nt(Path(work) / "ontology.ttl", plan.ontology)
        lean = _write_nt(Path(work) / "lean.ttl", lean_ontology(plan.ontology))
        unowned: set[tuple[Any, Any, Any]] = set()
        for number, (given, made) in enumerate(chunks.paths()):
            said = {quad.triple for quad in ox.parse(path=given, format=ox.RdfFormat.N_TRIPLES)}
            for s, p, o in _reason_nt(lean if number else ontology, given, made):
                owner = chunks.owner.get(_nt_term(s))
                if owner != number and (owner is not None or (s, p, o) in unowned):
                    continue
                if owner is None:
                    unowned.add((s, p, o))
                if str(p) in _SCHEMA_IRIS or (str(p) == _TYPE_IRI and str(o) in _META_IRIS):
                    _check_schema((s, p, o), plan.schema)  # rdflib terms are not equal to str
                triple = to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)
                if asserted or ox.Triple(*triple) not in said:  # type: ignore[arg-type]
                    yield triple
            given.unlink()
            made.unlink()


def _write_chunks(store: ox.Store, plan: SplitPlan, chunk: int, folder: Path) -> _Chunks:
    """The chunk files of the store's default graph and the link closure, in a folder."""
    dump = folder / "asserted.nt"
    store.dump(str(dump), ox.RdfFormat.N_TRIPLES, from_graph=DEFAULT)
    chunks = _Chunks(folder, plan, chunk)
    with dump.open(encoding="utf-8") as lines:
        chunks.share(line[: line.index(" ")] for line in lines)
    extra = set(plan.links)
    with dump.open(encoding="utf-8") as lines:
        for line in lines:
            s, p, o = line[:-3].split(" ", 2)
            extra.discard((s, p, o))
            chunks.add(s, p, o)
    dump.unlink()
    for triple in sorted(extra):
        if not triple[0].startswith('"'):  # a literal's triples: by its twins' copies
            chunks.add(*triple, said=False)
    chunks.close()
    return chunks


_SCHEMA_IRIS = frozenset(p[1:-1] for p in SCHEMA_PREDICATES)
_META_IRIS = frozenset(c[1:-1] for c in META_CLASSES)
_TYPE_IRI = RDF_TYPE[1:-1]


def _write_nt(path: Path, triples: Iterable[NTriple]) -> Path:
    """Write triples of N-Triples terms to a file."""
    path.write_text("".join(f"{s} {p} {o} .\n" for s, p, o in triples), encoding="utf-8")
    return path


def _check_schema(triple: tuple[Any, Any, Any], schema: set[NTriple]) -> None:
    """Stop a split closure that infers schema the ontology's closure has not."""
    s, p, o = (str(to_oxigraph(term)) for term in triple)
    if (s, p, o) not in schema:
        raise Unsplittable(f"{s} {p} {o}")


class _Chunks:
    """Chunk files of N-Triples: each node is given to a chunk, which gets its triples, the
    asserted ones in one file, the inferred ones (of the link closure) in another.

    Chunk 0 has the ontology's nodes; the data's subjects fill the others in the order of
    the dump, which holds each subject's triples together, about `size` triples a chunk.
    """

    def __init__(self, folder: Path, plan: SplitPlan, size: int) -> None:
        self.folder, self.plan, self.size = folder, plan, size
        self.owner: dict[str, int] = {}
        self.counts: list[int] = []  # triples of the subjects given
        self.written: list[int] = []  # triples written, the objects' too
        self.lines: dict[tuple[int, bool], list[str]] = {}  # (chunk, asserted): to write
        self.touched: list[set[str]] = []  # members of identity classes each chunk names
        self.pointed: set[tuple[str, str]] = set()  # (node, property): its chunk has one
        self.tells: dict[str, str] = {}
        self._open()
        for s, _, _ in plan.ontology:
            self._give(s, 0)

    def _open(self) -> None:
        """Start a new chunk."""
        self.counts.append(0)
        self.written.append(0)
        self.touched.append(set())
        for said in (True, False):
            self.lines[len(self.counts) - 1, said] = []
            self._path(len(self.counts) - 1, said).touch()

    def _path(self, number: int, said: bool) -> Path:
        """The file of a chunk's asserted or inferred triples."""
        return self.folder / f"chunk-{number}-{'said' if said else 'made'}.ttl"  # N-Triples

    def paths(self) -> list[tuple[Path, Path]]:
        """The files of each chunk: its asserted triples, its inferred ones."""
        return [(self._path(n, True), self._path(n, False)) for n in range(len(self.counts))]

    def _give(self, node: str, number: int) -> int:
        """Give a node, with its identity class, to a chunk, unless it has one."""
        owner = self.owner.get(node)
        if owner is None:
            owner = number
            for member in self.plan.classes.get(node, (node,)):
                self.owner[member] = owner
        return owner

    def share(self, subjects: Iterable[str]) -> None:
        """Give the subjects (each one's triples together) to chunks, by their triples."""
        for subject, group in groupby(subjects):
            if subject in self.owner:
                continue
            many = sum(1 for _ in group)
            full = self.counts[-1] > 0 and self.counts[-1] + many > self.size
            if len(self.counts) == 1 or full:  # chunk 0 is the ontology's
                self._open()
            self._give(subject, len(self.counts) - 1)
            self.counts[-1] += many

    def _write(self, number: int, s: str, p: str, o: str, said: bool) -> None:
        """Put a triple in a chunk."""
        lines = self.lines[number, said]
        lines.append(f"{s} {p} {o} .\n")
        self.written[number] += 1
        for node in (s, o):
            if node in self.plan.classes:
                self.touched[number].add(node)
        if len(lines) >= 10_000:
            self._flush(number, said)

    def _flush(self, number: int, said: bool) -> None:
        """Append a chunk's pending lines to its file."""
        with self._path(number, said).open("a", encoding="utf-8") as file:
            file.writelines(self.lines[number, said])
        self.lines[number, said].clear()

    def add(self, s: str, p: str, o: str, said: bool = True) -> None:
        """Put a triple in its subject's chunk, and in its object's as far as the object
        needs it: all of them, or one for each property that only types it, or none."""
        mine = self._give(s, len(self.counts) - 1)
        self._write(mine, s, p, o, said)
        if o.startswith('"'):
            for twin in self.plan.twins.get(o, ()):
                self._write(mine, s, p, twin, False)
            return
        tells = self.tells.get(p)
        if tells is None:
            tells = self.tells[p] = self.plan.axioms.tells(p)
        if tells == "nothing":
            return
        theirs = self._give(o, len(self.counts) - 1)
        if tells == "types":
            if (o, p) in self.pointed:
                return
            self.pointed.add((o, p))
        if theirs != mine:
            self._write(theirs, s, p, o, said)

    def close(self) -> None:
        """Write the chunks out, each with the owl:sameAs triples of the classes it names."""
        ontology_nodes = {n for s, _, o in self.plan.ontology for n in (s, o)}
        everywhere = {n for n in ontology_nodes if n in self.plan.classes}
        for number in range(len(self.counts)):
            named = {m for n in self.touched[number] | everywhere for m in self.plan.classes[n]}
            for node in sorted(named):
                for other in self.plan.classes[node]:
                    self.lines[number, False].append(f"{node} {SAME_AS} {other} .\n")
            self._flush(number, True)
            self._flush(number, False)


def closure_default() -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
    """The graphs a question on the closure is asked over: asserted, meta and inferred."""
    return [*asserted_default(), ox.NamedNode(str(INFERRED_GRAPH))]
