"""The `detente` command line: thin wrappers that parse arguments and call one function."""

from __future__ import annotations

import itertools
import logging
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource
from rdflib import Graph
from rich.console import Console
from rich.table import Table

from detente import __version__
from detente.contribution import add_contribution, judge_contribution, judge_contribution_indexed
from detente.index import Index, open_index
from detente.kg import Project, load_sources, project_at
from detente.policy import read_contribution
from detente.publish.layout import DEFAULT_BASE_URL
from detente.query import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
    ENGINES,
    QueryError,
    Results,
    answer_all,
    answer_indexed,
    find_question,
    parse_bindings,
    questions,
    table_rows,
    to_csv,
    to_json,
    to_markdown,
    to_tsv,
)
from detente.query import FORMATS as QUERY_FORMATS
from detente.read import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_TRIPLES,
    RDF_FORMATS,
    InputError,
)
from detente.reason import REASONERS
from detente.report import (
    FORMATS,
    addition_line,
    as_json,
    as_turtle,
    contribution_figures,
    figures_of,
    summary_line,
    text_report,
    verdict_line,
)
from detente.validate import Outcome, check_project
from detente.write import format_files

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
DEFAULT_MAX_ROWS = 1000  # rows of a terminal table


def _fail(message: str) -> None:
    """Print an error to standard error and exit 2 (could not run)."""
    click.echo(f"detente: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="detente")
@click.option(
    "--project",
    "group_project",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder for the command (default: the one around the working folder), "
    "e.g. one `detente synth` wrote; a command's own --project wins.",
)
@click.pass_context
def main(context: click.Context, group_project: Path | None) -> None:
    """detente: a knowledge graph of diplomatic and military contacts between states.

    Exit codes of every command: 0 success (the graph conforms, files are canonical),
    1 the input was judged and found wanting (violations, non-canonical files),
    2 the command could not run (an unreadable or malformed file, a bad option).
    """
    # rdflib logs ill-typed literals with a traceback; detente reports them as findings instead.
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    context.obj = {"project": group_project}


def _project(project_dir: Path | None) -> Project:
    """The project a command works on: its own --project, else detente's, else the one
    around the working folder."""
    if project_dir is None:
        context = click.get_current_context(silent=True)
        root = context.find_root() if context is not None else None
        if root is not None and isinstance(root.obj, dict):
            project_dir = root.obj.get("project")
    return project_at(project_dir)


OUTPUT_FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: findings per node; json: findings as JSON; "
    "turtle: a standard SHACL validation report.",
)
REASONER = click.option(
    "--reasoner",
    type=click.Choice(REASONERS),
    default="reasonable",
    show_default=True,
    help="OWL 2 RL engine for the closure: reasonable (fast, Rust) or owlrl (the reference).",
)
INDEX = click.option(
    "--index/--no-index",
    "use_index",
    default=True,
    show_default=True,
    help="Work on the persistent index (a pyoxigraph store under .cache/index, brought up to "
    "date with data/ first, re-reading only changed files), or parse every file afresh.",
)
INDEX_DIR = click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the persistent index lives (default: PROJECT/.cache/index).",
)
PROJECT = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (default: the one around the working folder).",
)
INPUT_FORMAT = click.option(
    "--input-format",
    type=click.Choice(RDF_FORMATS),
    default=None,
    help="RDF syntax of the contribution (default: from the file's extension; "
    "Turtle for standard input).",
)
MAX_BYTES = click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Refuse a contribution file larger than this.",
)
MAX_TRIPLES = click.option(
    "--max-triples",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_TRIPLES,
    show_default=True,
    help="Refuse a contribution of more triples than this (judging time grows with size).",
)


