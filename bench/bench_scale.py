"""Time detente on synthetic graphs of growing size: each step in a process of its own.

Usage: python bench/bench_scale.py [--sizes 10000,100000,1000000] [--seed 1]
           [--work /tmp/detente-bench] [--full-limit 100000] [--only STEP,...]

For each size, a project written by `detente synth` (made once in WORK, reused after) is
indexed and then measured step by step. Every step runs as a whole process (the detente
command, or this script again for the steps timed inside a process), so that its peak
memory (max RSS, from wait4; a forked query worker counts) is its own. Steps:

  synth       `detente synth` (only when the project is not in WORK yet)
  index       `index --rebuild` (else `index`, untimed, to bring it up to date)
  closure     `index --closure` (else no closure: the questions that need it are left out)
  judge       `index --judge` (else made untimed, when check or refresh needs it)
  check       `check FILE` on the index and `check --no-index FILE` (rdflib + pySHACL, the
              reference engine: DETENTE_SHACL=pyshacl, on the merged graph) for a valid and
              a defective 500-triple contribution: same exit code and findings?
  questions   every question, timed one by one in one process: asked of the index's
              engine (answer_indexed, no kept answer), read back from the answers the
              index keeps (kept first, untimed), on the in-memory store `detente serve`
              holds (loaded once, apart) and with rdflib on the loaded dataset (closure
              made once)
  cold-query  `detente query held-meetings`, whole process, on a ready index: asked of
              the engine (--no-cache), and read back from the answer the index keeps
  refresh     `index` after one data file changed (one quote edited), its judgement caught
              up, the file restored, and the closure and judgement made current again
  build       `detente build --out TMP`
  push        `detente push` to a fresh `oxigraph serve` on a loopback port

Steps that parse everything with rdflib (full check, rdflib questions, build, push: see
store.py's push_store) are skipped above --full-limit triples. Each process may use at most
--max-memory GB of address space (RLIMIT_AS), so that a step that runs away fails alone rather
than bring the shared machine to its out-of-memory killer; a failed step is a row that says
so, and the others go on. Prints a Markdown table, a row per figure as it is measured, and
the load average before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]  # this checkout
SHACL_VARIABLE = "DETENTE_SHACL"  # detente.validate's: the SHACL engine
BIN = Path(sys.executable).parent
DETENTE = str(BIN / "detente")
OXIGRAPH = str(BIN / "oxigraph")
STEPS = (
    "synth",
    "index",
    "closure",
    "judge",
    "check",
    "questions",
    "cold-query",
    "refresh",
    "build",
    "push",
)
VALID = "contributions/valid/500-1.ttl"
DEFECTIVE = "contributions/defective/500-duplicate-tenure.ttl"
EDITED = "data/synth-00001.ttl"
QUOTE, EDIT = 'det:quote "(synthetic) ', 'det:quote "(synthetic, edited) '
SKIPPED = "skipped (over --full-limit)"


@dataclass
class Ran:
    """One whole process: exit code, wall-clock seconds, peak memory, and what it printed."""

    code: int
    seconds: float
    peak_mb: float
    out: str
    err: str


LIMIT = {"bytes": 0}  # the address space a measured process may take (0: no limit)


def limited() -> None:
    """In a new process: cap its address space (RLIMIT_AS) at LIMIT, if any."""
    if LIMIT["bytes"]:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT["bytes"], LIMIT["bytes"]))


def run(command: list[str], cwd: Path | None = None) -> Ran:
    """Run a process to its end; its wall-clock time and its peak RSS (with its children)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, preexec_fn=limited)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Ran(
            process.returncode,
            seconds,
            usage.ru_maxrss / 1024,  # KB on Linux
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def failure(ran: Ran, codes: tuple[int, ...] = (0,)) -> str:
    """'' if the exit code is expected; else what went wrong, in a line."""
    if ran.code in codes:
        return ""
    if ran.code < 0:
        name = signal.Signals(-ran.code).name
        why = f"killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
    else:
        why = f"exit {ran.code}"
    lines = [line.strip() for line in ran.err.splitlines() if line.strip()]
    said = [line for line in lines if not line.startswith("note:")][-1:] or [""]
    hint = said[0][:160].replace("|", "/")
    return f"FAILED: {why}" + (f": {hint}" if hint else "")


def detente(project: Path, *arguments: str) -> list[str]:
    """A detente command line on a project."""
    return [DETENTE, "--project", str(project), *arguments]


def child(step: str, project: Path, limit: float | None) -> list[str]:
    """This script, run again to time one step inside a process of its own."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", step, str(project)]
    return [*command, str(limit)] if limit else command


def load() -> str:
    """The machine's load average, 1, 5 and 15 minutes."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Table:
    """The Markdown table, printed a row at a time."""

    def __init__(self) -> None:
        """Print the header."""
        print("| size (triples) | step | seconds | peak MB | ratio / notes |")
        print("|---|---|---|---|---|", flush=True)

    def row(self, size: str, step: str, ran: Ran | None, notes: str = "") -> None:
        """One figure: a whole process's time and peak memory (or none), and notes."""
        seconds = f"{ran.seconds:.2f}" if ran else "-"
        peak = f"{ran.peak_mb:.0f}" if ran else "-"
        print(f"| {size} | {step} | {seconds} | {peak} | {notes} |", flush=True)

    def figure(self, size: str, step: str, seconds: float, peak: float, notes: str) -> None:
        """One figure timed inside a process."""
        print(f"| {size} | {step} | {seconds:.3f} | {peak:.0f} | {notes} |", flush=True)


# ------------------------------------------------------------------ steps run in a child


def time_each(
    chosen: list[Any], answer: Callable[[Any], Any], limit: float | None
) -> dict[str, Any]:
    """Each question answered by `answer`, timed alone (one stopped at the time limit, or
    failed past the memory limit, counts the time it ran); the rows of each answer digested
    for comparison."""
    from detente.query import QueryError

    times, digests, stopped, failed = {}, {}, [], []
    for question in chosen:
        start = time.perf_counter()
        try:
            results = answer(question)
        except QueryError as err:
            if limit is None:
                raise
            times[question.name] = time.perf_counter() - start
            (stopped if "no answer within" in err.message else failed).append(question.name)
            continue
        times[question.name] = time.perf_counter() - start
        digests[question.name] = digest(results.rows)
    return {"times": times, "digests": digests, "stopped": stopped, "failed": failed}


def questions_on_index(project: Path, limit: float | None) -> dict[str, Any]:
    """Each question asked of the index's engine, timed alone (no kept answer read or kept);
    rows digested for comparison."""
    from detente.query import answer_indexed

    def ask(index: Any, question: Any) -> Any:
        return answer_indexed(index, [question], timeout=limit, cache=False)[0][1]

    return _on_index(project, limit, ask)


def questions_kept(project: Path, limit: float | None) -> dict[str, Any]:
    """Each question's answer read back from the index, timed alone: the answers are first
    kept, untimed, where the index keeps none for the files as they are."""
    from detente.query import QueryError, answer_indexed

    def keep(index: Any, question: Any) -> None:
        # A no-op where it is kept already. With no answer to keep, the timed ask fails the
        # same way, and says so.
        with contextlib.suppress(QueryError):
            answer_indexed(index, [question], timeout=limit)

    def read_back(index: Any, question: Any) -> Any:
        return answer_indexed(index, [question], timeout=limit)[0][1]

    return _on_index(project, limit, read_back, keep)


def _on_index(
    project: Path,
    limit: float | None,
    answer: Callable[[Any, Any], Any],
    before: Callable[[Any, Any], None] | None = None,
) -> dict[str, Any]:
    """Each question answered on the index by `answer`, timed alone, after `before` (untimed)
    for every question; those that need a closure the index lacks are left out."""
    from detente.index import open_index
    from detente.kg import Project
    from detente.query import questions

    with open_index(Project(project)) as index:
        chosen, left_out = [], []
        for question in questions(project / "scripts" / "questions"):
            if question.needs_closure and not index.state.get("closure"):
                left_out.append(question.name)  # computing it here would be timed as a question
            else:
                chosen.append(question)
        if before is not None:
            for question in chosen:
                before(index, question)
        timed = time_each(chosen, lambda q: answer(index, q), limit)
    return {**timed, "left_out": left_out}


def questions_served(project: Path, limit: float | None) -> dict[str, Any]:
    """Each question answered on the in-memory store `detente serve` holds, timed alone."""
    from rdflib import Graph

    from detente.kg import Project
    from detente.query import questions, run_within
    from detente.serve import project_store

    start = time.perf_counter()
    store, _ = project_store(Project(project))
    loaded = time.perf_counter() - start
    empty = Graph(bind_namespaces="none")
    timed = time_each(
        questions(project / "scripts" / "questions"),
        lambda q: run_within(q, empty, "oxigraph", None, store, limit),
        limit,
    )
    return {**timed, "load": loaded}


def questions_on_rdflib(project: Path, limit: float | None) -> dict[str, Any]:
    """Each question answered by rdflib on the dataset (loaded and closed once), timed alone."""
    import logging

    from detente.kg import Project, load_sources
    from detente.query import questions, run_within
    from detente.reason import close

    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    chosen = questions(project / "scripts" / "questions")
    start = time.perf_counter()
    sources = load_sources(Project(project))
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    datasets = {
        key: sources.dataset(close(sources.merged()) if key else None)
        for key in sorted({question.needs_closure for question in chosen})
    }
    closing = time.perf_counter() - start
    timed = time_each(
        chosen,
        lambda q: run_within(q, datasets[q.needs_closure], "rdflib", timeout=limit),
        limit,
    )
    return {**timed, "load": loaded, "datasets": closing}


def digest(rows: list[Any]) -> str:
    """A digest of a result's rows, whatever their order."""
    text = "\n".join(sorted(repr(tuple(str(term) for term in row)) for row in rows))
    return f"{len(rows)}:{hashlib.sha256(text.encode()).hexdigest()[:12]}"


CHILDREN = {
    "questions-index": questions_on_index,
    "questions-kept": questions_kept,
    "questions-served": questions_served,
    "questions-rdflib": questions_on_rdflib,
}


# ------------------------------------------------------------------ the steps of one size


@dataclass
class Bench:
    """One size's project, the options, and the table being printed."""

    project: Path
    size: int
    full_limit: int
    only: set[str]
    table: Table
    limit: float | None = None
    union: int = 0

    @property
    def label(self) -> str:
        """The size column: the union's triples once known, else the size asked for."""
        return f"{self.union:,}" if self.union else f"~{self.size:,}"

    @property
    def full(self) -> bool:
        """Whether the steps that parse everything with rdflib run at this size."""
        return self.size <= self.full_limit

    def wants(self, step: str) -> bool:
        """Whether a step was asked for."""
        return not self.only or step in self.only

    def index(self, step: str, *options: str) -> Ran | None:
        """`detente index` with options, as a row of the table (None if it failed); notes the
        union's size from what it prints."""
        ran = run(detente(self.project, "index", *options))
        for line in ran.out.splitlines():
            if line.startswith("index: "):
                self.union = int(line.split()[1])
        wrong = failure(ran)
        if wrong:
            self.table.row(self.label, step, ran, wrong)
            return None
        return ran

    def closure_current(self) -> bool:
        """Whether the index holds a current closure (its state says so)."""
        try:
            state = json.loads((self.project / ".cache/index/state.json").read_text())
        except (OSError, ValueError):
            return False
        return bool(state.get("closure"))

    def judged(self) -> bool:
        """Make sure the index records the graph's judgement (untimed unless asked for)."""
        return self.index("index --judge (untimed)", "--judge") is not None


def printed(ran: Ran, start: str) -> str:
    """The line a command printed that starts with `start`, or ''."""
    return next((line for line in ran.out.splitlines() if line.startswith(start)), "")


def synth(workdir: Path, size: int, seed: int, table: Table) -> Path:
    """The project for a size, written by `detente synth` unless already there."""
    project = workdir / f"synth-{size}-seed{seed}"
    if project.is_dir():
        stale = _sync_questions(project)
        note = f"; questions brought up to date: {', '.join(stale)}" if stale else ""
        table.row(f"~{size:,}", "synth", None, f"cached: {project}{note}")
        return project
    partial = project.with_name(project.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    command = [DETENTE, "synth", "--triples", str(size), "--seed", str(seed), "--out"]
    ran = run([*command, str(partial)])
    if failure(ran):
        sys.exit(f"detente synth: {failure(ran)}")
    partial.rename(project)
    table.row(f"~{size:,}", "synth", ran, ran.out.strip().split(", to ")[0])
    return project


def _sync_questions(project: Path) -> list[str]:
    """Copy this checkout's questions over a cached project's older ones; their names."""
    ours, theirs = ROOT / "scripts" / "questions", project / "scripts" / "questions"
    stale = []
    for path in sorted(ours.glob("*.rq")):
        copy = theirs / path.name
        if not copy.is_file() or copy.read_bytes() != path.read_bytes():
            shutil.copyfile(path, copy)
            stale.append(path.stem)
    return stale


def bench_index(bench: Bench) -> bool:
    """The index built from scratch (or, untimed, brought up to date); False if it failed."""
    if not bench.wants("index"):
        return bench.index("index (untimed)") is not None
    ran = bench.index("index --rebuild", "--rebuild")
    if ran:
        words = printed(ran, "index:").split("; ")[-1]
        bench.table.row(bench.label, "index --rebuild", ran, words)
    return ran is not None


def bench_closure(bench: Bench) -> None:
    """The OWL 2 RL closure computed into the index."""
    ran = bench.index("index --closure", "--closure")
    if ran:
        bench.table.row(bench.label, "index --closure", ran, printed(ran, "closure:"))


def bench_judge(bench: Bench) -> None:
    """The whole graph's judgement recorded in the index."""
    ran = bench.index("index --judge", "--judge")
    if ran:
        bench.table.row(bench.label, "index --judge", ran, printed(ran, "judgement:"))


def findings(ran: Ran) -> tuple[int, str]:
    """A check's exit code and its findings and inconsistencies, in a comparable form."""
    try:
        report = json.loads(ran.out)
    except ValueError:
        return ran.code, f"unreadable output: {ran.out[-300:]} {ran.err[-300:]}"
    found = sorted(json.dumps(f, sort_keys=True) for f in report["findings"])
    inconsistent = sorted(json.dumps(i, sort_keys=True) for i in report["inconsistencies"])
    return ran.code, json.dumps([found, inconsistent])


def inside(ran: Ran) -> str:
    """The seconds a check says it took inside its process (its JSON's "seconds")."""
    try:
        return f"{json.loads(ran.out)['seconds']:.2f} s in-process"
    except (ValueError, KeyError, TypeError):
        return "in-process time unknown"


def bench_check(bench: Bench) -> None:
    """A 500-triple contribution judged on the index and in full, valid and defective."""
    for file in (VALID, DEFECTIVE):
        path = bench.project / file
        name = path.name
        fast = run(detente(bench.project, "check", "--format", "json", str(path)))
        if failure(fast, (0, 1)):
            bench.table.row(bench.label, f"check {name} (index)", fast, failure(fast, (0, 1)))
            continue
        code, said = findings(fast)
        count = len(json.loads(said)[0]) if said.startswith("[") else "?"
        notes = f"exit {code}, {count} findings; {inside(fast)}"
        bench.table.row(bench.label, f"check {name} (index)", fast, notes)
        if not bench.full:
            bench.table.row(bench.label, f"check {name} (--no-index)", None, SKIPPED)
            continue
        # the full judgement on the reference engine, pySHACL, as the target names it
        full = detente(bench.project, "check", "--no-index", "--format", "json", str(path))
        command = ["env", f"{SHACL_VARIABLE}=pyshacl", *full]
        slow = run(command)
        if failure(slow, (0, 1)):
            notes = failure(slow, (0, 1))
            bench.table.row(bench.label, f"check {name} (--no-index)", slow, notes)
            continue
        same = "same exit code and findings" if findings(slow) == (code, said) else "DIFFERENT"
        ratio = f"full/index {slow.seconds / fast.seconds:.1f}x; {same}; {inside(slow)}"
        bench.table.row(bench.label, f"check {name} (--no-index)", slow, ratio)


def answered(bench: Bench, step: str, label: str) -> tuple[dict[str, Any], Ran] | None:
    """A child's timed answers to every question, or None (and a row saying why)."""
    ran = run(child(step, bench.project, bench.limit))
    if failure(ran):
        bench.table.row(bench.label, label, ran, failure(ran))
        return None
    return json.loads(ran.out.splitlines()[-1]), ran


def slowest(answers: dict[str, Any]) -> str:
    """The median's companion: the slowest question and its time."""
    name = max(answers["times"], key=answers["times"].get)
    return f"max {answers['times'][name]:.3f} s ({name})"


def bench_questions(bench: Bench) -> None:
    """Every question on the index and with rdflib, each timed alone; medians and maxima."""
    got = answered(bench, "questions-index", "questions, index")
    if got is None:
        return
    ours, ran = got
    median = statistics.median(ours["times"].values())
    notes = f"{slowest(ours)}; {len(ours['times'])} questions"
    if ours["left_out"]:
        notes += f"; left out (no closure in the index): {', '.join(ours['left_out'])}"
    notes += stopped(ours, bench.limit)
    bench.table.figure(bench.label, "questions, index: median", median, ran.peak_mb, notes)
    bench_kept(bench, ours)
    bench_served(bench, ours)
    if not bench.full:
        bench.table.row(bench.label, "questions, rdflib: median", None, SKIPPED)
        return
    beside(
        bench,
        "questions-rdflib",
        "rdflib",
        ours,
        lambda rdflib: set(rdflib["digests"]),
        lambda rdflib: (
            f"load {rdflib['load']:.1f} s + datasets and closure {rdflib['datasets']:.1f} s apart; "
        ),
        slower=True,
    )


def bench_kept(bench: Bench, ours: dict[str, Any]) -> None:
    """Every question's answer as the index keeps it: its median, and its rows compared with
    the engine's."""
    beside(bench, "questions-kept", "kept answers", ours, lambda kept: set(kept["digests"]))


def bench_served(bench: Bench, ours: dict[str, Any]) -> None:
    """Every question on the in-memory store of `detente serve`: its median, and its rows
    compared with the index's where both answer on the closure."""
    project = bench.project / "scripts" / "questions"
    on_closure = {p.stem for p in project.glob("*.rq") if re.search(CLOSURE_YES, p.read_text())}
    beside(
        bench,
        "questions-served",
        "served",
        ours,
        lambda _: on_closure,
        lambda served: f"loaded into memory in {served['load']:.1f} s apart; ",
    )


def beside(
    bench: Bench,
    step: str,
    name: str,
    ours: dict[str, Any],
    among: Callable[[dict[str, Any]], set[str]],
    more: Callable[[dict[str, Any]], str] = lambda _: "",
    slower: bool = False,
) -> None:
    """A child's answers to every question beside those asked of the index: its median, the
    ratio of medians (theirs to the index's where they are `slower`, else the index's to
    theirs), and the rows compared among the questions chosen."""
    label = f"questions, {name}"
    got = answered(bench, step, label)
    if got is None:
        return
    theirs, ran = got
    median = statistics.median(theirs["times"].values())
    index_median = statistics.median(ours["times"].values())
    short = name.split()[0]
    ratio = (
        f"{short}/index {median / index_median:.1f}x"
        if slower
        else f"index/{short} {index_median / median:.1f}x"
    )
    notes = (
        f"{slowest(theirs)}; {ratio} (medians); "
        + more(theirs)
        + same_rows(ours, theirs, among(theirs))
        + stopped(theirs, bench.limit)
    )
    bench.table.figure(bench.label, f"{label}: median", median, ran.peak_mb, notes)


CLOSURE_YES = r"(?im)^#\s*closure:\s*yes\b"


def same_rows(ours: dict[str, Any], theirs: dict[str, Any], among: set[str]) -> str:
    """Whether two engines gave the same rows to the questions both answered, among these."""
    both = set(ours["digests"]) & set(theirs["digests"]) & among
    differ = sorted(q for q in both if ours["digests"][q] != theirs["digests"][q])
    return f"rows DIFFER: {', '.join(differ)}" if differ else f"same rows ({len(both)} compared)"


def stopped(answers: dict[str, Any], limit: float | None) -> str:
    """Notes on the questions stopped at the time limit or failed for memory (their time
    counts as they ran)."""
    notes = ""
    if answers["stopped"]:
        notes += f"; stopped at the {limit:g} s limit: {', '.join(answers['stopped'])}"
    if answers.get("failed"):
        notes += f"; failed (out of memory?): {', '.join(answers['failed'])}"
    return notes


def bench_cold_query(bench: Bench) -> None:
    """`detente query held-meetings` as a whole process, on a ready index: asked of the
    engine (--no-cache), then read back from the answer the index keeps."""
    for options, label in ((["--no-cache"], "asked"), ([], "kept answer")):
        step = f"query held-meetings (cold, {label})"
        command = detente(bench.project, "query", "held-meetings", "--format", "csv", *options)
        if not options:
            run(command)  # kept, untimed, where it is not kept yet
        ran = run(command)
        if failure(ran):
            bench.table.row(bench.label, step, ran, failure(ran))
            continue
        rows = max(0, len(ran.out.strip().splitlines()) - 1)
        bench.table.row(bench.label, step, ran, f"{rows} rows")


@contextmanager
def edited(path: Path) -> Iterator[None]:
    """One quote of a data file changed (the project stays valid); restored afterwards."""
    original = path.read_bytes()
    text = original.decode("utf-8")
    if QUOTE not in text:
        sys.exit(f"{path}: no {QUOTE!r} to edit")
    path.write_text(text.replace(QUOTE, EDIT, 1), encoding="utf-8")
    try:
        yield
    finally:
        path.write_bytes(original)


def bench_refresh(bench: Bench) -> None:
    """The index after one file changed and after it was restored; the catch-up after."""
    closure = bench.closure_current()
    with edited(bench.project / EDITED):
        ran = bench.index("index (1 file changed)")
        if ran:
            words = printed(ran, "index:").split("; ")[-1]
            bench.table.row(bench.label, "index (1 file changed)", ran, words)
        ran = bench.index("index --judge (after change)", "--judge")
        if ran:
            notes = f"catch-up: {printed(ran, 'judgement:')}"
            bench.table.row(bench.label, "index --judge (after change)", ran, notes)
    ran = bench.index("index (file restored)")
    if ran:
        words = printed(ran, "index:").split("; ")[-1]
        bench.table.row(bench.label, "index (file restored)", ran, words)
    options = ("--closure", "--judge") if closure else ("--judge",)
    step = f"index {' '.join(options)} (again)"
    ran = bench.index(step, *options)
    if ran:
        notes = "; ".join(printed(ran, w) for w in ("closure:", "judgement:") if printed(ran, w))
        bench.table.row(bench.label, step, ran, notes)


def bench_build(bench: Bench) -> None:
    """`detente build` into a new folder (it checks the whole graph first)."""
    if not bench.full:
        bench.table.row(bench.label, "build", None, SKIPPED + "; rdflib + full check first")
        return
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "dist"
        ran = run(detente(bench.project, "build", "--out", str(out)))
        files = sum(1 for p in out.rglob("*") if p.is_file())
    bench.table.row(bench.label, "build", ran, failure(ran) or f"{files} files written")


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    """Return once the server listens on the port."""
    while server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"oxigraph serve stopped (exit {server.returncode})")


def vm_hwm_mb(pid: int) -> float:
    """A running process's peak resident memory, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_push(bench: Bench) -> None:
    """`detente push` to a fresh on-disk Oxigraph server on a loopback port."""
    if not bench.full:
        notes = SKIPPED + "; push reads the files with rdflib and closes them (store.py)"
        bench.table.row(bench.label, "push to oxigraph", None, notes)
        return
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        command = [OXIGRAPH, "serve", "--location", folder, "--bind", f"127.0.0.1:{port}"]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(port, server)
            url = f"http://127.0.0.1:{port}/store"
            ran = run(detente(bench.project, "push", "--store", url, "--timeout", "600"))
            served = vm_hwm_mb(server.pid)
        finally:
            server.terminate()
            server.wait()
    said = ran.out.strip().splitlines()[-1] if ran.out.strip() else ""
    notes = f"{failure(ran) or said}; server peak {served:.0f} MB"
    bench.table.row(bench.label, "push to oxigraph", ran, notes)


def bench_size(bench: Bench) -> None:
    """Every step asked for, at one size, in order (nothing more if the index fails)."""
    if not bench_index(bench):
        return
    for step, measure in (("closure", bench_closure), ("judge", bench_judge)):
        if bench.wants(step):
            measure(bench)
    if not bench.wants("judge") and {"check", "refresh"} & (bench.only or set(STEPS)):
        bench.judged()
    for step, measure in (
        ("check", bench_check),
        ("questions", bench_questions),
        ("cold-query", bench_cold_query),
        ("refresh", bench_refresh),
        ("build", bench_build),
        ("push", bench_push),
    ):
        if bench.wants(step):
            measure(bench)


def main() -> None:
    """Parse the options and measure each size; or, with --child, time one step here."""
    if sys.argv[1:2] == ["--child"]:
        limit = float(sys.argv[4]) if len(sys.argv) > 4 else None
        print(json.dumps(CHILDREN[sys.argv[2]](Path(sys.argv[3]), limit)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/detente-bench"))
    parser.add_argument("--full-limit", type=int, default=100000)
    parser.add_argument("--only", default="", help=f"steps among {','.join(STEPS)}")
    parser.add_argument("--max-memory", type=float, default=16.0, help="GB per process")
    parser.add_argument(
        "--question-limit",
        type=float,
        default=None,
        help="stop a question after this many seconds (default: none; with a limit, each "
        "question runs in a forked worker, as `detente query` runs it)",
    )
    options = parser.parse_args()
    LIMIT["bytes"] = int(options.max_memory * 1024**3)
    only = {s for s in options.only.split(",") if s}
    if only - set(STEPS):
        parser.error(f"unknown steps {sorted(only - set(STEPS))}; choose among {STEPS}")
    options.work.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {load()} ({os.cpu_count()} cores)\n")
    table = Table()
    for size in (int(s) for s in options.sizes.split(",")):
        project = synth(options.work.resolve(), size, options.seed, table)
        bench = Bench(project, size, options.full_limit, only, table, options.question_limit)
        bench_size(bench)
    print(f"\nload average at end: {load()}")


if __name__ == "__main__":
    main()
