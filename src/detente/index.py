"""A project's persistent index: its graphs in an on-disk pyoxigraph store, kept up to date.

The index lives in a folder (default `<project>/.cache/index`): `store/` is the pyoxigraph
store, `state.json` says what it holds (each source file's size, time and digest; whether the
closure is current; the findings of the whole graph, once judged). In the store:

- the default graph holds ontology + data, each triple once: what checks and questions see;
- one named graph per data file (id/graph/<stem>), the ontology's, meta, and the inferred
  triples of the OWL 2 RL closure (computed when first needed, then kept until data changes).

Opening the index compares the files with the state and re-reads only those that changed.
The index is a cache: deleting the folder loses nothing; a damaged one is rebuilt.
"""

from __future__ import annotations

import gc
import hashlib
import json
import resource
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from filelock import FileLock
from rdflib import Graph

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
        del self.store
        gc.collect()
        try:
            yield self.path
        finally:
            self.store = ox.Store(str(self.path))

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
        _drop_graph(index.store, ontology_graph)
        index.prefixes(str(ONTOLOGY_GRAPH)).clear()
        prefixes = index.prefixes(str(ONTOLOGY_GRAPH))
        triples = [t for path in ontology.values() for t in _parse(path, prefixes)]
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


def _open_store(path: Path) -> tuple[ox.Store, bool]:
    """The on-disk store, and whether it was made anew: a damaged one is deleted and made
    again (the index is a cache)."""
    try:
        return ox.Store(str(path)), False
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
            del index.store
            # Views of the store can end up in reference cycles (through the tracebacks of
            # exceptions rdflib catches while reading literals); collect them now, so that
            # the store closes and the index can be opened again in this process.
            gc.collect()


def asserted_default() -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
    """The graphs a question without the closure is asked over: ontology + data, and meta."""
    return [DEFAULT, ox.NamedNode(str(META_GRAPH))]


def ensure_closure(index: Index, reasoner: str = "reasonable") -> None:
    """Compute the closure's inferred triples into their graph, unless they are current.

    The reasoner reads the asserted triples from an N-Triples dump; what it infers beyond
    them goes to the inferred graph, so that asserted + inferred hold each triple once.
    """
    if index.state.get("closure") == reasoner:
        return
    _afford_closure(index)
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    index.store.remove_graph(inferred)
    index.store.bulk_extend(
        ox.Quad(s, p, o, inferred)
        for s, p, o in _closure(index.store, reasoner)
        if not _has(index.store, s, p, o, DEFAULT)
    )
    index.state["closure"] = reasoner
    index.save()


CLOSURE_BYTES_PER_TRIPLE = 16_000  # measured: 13 GB for 795,000 triples (reasonable + rdflib)


def _afford_closure(index: Index) -> None:
    """Refuse, with a clear error, a closure this machine has not the memory for.

    The reasoner hands back the whole closure as rdflib terms, some 16 KB a triple at peak.
    """
    need = index.triples() * CLOSURE_BYTES_PER_TRIPLE
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


def _closure(store: ox.Store, reasoner: str) -> Iterator[tuple[Any, Any, Any]]:
    """The closure of the store's default graph, as pyoxigraph terms."""
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


def closure_default() -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
    """The graphs a question on the closure is asked over: asserted, meta and inferred."""
    return [*asserted_default(), ox.NamedNode(str(INFERRED_GRAPH))]