@main.command()
@click.argument("files", nargs=-1)
@OUTPUT_FORMAT
@INPUT_FORMAT
@MAX_BYTES
@MAX_TRIPLES
@REASONER
@INDEX
@INDEX_DIR
@click.option(
    "--changes-only",
    is_flag=True,
    help="With the index, when the whole graph's judgement is not recorded yet: do not make "
    "it now (minutes on a large graph), judge only the nodes the contribution can affect. "
    "Findings elsewhere in the graph are then neither listed nor counted; the summary says so.",
)
@PROJECT
def check(
    files: tuple[str, ...],
    output_format: str,
    input_format: str | None,
    max_bytes: int,
    max_triples: int,
    reasoner: str,
    use_index: bool,
    index_dir: Path | None,
    changes_only: bool,
    project_dir: Path | None,
) -> None:
    """Validate the whole graph, or judge contributed FILES in its context.

    Without FILES: ontology + data, OWL-RL closure, inconsistency search, SHACL shapes and
    the SPARQL checks of scripts/checks/. With FILES (Turtle, TriG, N-Triples, N-Quads,
    JSON-LD or RDF/XML; "-" reads standard input): the contribution is judged on what it
    adds - policy, conflicts with the graph, then shapes and checks on the merged graph -
    and each finding points to the contribution's own line. Nothing is written.

    A contribution is judged on the persistent index (--index, the default): only the nodes
    it can affect are judged again, on their neighbourhood, and the rest of the graph's
    findings come from the index's record (made once, then kept current), with the same
    result as --no-index, which judges the whole merged graph.

    SHACL runs on pyshacl-turbo; DETENTE_SHACL=pyshacl runs pySHACL, the reference, which
    gives the same findings (the tests compare them).

    Prints each offending node with the rule's message, the path, the value and the rule,
    then a one-line summary. Exits 0 if the graph conforms (the contribution is accepted),
    1 if not, 2 if the input could not be used (named with line and column).
    """
    try:
        project = _project(project_dir)
        if files:
            contribution = read_contribution(list(files), input_format, max_bytes, max_triples)
            if use_index:
                with open_index(project, index_dir) as index:
                    verdict = judge_contribution_indexed(
                        project,
                        contribution,
                        index,
                        reasoner,  # type: ignore[arg-type]
                        changes_only,
                    )
            else:
                verdict = judge_contribution(project, contribution, reasoner=reasoner)  # type: ignore[arg-type]
        else:
            result = check_project(project, reasoner)  # type: ignore[arg-type]
    except (InputError, FileNotFoundError, ValueError) as err:
        _fail(str(err))
        return
    if files:
        _show(verdict.outcome, contribution_figures(verdict), output_format, verdict_line(verdict))
        sys.exit(EXIT_OK if verdict.accepted else EXIT_FAIL)
    _show(result.outcome, figures_of(result), output_format, summary_line(result))
    sys.exit(EXIT_OK if result.outcome.conforms else EXIT_FAIL)


def _show(outcome: Outcome, figures: dict[str, Any], output_format: str, summary: str) -> None:
    """Write a judgement in the chosen format; the summary goes last (to stderr for turtle)."""
    if output_format == "json":
        click.echo(as_json(outcome, figures))
    elif output_format == "turtle":
        click.echo(as_turtle(outcome), nl=False)
        click.echo(f"# {summary}", err=True)
    else:
        for line in text_report(outcome):
            click.echo(line)
        click.echo(summary)


