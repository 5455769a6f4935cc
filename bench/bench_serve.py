"""A bounded load test of `detente serve`'s SPARQL endpoint (not a pytest test).

Usage: python bench/bench_serve.py [--requests 1000] [--clients 8] [--dist DIR]
                                   [--engine detente|oxigraph]

detente (the default) starts `detente serve` (its serve() function) in a subprocess on a free
loopback port and sends the example questions (scripts/questions/*.rq, in turn) from
concurrent clients, each with its own keep-alive connection, POSTed as forms and answered as
SPARQL JSON. It then checks that the server stays sound under faults: a query past the time
limit (the bench starts the server with a 2 s limit), a malformed one and an update, each
sent while the load runs, must not cost any other query its answer. Last it stops the server
with Ctrl-C (SIGINT) and checks that it exits cleanly.

oxigraph runs the same load against Oxigraph's own server (`oxigraph serve-read-only`, from
the PyPI package `oxigraph`) on an on-disk copy of the same dataset, for comparison: the raw
engine behind HTTP, without detente's checks, limits or publication.

Prints p50/p99 latency, throughput and the error count (non-200 answers; it must be 0).
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox

from detente.kg import Project, find_project
from detente.query import Question, questions
from detente.serve import project_store

ROOT = Path(__file__).resolve().parents[1]
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . }"
SERVE = (
    "import sys; from pathlib import Path; from detente.kg import project_at; "
    "from detente.serve import Limits, serve; "
    "serve(project_at(Path(sys.argv[1])), Path(sys.argv[2]), port=0, limits=Limits(timeout=2))"
)
ACCEPT = {"Accept": "application/sparql-results+json"}
NODELAY = (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def start_detente(project: Project, dist: Path) -> tuple[subprocess.Popen[str], str]:
    """`detente serve` on a free port: the process and the endpoint's URL."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-c", SERVE, str(project.root), str(dist)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"\(SPARQL endpoint: (\S+)\)", line)
    if not found:
        process.kill()
        sys.exit(f"bench: the server did not start: {line!r}")
    return process, found.group(1)


def start_oxigraph(project: Project, folder: Path) -> tuple[subprocess.Popen[str], str]:
    """Oxigraph's read-only server on an on-disk copy of the dataset: process and URL."""
    store, _ = project_store(project)
    on_disk = ox.Store(str(folder / "store"))
    on_disk.bulk_extend(store.quads_for_pattern(None, None, None, None))
    on_disk.flush()
    del on_disk
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "serve-read-only",
            "--location",
            str(folder / "store"),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout-s",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    sys.exit("bench: oxigraph did not start")


def free_port() -> int:
    """A loopback port free at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def load(url: str, scripts: list[Question], total: int, clients: int) -> tuple[list[float], int]:
    """Send `total` questions from `clients` threads; each request's seconds, and the errors."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        nonlocal errors
        # TCP_NODELAY, as browsers and urllib (one write) do: without it, the request's body
        # waits for the ACK of its headers, which the server delays by 40 ms.
        nodelay = httpx.HTTPTransport(socket_options=[NODELAY])
        with httpx.Client(timeout=30, transport=nodelay) as http:
            while True:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                question = scripts[index % len(scripts)]
                start = time.perf_counter()
                try:
                    response = http.post(url, data={"query": question.text}, headers=ACCEPT)
                    ok = response.status_code == 200 and "results" in response.json()
                except (httpx.HTTPError, ValueError):
                    ok = False
                took = time.perf_counter() - start
                with lock:
                    latencies.append(took)
                    errors += not ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def report(name: str, latencies: list[float], errors: int, seconds: float) -> None:
    """Print the figures of one load."""
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(
        f"{name}: {len(latencies)} queries in {seconds:.2f} s = "
        f"{len(latencies) / seconds:.0f} queries/s; latency p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms, max {ordered[-1] * 1000:.1f} ms; errors {errors}"
    )


def faults(url: str, scripts: list[Question], clients: int) -> list[str]:
    """Queries that must fail, sent while a load runs; what went wrong (empty: nothing)."""
    problems: list[str] = []
    expected: list[tuple[str, dict[str, str], int]] = [
        ("runaway query", {"query": ENDLESS}, 503),
        ("malformed query", {"query": "SELECT ?x WHERE { ?x"}, 400),
        ("update", {"update": "CLEAR ALL"}, 403),
        ("remote FROM", {"query": "SELECT * FROM <http://example.org/> { ?s ?p ?o }"}, 403),
    ]
    outcome: dict[str, int] = {}

    def fault(name: str, data: dict[str, str]) -> None:
        try:
            outcome[name] = httpx.post(url, data=data, headers=ACCEPT, timeout=30).status_code
        except httpx.HTTPError as err:
            problems.append(f"{name}: {type(err).__name__} (no answer within 30 s)")

    senders = [threading.Thread(target=fault, args=(n, d)) for n, d, _ in expected]
    for sender in senders:
        sender.start()
    start = time.perf_counter()
    latencies, errors = load(url, scripts, 300, clients)
    report("  load during the faults", latencies, errors, time.perf_counter() - start)
    for sender in senders:
        sender.join()
    for name, _, status in expected:
        if outcome.get(name) != status:
            problems.append(f"{name}: {outcome.get(name)} (expected {status})")
    if errors:
        problems.append(f"{errors} queries failed during the faults")
    return problems


def stop(process: subprocess.Popen[str], say: Callable[[str], None]) -> bool:
    """Ctrl-C the server; whether it stopped cleanly, and how long it took."""
    start = time.perf_counter()
    process.send_signal(signal.SIGINT)
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        say("server did not stop within 20 s of Ctrl-C")
        return False
    say(f"stopped by Ctrl-C in {time.perf_counter() - start:.2f} s, exit {process.returncode}")
    return process.returncode == 0 and "stopped" in (out or "")


def main() -> None:
    """Run the load test and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--dist", type=Path, default=None, help="a built publication")
    parser.add_argument("--engine", choices=("detente", "oxigraph"), default="detente")
    args = parser.parse_args()
    project = find_project(ROOT)
    scripts = questions(project.root / "scripts" / "questions")
    with tempfile.TemporaryDirectory() as scratch:
        if args.engine == "oxigraph":
            process, url = start_oxigraph(project, Path(scratch))
        else:
            dist = args.dist
            if dist is None:
                from detente.publish.build import build

                dist = Path(scratch) / "dist"
                build(project, dist, check=False)
            process, url = start_detente(project, dist)
        try:
            load(url, scripts, 2 * len(scripts), args.clients)  # warm up
            start = time.perf_counter()
            latencies, errors = load(url, scripts, args.requests, args.clients)
            report(args.engine, latencies, errors, time.perf_counter() - start)
            problems = faults(url, scripts, args.clients)
            for problem in problems:
                print(f"  PROBLEM: {problem}")
            if args.engine == "detente" and not stop(process, lambda s: print(f"  {s}")):
                problems.append("no clean stop on Ctrl-C")
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    sys.exit(1 if errors or problems else 0)


if __name__ == "__main__":
    main()
