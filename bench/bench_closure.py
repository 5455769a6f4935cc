"""The OWL 2 RL closure of an index, whole and split in chunks: the same triples? how long,
and how much memory?

Usage: python bench/bench_closure.py [--small /tmp/s100k] [--large /tmp/s1m-closure]
           [--chunks 10000,20000,40000,100000] [--end-to-end] [--max-memory 20]

--small: a project whose index is built (`detente index`); its store is only read. The
closure of its default graph is computed whole (reasonable on the whole graph at once) and
split (chunks of `CLOSURE_CHUNK` triples), each in a process of its own: seconds, peak
memory (max RSS, from wait4), the closure's triples, and a digest of the triple set, so that
the two can be compared. --large: the split closure alone, read-only too, for each size in
--chunks. --end-to-end: then, on --large (written to: give it a copy of a project), the
closure made anew into its index (`ensure_closure`, the inferred graph replaced) and
`detente query timeline` (a question on the closure), each a whole process.

Each process may take at most --max-memory GB of address space, so that a step that runs
away fails alone. Prints a Markdown table and the load average before and after (the
machine is shared).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DETENTE = str(Path(sys.executable).parent / "detente")
LIMIT = {"bytes": 0}


def limited() -> None:
    """In a new process: cap its address space at LIMIT, if any."""
    if LIMIT["bytes"]:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT["bytes"], LIMIT["bytes"]))


def run(command: list[str]) -> tuple[int, float, float, str]:
    """Run a process to its end: exit code, seconds, peak RSS in MB, what it printed."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, preexec_fn=limited
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024, text


def store_of(project: Path) -> Path:
    """The on-disk store of a project's index."""
    return project / ".cache" / "index" / "store"


# ------------------------------------------------------------------ in a process of its own


def closure_once(store_path: Path, chunk: int | None) -> dict[str, Any]:
    """The closure of a store's default graph (read-only), whole (chunk None) or split: its
    seconds, triples, chunks, and an order-free digest of its triples."""
    import pyoxigraph as ox

    from detente import index

    store = ox.Store.read_only(str(store_path))
    chunks = 0
    if chunk is not None:
        plan = index._split_plan(store)
        assert plan is not None, "this graph cannot be split"
        with tempfile.TemporaryDirectory() as work:  # how many chunks, counted apart
            chunks = len(index._write_chunks(store, plan, chunk, Path(work)).paths())
    start = time.perf_counter()
    total, count = 0, 0
    for s, p, o in index._closure(store, "reasonable", chunk):
        line = f"{s} {p} {o}".encode()
        total += int.from_bytes(hashlib.sha256(line).digest()[:16], "big")
        count += 1
    return {
        "seconds": time.perf_counter() - start,
        "triples": count,
        "chunks": chunks,
        "digest": f"{total % 2**128:032x}",
    }


def ensure_once(project: Path) -> dict[str, Any]:
    """Make the closure of a project's index anew, as `detente index --closure` does."""
    import pyoxigraph as ox

    from detente.index import ensure_closure, open_index
    from detente.kg import INFERRED_GRAPH, Project

    with open_index(Project(project)) as index:
        index.state["closure"] = None
        start = time.perf_counter()
        ensure_closure(index)
        seconds = time.perf_counter() - start
        inferred = ox.NamedNode(str(INFERRED_GRAPH))
        kept = sum(1 for _ in index.store.quads_for_pattern(None, None, None, inferred))
    return {"seconds": seconds, "inferred": kept}


# ------------------------------------------------------------------ the table


def measure(arguments: list[str]) -> tuple[dict[str, Any] | None, float, str]:
    """Run this script on one measurement: its figures, peak MB, and an error or ''."""
    code, _, peak, text = run([sys.executable, __file__, "--one", *arguments])
    lines = text.strip().splitlines()
    if code != 0 or not lines:
        return None, peak, f"FAILED (exit {code}): {(lines or [''])[-1][:120]}"
    return json.loads(lines[-1]), peak, ""


def row(*cells: object) -> None:
    """Print a table row."""
    print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)


def triples_of(project: Path) -> str:
    """The asserted triples of a project's index, from its state."""
    state = json.loads((project / ".cache" / "index" / "state.json").read_text("utf-8"))
    return f"{state.get('triples', 0):,}"


def main() -> None:
    """Measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=Path)
    parser.add_argument("--large", type=Path)
    parser.add_argument("--chunks", default="")
    parser.add_argument("--end-to-end", action="store_true")
    parser.add_argument("--max-memory", type=float, default=20.0)
    parser.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, path, *rest = args.one
        if kind == "ensure":
            print(json.dumps(ensure_once(Path(path))))
        else:
            print(json.dumps(closure_once(Path(path), int(rest[0]) if rest else None)))
        return
    from detente.index import CLOSURE_CHUNK

    LIMIT["bytes"] = int(args.max_memory * 2**30)
    print(f"load average before: {os.getloadavg()}\n")
    row("graph", "asserted", "closure", "chunk", "chunks", "seconds", "peak MB", "triples", "same")
    row(*["---"] * 9)
    digests: dict[str, str] = {}
    cases: list[tuple[Path, str, int | None]] = []
    if args.small:
        cases += [(args.small, "whole", None), (args.small, "split", CLOSURE_CHUNK)]
    if args.large:
        sizes = [int(n) for n in args.chunks.split(",") if n] or [CLOSURE_CHUNK]
        cases += [(args.large, "split", size) for size in sizes]
    for project, kind, chunk in cases:
        extra = [] if chunk is None else [str(chunk)]
        got, peak, error = measure(["closure", str(store_of(project)), *extra])
        if got is None:
            row(project.name, triples_of(project), kind, chunk or "", "", "", "", "", error)
            continue
        first = digests.setdefault(str(project), got["digest"])
        row(
            project.name,
            triples_of(project),
            kind,
            chunk or "",
            got["chunks"] or "",
            f"{got['seconds']:.1f}",
            f"{peak:.0f}",
            f"{got['triples']:,}",
            "yes" if got["digest"] == first else "NO",
        )
    if args.end_to_end and args.large:
        got, peak, error = measure(["ensure", str(args.large)])
        done = f"{got['seconds']:.1f}" if got else error
        inferred = f"{got['inferred']:,} inferred" if got else ""
        row(
            args.large.name,
            triples_of(args.large),
            "index --closure",
            CLOSURE_CHUNK,
            "",
            done,
            f"{peak:.0f}",
            inferred,
            "",
        )
        code, seconds, peak, text = run(
            [DETENTE, "--project", str(args.large), "query", "timeline", "--format", "csv"]
        )
        rows = max(0, len(text.strip().splitlines()) - 1)
        row(
            args.large.name,
            triples_of(args.large),
            "query timeline",
            "",
            "",
            f"{seconds:.1f}" if code == 0 else f"FAILED (exit {code})",
            f"{peak:.0f}",
            f"{rows:,} rows",
            "",
        )
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