@main.command()
@click.argument("file")
@click.option(
    "--to",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The data file to add to: the file of the contribution's report, data/<report slug>.ttl "
    "(the default); given, it must name that file.",
)
@click.option("--dry-run", is_flag=True, help="Judge and say what would be written; write nothing.")
@OUTPUT_FORMAT
@INPUT_FORMAT
@MAX_BYTES
@MAX_TRIPLES
@REASONER
@INDEX
@INDEX_DIR
@PROJECT
def add(
    file: str,
    to: Path | None,
    dry_run: bool,
    output_format: str,
    input_format: str | None,
    max_bytes: int,
    max_triples: int,
    reasoner: str,
    use_index: bool,
    index_dir: Path | None,
    project_dir: Path | None,
) -> None:
    """Judge a contribution like `check FILE` and, only if it is accepted, add it to data/.

    The contribution is merged into the target file in canonical Turtle, written to a
    temporary file and renamed into place, so an interruption leaves the old file or the
    new one. Triples already in the graph are not added again: adding the same contribution
    twice changes nothing. A rejected contribution changes nothing. With --index (the
    default) the judgement is made on the persistent index, which is then brought up to
    date with the file written. Exits 0 when accepted
    (added, or nothing new), 1 when rejected, 2 when the input could not be used.
    """
    try:
        project = _project(project_dir)
        contribution = read_contribution([file], input_format, max_bytes, max_triples)
        addition = add_contribution(
            project,
            contribution,
            to,
            dry_run,
            reasoner,  # type: ignore[arg-type]
            index_dir,
            use_index,
        )
    except (InputError, FileNotFoundError, ValueError) as err:
        _fail(str(err))
        return
    except OSError as err:  # data/ not writable, disk full
        _fail(f"cannot write to data/: {err.strerror or err}")
        return
    verdict = addition.result
    _show(verdict.outcome, contribution_figures(verdict), output_format, verdict_line(verdict))
    click.echo(addition_line(addition), err=True)
    sys.exit(EXIT_OK if verdict.accepted else EXIT_FAIL)


