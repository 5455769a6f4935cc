"""Push the graph to a real Oxigraph server and ask it every question, at several sizes.

Usage: python bench/bench_push.py [TRIPLES ...]        (default: 10000 100000)
       python bench/bench_push.py --project DIR        (a project of your own, e.g. synthetic)
       python bench/bench_push.py --push-only [TRIPLES ...]   (default: 1000000)

For each size, the article project plus synthetic reports (bench/synthetic.py, in data files of
about 1,000 triples: one named graph each) is loaded and closed, then pushed to an in-memory
`oxigraph serve` on a loopback port (`detente push`), pushed again (replacing the first copy),
and every question is asked there (`detente query --endpoint`) and on the embedded engine.
Each size runs in a process of its own, so that its peak memory is its own. Prints a table.
--push-only times the push alone: the synthetic files are read by pyoxigraph (no rdflib, no
closure) into a store shaped as a push sends it, a graph per file and their union.
"""

from __future__ import annotations

import json
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from synthetic import PREFIXES, TRIPLES_PER_BLOCK, block

from detente.kg import Project, graph_name, load_sources
from detente.query import questions, run
from detente.reason import close
from detente.store import Timeouts, answer_remote, push, push_store, triple_count

ROOT = Path(__file__).resolve().parents[1]
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
BLOCKS_PER_FILE = 1000 // TRIPLES_PER_BLOCK
SLOW = Timeouts(connect=5.0, read=600.0)


def synthetic_project(triples: int, folder: Path) -> Project:
    """The article project plus about `triples` synthetic triples, in files of ~1,000."""
    for name in ("ontology", "shapes", "data", "scripts"):
        shutil.copytree(ROOT / name, folder / name)
    blocks = max(1, triples // TRIPLES_PER_BLOCK)
    for start in range(0, blocks, BLOCKS_PER_FILE):
        numbers = range(start, min(start + BLOCKS_PER_FILE, blocks))
        text = PREFIXES + "".join(block(n) for n in numbers)
        (folder / "data" / f"synthetic-{start:07d}.ttl").write_text(text, encoding="utf-8")
    return Project(folder)


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def peak_mb(pid: int) -> float:
    """The peak resident memory of a process, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(project: Project) -> dict[str, float]:
    """Load, close, push twice and ask every question there and here, timed; peak memory."""
    figures: dict[str, float] = {}
    start = time.perf_counter()
    sources = load_sources(project)
    closed = close(sources.merged())
    figures["load+close s"] = time.perf_counter() - start
    figures["peak MB"] = rss_mb()
    start = time.perf_counter()
    data = push_store(sources, closed)
    figures["build s"] = time.perf_counter() - start
    figures["build peak MB"] = rss_mb()
    figures["triples"] = triple_count(data, None)
    port = free_port()
    server = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait(port)
        store, query = f"http://127.0.0.1:{port}/store", f"http://127.0.0.1:{port}/query"
        figures["graphs"] = len(push(data, store, timeouts=SLOW).written)
        figures["push s"] = push(data, store, timeouts=SLOW).seconds  # the replacing push
        chosen = questions(project.root / "scripts" / "questions")
        start = time.perf_counter()
        answer_remote(query, chosen, project, timeouts=SLOW)
        figures["questions remote s"] = time.perf_counter() - start
        figures["server peak MB"] = peak_mb(server.pid)
    finally:
        server.terminate()
        server.wait()
    start = time.perf_counter()
    for question in chosen:  # the embedded engine on the same dataset, as `detente query` runs it
        run(question, Graph(), "oxigraph", store=data)
    figures["questions embedded s"] = time.perf_counter() - start
    return figures


def measure_push(triples: int, folder: Path) -> dict[str, float]:
    """Push a store read straight from synthetic files (no rdflib, no closure), timed."""
    project = synthetic_project(triples, folder)
    start = time.perf_counter()
    data = ox.Store()
    for path in project.data_files:
        name = ox.NamedNode(str(graph_name(path)))
        data.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=name)
        data.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    figures = {"read s": time.perf_counter() - start, "triples": triple_count(data, None)}
    port = free_port()
    server = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait(port)
        store = f"http://127.0.0.1:{port}/store"
        figures["graphs"] = len(push(data, store, timeouts=SLOW).written)
        figures["push s"] = push(data, store, timeouts=SLOW).seconds
        figures["server peak MB"] = peak_mb(server.pid)
    finally:
        server.terminate()
        server.wait()
    figures["detente peak MB"] = rss_mb()
    return figures


def wait(port: int) -> None:
    """Return once something listens on the loopback port."""
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.01)


def child(argument: str, push_only: bool) -> None:
    """Measure one size (or one project folder) and print the figures as JSON."""
    if Path(argument).is_dir():
        print(json.dumps(measure(Project(Path(argument).resolve()))))
        return
    with tempfile.TemporaryDirectory() as folder:
        if push_only:
            print(json.dumps(measure_push(int(argument), Path(folder))))
        else:
            print(json.dumps(measure(synthetic_project(int(argument), Path(folder)))))


def main(arguments: list[str]) -> None:
    """Measure each size in a process of its own and print the table."""
    if arguments[:1] == ["--child"]:
        child(arguments[1], arguments[2:] == ["--push-only"])
        return
    push_only = arguments[:1] == ["--push-only"]
    if push_only:
        sizes, mode = arguments[1:] or ["1000000"], ["--push-only"]
    elif arguments[:1] == ["--project"]:
        sizes, mode = arguments[1:2], []
    else:
        sizes, mode = arguments or ["10000", "100000"], []
    rows = []
    for size in sizes:
        command = [sys.executable, __file__, "--child", size, *mode]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.splitlines()[-1]))
    columns = list(rows[0])
    width = max(len(c) for c in columns)
    print(" | ".join(f"{c:>{width}}" for c in columns))
    for row in rows:
        print(" | ".join(f"{row[c]:>{width}.2f}" for c in columns))


if __name__ == "__main__":
    main(sys.argv[1:])
