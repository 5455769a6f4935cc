"""Time how fast `detente check FILE` refuses oversized and hostile contributions.

Usage: python bench/bench_refusals.py [RUNS]   (default 3)
Writes each hostile file to a temporary folder, runs `detente check FILE` as a whole process
RUNS times, and prints the median wall time, the peak memory of the process, its exit code and
the first words of its message; then the same for a small valid contribution, the baseline
every refusal is compared with (the cost of starting detente and loading the graph).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DETENTE = Path(sys.executable).with_name("detente")
ID = "https://w3id.org/detente/id/"


def plain_triples(path: Path) -> None:
    """19 MB of plain N-Triples (the issue's 512 s / 3.8 GB case)."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(180_000):
            out.write(
                f'<{ID}person/p{i}> <http://www.w3.org/2000/01/rdf-schema#label> "p{i} x" .\n'
            )


def collection(path: Path) -> None:
    """A 1M-item RDF collection in 2 MB of Turtle (the issue's 105 s / 5 GB case)."""
    items = " ".join("1" for _ in range(1_000_000))
    path.write_text(f"<{ID}person/x> <{ID}list> ( {items} ) .\n", encoding="utf-8")


def billion_laughs_utf16(path: Path) -> None:
    """The billion-laughs RDF/XML saved as UTF-16 without a byte-order mark (~4 min before)."""
    text = (ROOT / "tests/contributions/invalid/billion-laughs.rdf").read_text(encoding="utf-8")
    path.write_bytes(text.encode("utf-16-le"))


def prefixes(path: Path) -> None:
    """40,000 @prefix lines (206 s before)."""
    lines = [f"@prefix p{i}: <http://example.org/{i}#> ." for i in range(40_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def long_iri(path: Path) -> None:
    """One triple whose subject is a 100 KB IRI."""
    iri = ID + "person/" + "a" * 100_000
    path.write_text(f'<{iri}> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n', "utf-8")


CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "19 MB plain triples": ("plain.nt", plain_triples),
    "1M-item collection": ("collection.ttl", collection),
    "billion laughs, UTF-16": ("laughs.rdf", billion_laughs_utf16),
    "40k prefixes": ("prefixes.ttl", prefixes),
    "100 KB IRI": ("long.nt", long_iri),
}


def run_once(path: Path) -> tuple[float, int, str]:
    """Wall seconds, exit code and first message line of one `detente check FILE`."""
    start = time.perf_counter()
    done = subprocess.run(
        [str(DETENTE), "check", str(path), "--project", str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    message = (done.stderr.strip().splitlines() or [""])[-1]
    return seconds, done.returncode, message


def peak_memory_mb(path: Path) -> float:
    """Peak resident memory (MB) of one `detente check FILE`, in a child of its own."""
    code = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(DETENTE), "check", str(path), "--project", str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip()) / 1024


def main(runs: int) -> None:
    """Write every case, refuse it `runs` times, and print one line per case."""
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for label, (name, write) in CASES.items():
            files[label] = Path(folder) / name
            write(files[label])
        files["baseline: small valid file"] = ROOT / "tests/contributions/valid/visit.ttl"
        results = {}
        for label, path in files.items():
            times, code, message = [], 0, ""
            for _ in range(runs):
                seconds, code, message = run_once(path)
                times.append(seconds)
            results[label] = (statistics.median(times), peak_memory_mb(path), code, message)
        baseline = results["baseline: small valid file"][0]
        size = max(len(label) for label in results)
        print(
            f"{'case':{size}}  {'bytes':>10}  {'median s':>8}  {'x base':>6}  {'peak MB':>7}  exit"
        )
        for label, (seconds, memory, code, message) in results.items():
            print(
                f"{label:{size}}  {os.path.getsize(files[label]):>10}  {seconds:>8.2f}  "
                f"{seconds / baseline:>6.2f}  {memory:>7.0f}  {code}   {message[:90]}"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