@main.command()
@click.option(
    "--check", "check_only", is_flag=True, help="Only report files that are not canonical."
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@PROJECT
def fmt(check_only: bool, files: tuple[Path, ...], project_dir: Path | None) -> None:
    """Rewrite Turtle files in canonical form (default: every project file).

    Canonical: the file's own prefixes, subjects and predicates sorted, its opening
    comment block kept. A file is never written if the formatted graph would differ.
    With --check nothing is written; exits 1 if any file is not canonical.
    """
    try:
        paths = list(files) or _project(project_dir).turtle_files
        changed = format_files(paths, write=not check_only)
    except (InputError, FileNotFoundError) as err:
        _fail(str(err))
        return
    verb = "not canonical" if check_only else "reformatted"
    for path in changed:
        click.echo(f"{verb}: {path}")
    click.echo(f"{len(changed)} of {len(paths)} files {verb}", err=True)
    sys.exit(EXIT_FAIL if check_only and changed else EXIT_OK)


@main.command()
@click.argument("question", required=False)
@click.option("--list", "list_only", is_flag=True, help="List every question with its description.")
@click.option("--all", "run_all", is_flag=True, help="Answer every question, one after another.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(QUERY_FORMATS),
    default="table",
    show_default=True,
    help="table (terminal), csv/tsv/json (W3C SPARQL 1.1 results formats), md (Markdown).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="oxigraph",
    show_default=True,
    help="SPARQL engine: oxigraph (pyoxigraph, fast) or rdflib (the reference); the tests check "
    "they give the same answers.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Stop a question that has no answer after this many seconds (exit 2).",
)
@click.option(
    "--memory",
    "memory_mb",
    type=click.IntRange(min=0, max=2**30),
    default=DEFAULT_MEMORY_MB,
    show_default=True,
    metavar="MB",
    help="Fail a question that needs more memory (address space) than this, beyond what its "
    "worker holds when it starts, the graph or the opened index (exit 2); 0: no limit. Over "
    "a large graph a question can ask for a great deal: counterparts, every pair of holders "
    "of a role in two states, took 12.6 GB at a million triples.",
)
@click.option(
    "--closure/--no-closure",
    default=None,
    help="Run on the OWL-RL closure (default: as the question's '# closure:' header says).",
)
@click.option(
    "--bind",
    "binds",
    multiple=True,
    metavar="VAR=VALUE",
    help="Fill a variable: VALUE is an IRI (<...> or http...), a short id (person/li-shangfu) "
    "or a plain literal. Repeatable.",
)
@click.option(
    "--endpoint",
    metavar="URL",
    default=None,
    help="Ask a SPARQL 1.1 query endpoint instead of the embedded engine: a store `detente "
    "push` loaded (Oxigraph: http://HOST:PORT/query; Virtuoso: http://HOST:PORT/sparql). "
    "It holds the closure: no --engine, no --closure.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_ROWS,
    show_default=True,
    metavar="N",
    help="Show at most N rows in a table (the default format), and say how many there are; "
    "0: every row (a terminal table of tens of thousands of rows takes seconds to draw). csv, "
    "tsv, json and md always write every row.",
)
@click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help="With the index (not with --no-index or --engine rdflib, which keep nothing): read "
    "back the answer it keeps for this question asked of these very files, and keep each new "
    "answer (any change to the files empties what is kept; a question that calls NOW(), "
    "RAND(), UUID(), STRUUID() or BNODE() is never kept). --no-cache asks the engine and keeps "
    "nothing.",
)
@INDEX
@INDEX_DIR
@PROJECT
def query(
    question: str | None,
    list_only: bool,
    run_all: bool,
    output_format: str,
    engine: str,
    timeout: float,
    memory_mb: int,
    closure: bool | None,
    binds: tuple[str, ...],
    endpoint: str | None,
    max_rows: int,
    cache: bool,
    use_index: bool,
    index_dir: Path | None,
    project_dir: Path | None,
) -> None:
    """Answer a question: a name from scripts/questions/ (without .rq) or any .rq file.

    With --all, answers every question of scripts/questions/ in one process; a question with
    no answer (stopped at a limit, say) is named after the others' answers, and the exit is 2.
    With --endpoint URL, the store answers, on the graphs `detente push` wrote there.
    Exits 0 with the answer, 2 if the query or the graph cannot be read (a SPARQL syntax
    error is given with its line and column).
    """
    try:
        project = _project(project_dir)
        known = questions(project.root / "scripts" / "questions")
        if list_only and (question is not None or run_all):
            raise ValueError("--list lists the questions; it takes no question and no --all")
        if list_only or (question is None and not run_all):
            for item in known:
                click.echo(f"{item.name:32} {item.description}")
            return
        if run_all and (question is not None or output_format in ("csv", "tsv", "json")):
            raise ValueError("--all answers every question as a table or Markdown (--format md)")
        chosen = known if run_all else [find_question(project, str(question))]
        bindings = parse_bindings(binds)
        # With --all, a question with no answer is named after the others' answers.
        unanswered: list[InputError] | None = [] if run_all else None
        if endpoint is not None:
            from detente.store import Timeouts, answer_remote

            context = click.get_current_context()
            options = {
                "engine": "--engine",
                "closure": "--closure",
                "memory_mb": "--memory",
                "cache": "--cache/--no-cache",
            }
            given = [
                option
                for name, option in options.items()
                if context.get_parameter_source(name) is not ParameterSource.DEFAULT
            ]
            if given:
                raise ValueError(
                    f"--endpoint asks the store, which holds the closure, with its own engine: "
                    f"it takes no {' or '.join(given)}"
                )
            answers = answer_remote(
                endpoint,
                chosen,
                project,
                bindings,
                Timeouts(read=timeout),
                say=lambda line: click.echo(f"detente: {line}", err=True),
            )
        elif use_index and engine == "oxigraph":
            with open_index(project, index_dir) as index:
                answers = answer_indexed(
                    index,
                    chosen,
                    bindings,
                    closure,
                    timeout,
                    memory_mb=memory_mb or None,
                    cache=cache,
                    unanswered=unanswered,
                )
        else:
            sources = load_sources(project)
            answers = answer_all(
                sources,
                chosen,
                engine,  # type: ignore[arg-type]
                bindings,
                closure,
                timeout,
                memory_mb or None,
                unanswered,
            )
    except (InputError, QueryError, FileNotFoundError, ValueError) as err:
        _fail(str(err))
        return
    for item, results, names in answers:
        _print_results(item.description, results, names, output_format, max_rows)
    for error in unanswered or []:
        click.echo(f"detente: {error}", err=True)
    if unanswered:
        sys.exit(EXIT_ERROR)


