"""Run SPARQL question scripts on an engine (rdflib or pyoxigraph) and write their results."""

from __future__ import annotations

import csv
import faulthandler
import functools
import hashlib
import io
import json
import multiprocessing
import os
import re
import resource
import signal
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from detente.engines import from_oxigraph_or_none, oxigraph_store, to_oxigraph
from detente.index import Index, asserted_default, closure_default, ensure_closure
from detente.kg import Project, Sources
from detente.read import InputError, read_text, refuse_remote_sparql_parsed
from detente.reason import close
from detente.validate import code_of, values_opening

Engine = TypingLiteral["rdflib", "oxigraph"]
DefaultGraphs = (
    list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None
)  # a store's graphs asked as one
ENGINES: tuple[Engine, ...] = ("rdflib", "oxigraph")
Row = tuple[Node | None, ...]


@dataclass(frozen=True)
class Question:
    """One SPARQL script: its name, its description, and whether it needs the closure."""

    name: str
    path: Path
    text: str

    @property
    def description(self) -> str:
        """The question in plain words: the script's first comment line."""
        for line in self.text.splitlines():
            if line.startswith("#"):
                return line.lstrip("# ").strip()
        return ""

    @property
    def needs_closure(self) -> bool:
        """Whether the header says the question must run on the OWL-RL closure."""
        return (
            re.search(r"^#\s*closure:\s*yes\b", self.text, re.MULTILINE | re.IGNORECASE) is not None
        )


class QueryError(InputError):
    """A SPARQL script that cannot be run, with the place of the fault when known."""


@dataclass
class Results:
    """The variables and rows of a SELECT query, as rdflib terms (None = unbound)."""

    variables: list[str]
    rows: list[Row]


def load_question(path: Path) -> Question:
    """Read one .rq file."""
    return Question(path.stem, path, read_text(path))


def questions(folder: Path) -> list[Question]:
    """Every question script of a folder, by name."""
    return [load_question(path) for path in sorted(folder.glob("*.rq"))]


def find_question(project: Project, name_or_file: str) -> Question:
    """A question by name (scripts/questions/NAME.rq) or by the path of any .rq file."""
    path = Path(name_or_file)
    if path.suffix == ".rq" or path.exists():
        if not path.is_file():
            raise FileNotFoundError(f"{name_or_file}: no such query file")
        return load_question(path)
    candidate = project.root / "scripts" / "questions" / f"{name_or_file}.rq"
    if not candidate.is_file():
        known = ", ".join(q.name for q in questions(candidate.parent))
        raise FileNotFoundError(f"no question named {name_or_file!r} (known: {known})")
    return load_question(candidate)


def _rdflib_select(question: Question, text: str, graph: Graph) -> Results:
    """Run a SELECT query with rdflib; syntax errors name their line and column."""
    try:
        result = graph.query(_prepared(text, tuple(sorted(graph.namespaces()))))
    except ParseException as err:
        raise QueryError(
            str(question.path), f"SPARQL syntax error: {err.msg}", err.lineno, err.col
        ) from None
    except MemoryError:
        raise
    except Exception as err:  # rdflib raises assorted errors on semantically bad queries
        raise QueryError(str(question.path), f"SPARQL error: {err}") from None
    if result.type != "SELECT" or result.vars is None:
        raise QueryError(str(question.path), "only SELECT questions are supported")
    variables = [str(v) for v in result.vars]
    rows: list[Row] = [tuple(row) for row in result]  # type: ignore[arg-type]
    return Results(variables, rows)


@functools.lru_cache(maxsize=256)
def _prepared(text: str, namespaces: tuple[tuple[str, URIRef], ...]) -> Query:
    """A query parsed and translated once for rdflib, with the prefixes the graph binds (as
    `Graph.query` gives a text)."""
    return prepareQuery(text, initNs=dict(namespaces))


_OX_POSITION = re.compile(r"at (\d+):(\d+)")