@main.command("index")
@click.option("--rebuild", is_flag=True, help="Delete the index and build it again from the files.")
@click.option(
    "--closure", is_flag=True, help="Also compute the OWL 2 RL closure now (else when needed)."
)
@click.option(
    "--judge",
    is_flag=True,
    help="Also record the whole graph's judgement now (else on the first `check FILE`).",
)
@click.option(
    "--answers",
    is_flag=True,
    help="Also answer every question of scripts/questions/ now and keep the answers, so that "
    "`query` reads them back at once (else each is kept when first asked). A question that "
    f"cannot be answered (an error in it, or no answer within {DEFAULT_TIMEOUT:g} s or "
    f"{DEFAULT_MEMORY_MB} MB) is named, and the others are still kept (exit 2). Answers are "
    "kept for the closure `query` asks on, reasonable's: no --reasoner owlrl.",
)
@REASONER
@INDEX_DIR
@PROJECT
def index_command(
    rebuild: bool,
    closure: bool,
    judge: bool,
    answers: bool,
    reasoner: str,
    index_dir: Path | None,
    project_dir: Path | None,
) -> None:
    """Build the persistent index, or bring it up to date with the project's files.

    The index is a pyoxigraph store (default PROJECT/.cache/index) holding the ontology and
    each data file as its own named graph, their union, the meta graph and, once computed,
    the closure's inferred triples; `query`, `check FILE` and `add` open it and re-read only
    the files that changed since, and the answers of questions asked of the files as they
    are. It is a cache: deleting it loses nothing.
    Exits 0, or 2 if a file cannot be read or a question has no answer (--answers).
    """
    import shutil
    import time

    from detente.incremental import base_judgement, load_rules
    from detente.index import ensure_closure, index_folder
    from detente.validate import names_of

    try:
        if answers and reasoner != "reasonable":
            raise ValueError(
                "--answers keeps answers for `query`, which asks on reasonable's closure: "
                f"it takes no --reasoner {reasoner}"
            )
        project = _project(project_dir)
        folder = index_dir or index_folder(project)
        if rebuild:
            shutil.rmtree(folder / "store", ignore_errors=True)
            (folder / "state.json").unlink(missing_ok=True)
        with open_index(project, folder) as index:
            done = index.refresh
            click.echo(
                f"index: {index.triples()} triples in {len(index.data_graphs)} data files at "
                f"{index.folder}; {_refresh_words(done)} in {done.seconds:.2f} s"
            )
            if closure:
                start = time.perf_counter()
                ensure_closure(index, reasoner)
                click.echo(f"closure: current ({time.perf_counter() - start:.2f} s)")
            if judge:
                start = time.perf_counter()
                rules = load_rules(project, reasoner)  # type: ignore[arg-type]
                names = names_of(index.names(), rules.ontology, rules.shapes)
                judged = base_judgement(index, rules, names, reasoner)  # type: ignore[arg-type]
                click.echo(
                    f"judgement: {len(judged.findings)} findings, "
                    f"{len(judged.inconsistencies)} inconsistencies "
                    f"({time.perf_counter() - start:.2f} s)"
                )
            unanswered = _keep_answers(index) if answers else []
    except (InputError, FileNotFoundError, ValueError) as err:
        _fail(str(err))
        return
    for error in unanswered:
        click.echo(f"detente: {error}", err=True)
    sys.exit(EXIT_ERROR if unanswered else EXIT_OK)


def _keep_answers(index: Index) -> list[InputError]:
    """Answer every question of the project on the index and keep the answers; the errors of
    those that have none."""
    import time

    start = time.perf_counter()
    known = questions(index.project.root / "scripts" / "questions")
    unanswered: list[InputError] = []
    answer_indexed(index, known, unanswered=unanswered)
    click.echo(
        f"answers: {len(known) - len(unanswered)} of {len(known)} questions kept "
        f"({time.perf_counter() - start:.2f} s)"
    )
    return unanswered


def _refresh_words(done: Any) -> str:
    """What opening the index re-read, in words."""
    if done.built:
        return "built"
    parts = [
        f"{len(files)} {word}"
        for files, word in (
            (done.added, "added"),
            (done.changed, "changed"),
            (done.removed, "removed"),
        )
        if files
    ]
    return ("re-read: " + ", ".join(parts)) if parts else "up to date"


@main.command()
@click.option(
    "--store",
    "store_url",
    required=True,
    metavar="URL",
    help="The store's Graph Store Protocol endpoint (Oxigraph: http://HOST:PORT/store; "
    "Virtuoso: http://USER:PASSWORD@HOST:PORT/sparql-graph-crud-auth). A user and password "
    "in the URL are sent as HTTP Basic or Digest, as the store asks, and never printed.",
)
@click.option(
    "--graph",
    "into",
    metavar="IRI",
    default=None,
    help="Put everything (ontology, data, closure) into this one named graph, and touch "
    "nothing else: no graph per source, no default graph.",
)
@click.option(
    "--union-graph",
    "union",
    metavar="IRI",
    default=None,
    help="Put the union of the graphs into this named graph instead of the store's default "
    "graph: for stores without a default graph of their own (Virtuoso); `detente query "
    "--endpoint` then asks it as the default graph.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Give up on a request the store has not answered after this many seconds (exit 2).",
)
@REASONER
@PROJECT
def push(
    store_url: str,
    into: str | None,
    union: str | None,
    timeout: float,
    reasoner: str,
    project_dir: Path | None,
) -> None:
    """Load ontology, data and closure into a SPARQL 1.1 store, over the Graph Store Protocol.

    One named graph per data file (id/graph/<file>), plus id/graph/ontology, id/graph/meta
    and id/graph/inferred, and their union as the store's default graph (or --union-graph),
    so that `detente query NAME --endpoint URL` gives the same rows as the embedded engine.
    Each graph is replaced (PUT); graphs an earlier push wrote that this one has not are
    deleted, as the manifest graph id/graph/push records. A push that stops half-way says
    which graphs hold the new copy and which still hold the earlier one. Exits 0 when
    pushed, 2 if the store cannot be reached, refuses, answers an error or is silent past
    --timeout.
    """
    from detente.reason import close
    from detente.store import Timeouts, checked_iri, push_store, reach
    from detente.store import push as push_into

    try:
        if into is not None and union is not None:
            raise ValueError("--graph puts everything into one graph: it takes no --union-graph")
        graph = checked_iri(into, "--graph") if into is not None else None
        union_graph = checked_iri(union, "--union-graph") if union is not None else None
        project = _project(project_dir)
        timeouts = Timeouts(read=timeout)
        reach(store_url, timeouts)  # before the graph is loaded and closed, which takes a while
        sources = load_sources(project)
        data = push_store(sources, close(sources.merged(), reasoner))  # type: ignore[arg-type]
        pushed = push_into(
            data,
            store_url,
            graph,
            union_graph,
            timeouts,
            say=lambda line: click.echo(f"push: {line}", err=True),
        )
    except (InputError, FileNotFoundError, ValueError) as err:
        _fail(str(err))
        return
    click.echo(pushed.summary())