def _oxigraph_select(
    question: Question, text: str, store: ox.Store, graphs: DefaultGraphs = None
) -> Results:
    """Run a SELECT query with pyoxigraph (over the given graphs as default graph, if any);
    syntax errors name their line and column."""
    try:
        solutions = store.query(text, default_graph=graphs)
    except SyntaxError as err:
        found = _OX_POSITION.search(str(err.msg))
        line, column = (int(found.group(1)), int(found.group(2))) if found else (None, None)
        raise QueryError(
            str(question.path), f"SPARQL syntax error: {err.msg}", line, column
        ) from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise QueryError(str(question.path), "only SELECT questions are supported")
    variables = [v.value for v in solutions.variables]
    terms: dict[Any, Node | None] = {None: None}  # a value met again is converted once

    def term(value: Any) -> Node | None:
        if value not in terms:
            terms[value] = from_oxigraph_or_none(value)
        return terms[value]

    rows: list[Row] = [tuple(term(solution[v]) for v in variables) for solution in solutions]
    return Results(variables, rows)


def with_bindings(question: Question, bindings: dict[str, Node]) -> str:
    """The query with the given variables fixed by a VALUES block opening its WHERE clause."""
    if not bindings:
        return question.text
    code = code_of(question.text)
    for name in bindings:
        if not re.search(rf"[?$]{name}\b", code):
            raise QueryError(str(question.path), f"--bind {name}: the query has no ?{name}")
    return values_opening(question.text, list(bindings), [tuple(bindings.values())])


def run(
    question: Question,
    graph: Graph,
    engine: Engine = "rdflib",
    bindings: dict[str, Node] | None = None,
    store: ox.Store | None = None,
    sandboxed: bool = False,
    graphs: DefaultGraphs = None,
) -> Results:
    """Run a SELECT question on the graph with the chosen engine, variables fixed by bindings.

    `sandboxed`: this process can open no file or socket (see `no_new_files`).
    """
    refuse_remote_sparql_parsed(
        question.text, str(question.path), sandboxed and engine == "oxigraph"
    )
    text = with_bindings(question, bindings or {})
    if engine == "oxigraph":
        return _oxigraph_select(
            question, text, store if store is not None else oxigraph_store(graph), graphs
        )
    return _rdflib_select(question, text, graph)


DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY_MB = 4096  # what a question's worker may take beyond its start


def limit_memory(extra_mb: int) -> None:
    """Cap this process's address space at its present size plus extra_mb (or lower, where
    a limit was set before)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return
    size = pages * os.sysconf("SC_PAGE_SIZE") + extra_mb * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    for limit in (soft, hard):  # a limit set before is never raised
        if limit != resource.RLIM_INFINITY:
            size = min(size, limit)
    resource.setrlimit(resource.RLIMIT_AS, (size, hard))


def _quiet_stderr() -> None:
    """Send this process's standard error to the null device, and dump no traceback on a
    fatal error: an engine out of memory prints its own words before it aborts, and the
    parent says what happened."""
    faulthandler.disable()
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)
    os.close(quiet)


def _answer_into(
    pipe: Connection,
    question: Question,
    graph: Graph,
    engine: Engine,
    bindings: dict[str, Node] | None,
    store: ox.Store | Path | None,
    graphs: DefaultGraphs = None,
    memory_mb: int | None = None,
) -> None:
    """Run a question (in a forked process) and send its results, or its error, down a pipe.

    `memory_mb`: the most address space the question may take beyond what the process holds
    when it starts (an on-disk store opened).

    An in-memory store runs sandboxed: this process then opens no file or socket. An on-disk
    store, given by its folder, is opened here read-only and must open its files as it reads,
    so it cannot be sandboxed that way: its question must then pass the strict check (parsed,
    with no SERVICE and no FROM).
    """
    try:
        on_disk = isinstance(store, Path)
        if memory_mb is not None:
            _quiet_stderr()
        if isinstance(store, Path):  # opened before the limit: what it takes is no answer's
            store = ox.Store.read_only(str(store))
        if memory_mb is not None:
            limit_memory(memory_mb)
        if not on_disk:
            no_new_files()  # the last file this process opens
        pipe.send(run(question, graph, engine, bindings, store, not on_disk, graphs))
    except InputError as err:
        pipe.send(("error", err.path, err.message, err.line, err.column))
    except MemoryError:
        said = "the query ran out of memory"
        if memory_mb is not None:
            said = f"the query needs {_OUT_OF_MEMORY.format(memory_mb)}"
        pipe.send(("error", str(question.path), said, None, None))
    except Exception as err:  # an engine's own failure, reported in the parent
        pipe.send(("error", str(question.path), f"SPARQL error: {err}", None, None))
    finally:
        pipe.close()


def no_new_files() -> None:
    """Forbid this process to open any file or socket: a query cannot reach the network."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (0, hard))