@main.command()
@click.option(
    "--triples",
    type=click.IntRange(min=1),
    required=True,
    help="About how many report triples to write (files of some 1,000 triples each).",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="The same seed writes the same files."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder to write (new, or empty): a project of its own.",
)
@click.option(
    "--contribution-triples",
    "contribution_sizes",
    type=click.IntRange(min=1),
    multiple=True,
    default=(500,),
    show_default=True,
    help="About how many triples each contribution in contributions/ holds (valid ones, and "
    "one per kind of defect); repeat for several sizes.",
)
@click.option("--no-contributions", is_flag=True, help="Write no contributions/.")
@click.option(
    "--article/--no-article",
    default=True,
    show_default=True,
    help="Copy the article's data files too, or write synthetic reports only.",
)
def synth(
    triples: int,
    seed: int,
    out: Path,
    contribution_sizes: tuple[int, ...],
    no_contributions: bool,
    article: bool,
) -> None:
    """Write a synthetic project of made-up reports that passes `detente check`.

    The ontology, shapes and scripts are copied from this project (and, with --article, its
    data files); each data/synth-NNNNN.ttl is one made-up report whose quotes say they are
    synthetic. contributions/ holds contributions to try `check FILE` on: valid/ ones that
    are accepted, and defective/ ones with one known defect each (some in an existing
    neighbour), with manifest.json listing the findings each must give. Use it with
    `detente --project OUT ...` to try detente on a large graph.
    """
    from detente.synth import synth as write_synthetic

    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        _fail(f"{out}: exists and is not empty; choose a new folder")
        return
    sizes = [] if no_contributions else list(contribution_sizes)
    summary = write_synthetic(triples, seed, out, sizes, article)
    click.echo(
        f"wrote {summary.files} synthetic reports, {summary.triples} triples, and "
        f"{summary.valid} valid and {summary.defective} defective contributions "
        f"({summary.contribution_triples} triples), to {out}"
    )


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder to write the publication into (replaced whole once the build succeeds).",
)
@click.option(
    "--base-url",
    default=DEFAULT_BASE_URL,
    show_default=True,
    callback=lambda _ctx, _param, value: _base_url(value),
    help="Where the publication will be reachable: used in the dataset description "
    "(download and endpoint URLs) and canonical links; pages link relatively.",
)
@click.option(
    "--web-root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder the web server will serve the publication from, written into "
    "conf/nginx.conf and conf/apache.conf (default: the --out folder).",
)
@click.option("--force", is_flag=True, help="Build even if nothing changed since the last build.")
@click.option(
    "--no-check", "skip_check", is_flag=True, help="Publish without running `detente check` first."
)
@PROJECT
def build(
    out: Path,
    base_url: str,
    web_root: Path | None,
    force: bool,
    skip_check: bool,
    project_dir: Path | None,
) -> None:
    """Write the publication: dumps, dataset description, a page per thing, the ontology's
    documentation, the index with pictures, and web server configuration.

    The data must pass `detente check` first (exit 1 otherwise, nothing written). A second
    build with the same inputs writes nothing. Copy the folder to a web server and include
    conf/nginx.conf (or conf/apache.conf); `detente serve` serves it locally.
    """
    from detente.publish.build import BuildError, OutFolderError
    from detente.publish.build import build as build_publication

    try:
        project = _project(project_dir)
        built = build_publication(
            project,
            out,
            base_url,
            force=force,
            check=not skip_check,
            web_root=web_root.resolve() if web_root else None,
            step=_progress(),
        )
    except BuildError as err:
        click.echo(f"detente: {err}", err=True)
        sys.exit(EXIT_ERROR if isinstance(err, OutFolderError) else EXIT_FAIL)
    except (InputError, FileNotFoundError, OSError) as err:
        _fail(str(err))
        return
    if built.skipped:
        click.echo(f"{out}: up to date, nothing written ({built.seconds:.2f} s; --force rebuilds)")
        return
    size = sum(d.size for d in built.dumps if not d.path.endswith(".gz"))
    click.echo(
        f"{out}: {built.files} files, {built.things} things, {len(built.dumps)} dumps "
        f"({size / 1e6:.1f} MB uncompressed) in {built.seconds:.1f} s\n"
        f"open {out / 'index.html'} in a browser, or run `detente serve` and open "
        "http://127.0.0.1:8000/"
    )


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Loopback (the default) keeps the server to this machine; "
    "0.0.0.0 opens it to the network.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port; the URL is printed).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="The publication folder; built (or rebuilt, if the project changed) first.",
)
@click.option(
    "--no-build", "skip_build", is_flag=True, help="Serve --out as it is, without building."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Stop a SPARQL query after this many seconds (it is answered 503).",
)
@click.option(
    "--max-results",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Send at most this many rows or triples of an answer; a cut answer says so in "
    "its header X-Detente-Truncated.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=None,
    help="SPARQL queries answered at once, each in its own process [default: one a core, 2 to 4].",
)
@click.option("--access-log", is_flag=True, help="Log every request.")
@PROJECT
def serve(
    host: str,
    port: int,
    out: Path,
    skip_build: bool,
    timeout: float,
    max_results: int,
    workers: int | None,
    access_log: bool,
    project_dir: Path | None,
) -> None:
    """Serve the publication locally, with a read-only SPARQL endpoint at /sparql.

    IRIs id/<type>/<slug> answer 303 See Other to their documents, which (like /ontology)
    are content-negotiated, as with the web server configurations `detente build` writes.
    /sparql speaks the SPARQL 1.1 Protocol (GET and POST; SELECT and ASK answers as JSON,
    XML, CSV or TSV; CONSTRUCT and DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML) on the
    project's graphs and their OWL 2 RL closure, each source a named graph. It refuses
    updates, SERVICE and FROM of graphs it does not hold (403), stops a query past --timeout
    (503), and answers a malformed query 400 with its line and column. GET /sparql without
    a query is the query page. Ctrl-C stops the server.
    """
    from detente.publish.build import BuildError, OutFolderError
    from detente.publish.build import build as build_publication
    from detente.serve import Limits, default_workers
    from detente.serve import serve as serve_publication

    try:
        project = _project(project_dir)
        if not skip_build:
            built = build_publication(project, out, step=_progress())
            if not built.skipped:
                click.echo(f"{out}: built {built.things} documents in {built.seconds:.1f} s")
        limits = Limits(
            timeout=timeout, max_results=max_results, workers=workers or default_workers()
        )
        serve_publication(
            project, out, host, port, limits=limits, access_log=access_log, say=click.echo
        )
    except BuildError as err:
        click.echo(f"detente: {err}", err=True)
        sys.exit(EXIT_ERROR if isinstance(err, OutFolderError) else EXIT_FAIL)
    except (InputError, FileNotFoundError, ValueError) as err:
        _fail(str(err))
    except OSError as err:  # the port is taken, the host unknown
        _fail(f"cannot listen on {host}:{port}: {err.strerror or err}")