def run_within(
    question: Question,
    graph: Graph,
    engine: Engine = "oxigraph",
    bindings: dict[str, Node] | None = None,
    store: ox.Store | Path | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    graphs: DefaultGraphs = None,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> Results:
    """Run a question, stopping it after `timeout` seconds (None: no limit), and failing it
    when it needs more than `memory_mb` MB beyond what its worker holds when it starts, the
    loaded graph or the opened store (None: no limit).

    `store` is an in-memory store, or the folder of an on-disk one (opened read-only).

    The query runs in a forked copy of this process, which shares the loaded graph and is
    killed at the limit: neither engine can be interrupted from within. With no time limit
    it runs in this process, with no memory limit either.
    """
    if timeout is None:
        if isinstance(store, Path):
            store = ox.Store.read_only(str(store))
        return run(question, graph, engine, bindings, store, graphs=graphs)
    # The strict check, made here first, is then made again in the worker from this parse.
    sandboxed = engine == "oxigraph" and not isinstance(store, Path)
    refuse_remote_sparql_parsed(question.text, str(question.path), sandboxed)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(
        target=_answer_into,
        args=(sender, question, graph, engine, bindings, store, graphs, memory_mb),
    )
    worker.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryError(
                str(question.path), f"no answer within {timeout:g} s (--timeout); query stopped"
            )
        outcome = receiver.recv()
    except EOFError:
        worker.join()
        said = "the query engine failed without an answer"
        if memory_mb is not None and worker.exitcode == -signal.SIGABRT:
            said += f": the query may need {_OUT_OF_MEMORY.format(memory_mb)}"  # no allocation
        raise QueryError(str(question.path), said) from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()
    if isinstance(outcome, tuple):
        _, path, message, line, column = outcome
        raise QueryError(path, message, line, column)
    return outcome  # type: ignore[no-any-return]


_OUT_OF_MEMORY = "more than {} MB of memory (--memory MB sets the limit)"


def answer_all(
    sources: Sources,
    chosen: list[Question],
    engine: Engine = "oxigraph",
    bindings: dict[str, Node] | None = None,
    closure: bool | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
    unanswered: list[InputError] | None = None,
) -> list[tuple[Question, Results, Graph]]:
    """Answer questions on the project's dataset (the closure's where a question needs it).

    The dataset (and its store, with pyoxigraph) is built once and shared by the questions;
    each question has `timeout` seconds. Each answer comes with the graph whose prefixes name
    its terms. A question that cannot be answered raises its error, or, given `unanswered`,
    has its error put there while the others are answered.
    """
    built: dict[bool, tuple[Dataset, ox.Store | None]] = {}
    answers: list[tuple[Question, Results, Graph]] = []
    for question in chosen:
        on_closure = question.needs_closure if closure is None else closure
        if on_closure not in built:
            dataset = sources.dataset(close(sources.merged()) if on_closure else None)
            built[on_closure] = (dataset, oxigraph_store(dataset) if engine == "oxigraph" else None)
        dataset, store = built[on_closure]
        try:
            results = run_within(
                question, dataset, engine, bindings, store, timeout, memory_mb=memory_mb
            )
        except InputError as err:
            _unanswered(err, unanswered)
            continue
        answers.append((question, results, dataset))
    return answers


def _unanswered(err: InputError, unanswered: list[InputError] | None) -> None:
    """Raise a question's error, or put it with those of the questions left unanswered."""
    if unanswered is None:
        raise err
    unanswered.append(err)


def answer_indexed(
    index: Index,
    chosen: list[Question],
    bindings: dict[str, Node] | None = None,
    closure: bool | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    reasoner: str = "reasonable",
    memory_mb: int | None = DEFAULT_MEMORY_MB,
    cache: bool = True,
    unanswered: list[InputError] | None = None,
) -> list[tuple[Question, Results, Graph]]:
    """Answer questions with pyoxigraph on the project's persistent index.

    The same dataset as `answer_all`'s: ontology, data and meta as the default graph (and
    the inferred triples when a question needs the closure, computed once and kept).
    With `cache`, an answer the index keeps for the same text on the same files is read back
    instead of asked again, and a new answer is kept. `unanswered`: as in `answer_all`.
    """
    asked: list[tuple[Question, bool, str, Results | None]] = []
    keeping: set[str] = set()  # the keys of the answers to keep
    for question in chosen:
        on_closure = question.needs_closure if closure is None else closure
        try:
            text = with_bindings(question, bindings or {})
        except InputError as err:
            _unanswered(err, unanswered)
            continue
        key = answer_key(index, text, on_closure, reasoner)
        if cache and keepable(text):
            keeping.add(key)
        asked.append(
            (question, on_closure, key, kept_results(index, key) if key in keeping else None)
        )
    missing = [
        (question, on_closure, key) for question, on_closure, key, kept in asked if kept is None
    ]
    if any(on_closure for _, on_closure, _ in missing):
        ensure_closure(index, reasoner)
    found: dict[str, Results] = {}
    if missing:
        with index.readers() as folder:
            for question, on_closure, key in missing:
                graphs = closure_default() if on_closure else asserted_default()
                empty = Graph(bind_namespaces="none")
                try:
                    found[key] = run_within(
                        question, empty, "oxigraph", bindings, folder, timeout, graphs, memory_mb
                    )
                except InputError as err:
                    _unanswered(err, unanswered)
                    continue
                if key in keeping:
                    index.keep(key, answer_record(found[key]))
    names = index.names()
    return [
        (question, found[key] if kept is None else kept, names)
        for question, _, key, kept in asked
        if kept is not None or key in found
    ]


ANSWER_LAYOUT = 1  # the layout of a kept answer; another value is never read
# What gives another answer each time a query is asked: such an answer is not kept.
_CHANGING = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def keepable(text: str) -> bool:
    """Whether a query's answer can be kept: it calls no function whose value changes from
    one asking to the next (the time, a random number, a fresh identifier)."""
    return _CHANGING.search(code_of(text)) is None


def answer_key(index: Index, text: str, on_closure: bool, reasoner: str) -> str:
    """The name an answer is kept under: the query's text, the graphs it is asked over, what
    the index holds and the engine's version."""
    asked = [ANSWER_LAYOUT, ox.__version__, index.holding(), text, reasoner if on_closure else ""]
    return hashlib.sha256(json.dumps(asked).encode()).hexdigest()


def answer_record(results: Results) -> dict[str, Any]:
    """Results as JSON-ready data: each distinct term once, rows as lists of its numbers."""
    numbers: dict[tuple[str, str, str | None, str | None], int] = {}
    rows = []
    for row in results.rows:
        rows.append(
            [
                -1 if term is None else numbers.setdefault(_record(term), len(numbers))
                for term in row
            ]
        )
    return {"variables": results.variables, "terms": list(numbers), "rows": rows}


def _record(term: Node) -> tuple[str, str, str | None, str | None]:
    """A term as its kind, its text, and a literal's language or datatype."""
    if isinstance(term, URIRef):
        return ("uri", str(term), None, None)
    if isinstance(term, BNode):
        return ("bnode", str(term), None, None)
    assert isinstance(term, Literal)
    datatype = None if term.datatype is None else str(term.datatype)
    return ("literal", str(term), term.language, datatype)


def _term(kind: str, text: str, language: str | None, datatype: str | None) -> Node:
    """The rdflib term of a kept term, as `from_oxigraph` makes it."""
    if not isinstance(text, str) or not isinstance(language, str | None):
        raise TypeError("not a kept term")
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind != "literal" or not isinstance(datatype, str | None):
        raise TypeError("not a kept term")
    if datatype is None:
        return Literal(text, lang=language, normalize=False)  # a string: no other form
    return Literal(text, datatype=URIRef(datatype), normalize=False)


def kept_results(index: Index, key: str) -> Results | None:
    """The results the index keeps under a key, or None (none kept, or not readable)."""
    record = index.kept(key)
    if record is None:
        return None
    try:
        variables = record["variables"]
        terms = [_term(*term) for term in record["terms"]]
        rows: list[Row] = [
            tuple(None if n < 0 else terms[n] for n in row) for row in record["rows"]
        ]
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        return None
    if any(len(row) != len(variables) for row in rows):
        return None
    return Results(variables, rows)


_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_binding(text: str) -> tuple[str, Node]:
    """A VAR=VALUE option: <iri> or a full IRI, a short id (person/x), or a plain literal."""
    name, sep, value = text.partition("=")
    name, value = name.strip().lstrip("?$"), value.strip()
    if not sep or not _VARIABLE.match(name):
        raise ValueError(f"--bind wants VAR=VALUE with VAR a SPARQL variable name, got {text!r}")
    if value.startswith("<") and value.endswith(">"):
        term: Node = URIRef(value[1:-1])
    elif re.match(r"^https?://", value):
        term = URIRef(value)
    elif re.match(r"^[a-z]+/[a-z0-9-]+$", value):
        term = URIRef(f"https://w3id.org/detente/id/{value}")
    else:
        return name, Literal(value)
    try:
        to_oxigraph(term)
    except ValueError as err:
        raise ValueError(f"--bind {name}: invalid IRI <{term}>: {err}") from None
    return name, term


def parse_bindings(texts: tuple[str, ...]) -> dict[str, Node]:
    """Every --bind option, each variable once."""
    bindings: dict[str, Node] = {}
    for text in texts:
        name, term = parse_binding(text)
        if name in bindings:
            raise ValueError(f"--bind {name} is given twice")
        bindings[name] = term
    return bindings


# ----------------------------------------------------------------- result formats

FORMATS = ("table", "csv", "tsv", "json", "md")


def _plain(term: Node | None) -> str:
    """A term's value as the W3C SPARQL CSV results format writes it."""
    if term is None:
        return ""
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _ntriples(term: Node | None) -> str:
    """A term in N-Triples syntax, escapes included (W3C SPARQL TSV results)."""
    return "" if term is None else str(to_oxigraph(term))


def _json_term(term: Node) -> dict[str, str]:
    """A term as a W3C SPARQL JSON results binding."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    binding = {"type": "literal", "value": str(term)}
    if term.language:
        binding["xml:lang"] = term.language
    elif term.datatype:
        binding["datatype"] = str(term.datatype)
    return binding


def to_csv(results: Results) -> str:
    """W3C SPARQL 1.1 Query Results CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(results.variables)
    writer.writerows([_plain(t) for t in row] for row in results.rows)
    return out.getvalue()


def to_tsv(results: Results) -> str:
    """W3C SPARQL 1.1 Query Results TSV."""
    lines = ["\t".join(f"?{v}" for v in results.variables)]
    lines += ["\t".join(_ntriples(t) for t in row) for row in results.rows]
    return "\n".join(lines) + "\n"


def to_json(results: Results) -> str:
    """W3C SPARQL 1.1 Query Results JSON."""
    bindings = [
        {v: _json_term(t) for v, t in zip(results.variables, row, strict=True) if t is not None}
        for row in results.rows
    ]
    document = {"head": {"vars": results.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def readable(term: Node | None, graph: Graph) -> str:
    """A term for people: prefixed IRIs, plain literal values."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return term.n3(graph.namespace_manager)
    return str(term)


def to_markdown(results: Results, graph: Graph) -> str:
    """A Markdown table."""

    def cell(term: Node | None) -> str:
        return readable(term, graph).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(results.variables) + " |"]
    lines.append("|" + "---|" * len(results.variables))
    lines += ["| " + " | ".join(cell(t) for t in row) + " |" for row in results.rows]
    return "\n".join(lines) + "\n"


def table_rows(results: Results, graph: Graph) -> Iterable[list[str]]:
    """The rows as compact strings, for a terminal table."""
    return ([readable(t, graph) for t in row] for row in results.rows)