def _base_url(value: str) -> str:
    """An absolute http(s) URL, ending in '/'."""
    if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", value):
        raise click.BadParameter(f"must be an absolute http(s) URL, got {value!r}")
    return value if value.endswith("/") else value + "/"


def _progress() -> Callable[[str], None]:
    """A printer of build stages on standard error, counting documents in fifties."""
    documents = 0

    def say(stage: str) -> None:
        nonlocal documents
        if stage.startswith("doc/"):
            documents += 1
            if documents % 50 == 0:
                click.echo(f"  {documents} documents", err=True)
        elif not stage.startswith("dumps/"):
            click.echo(f"build: {stage}", err=True)

    return say


def _print_results(
    title: str,
    results: Results,
    names: Graph,
    output_format: str,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> None:
    """Write one question's results in the chosen format; a table shows at most max_rows rows
    (0: all) and says how many were left out."""
    if output_format == "csv":
        click.echo(to_csv(results), nl=False)
    elif output_format == "tsv":
        click.echo(to_tsv(results), nl=False)
    elif output_format == "json":
        click.echo(to_json(results), nl=False)
    elif output_format == "md":
        click.echo(f"### {title}\n\n{to_markdown(results, names)}")
    else:
        count = len(results.rows)
        shown = count if max_rows == 0 else min(count, max_rows)
        caption = None
        if shown < count:
            caption = (
                f"{count:,} rows, the first {shown:,} shown: --max-rows 0 shows them all, "
                "--format csv writes them all"
            )
        table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
        for name in results.variables:
            table.add_column(name, overflow="fold")
        for row in itertools.islice(table_rows(results, names), shown):
            table.add_row(*row)
        Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160).print(table)


def entry() -> None:
    """The console script: the command line, with any unexpected error said in one line."""
    try:
        main()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as err:  # a bug (or a Rust panic): no traceback unless asked for
        if os.environ.get("DETENTE_DEBUG"):
            raise
        click.echo(
            f"detente: internal error: {type(err).__name__}: {err} "
            "(set DETENTE_DEBUG=1 to see the traceback)",
            err=True,
        )
        sys.exit(EXIT_ERROR)
