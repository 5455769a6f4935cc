"""Time `detente check FILE` on a ~100-triple contribution against the whole-graph check.

Usage: python bench/bench_contribution.py [RUNS] [TRIPLES]   (default 5 runs, 100 triples)
Whole processes, interleaved; prints medians and their ratio.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Graph
from synthetic import contribution

ROOT = Path(__file__).resolve().parents[1]
DETENTE = str(Path(sys.executable).parent / "detente")


def timed(command: list[str]) -> float:
    """Wall-clock seconds of one whole process that must exit 0."""
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main(runs: int, triples: int) -> None:
    """Time both commands `runs` times, interleaved, and print the medians."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.ttl"
        path.write_text(contribution(triples), encoding="utf-8")
        size = len(Graph().parse(path))
        ours, whole = [], []
        for _ in range(runs):
            ours.append(timed([DETENTE, "check", str(path)]))
            whole.append(timed([DETENTE, "check"]))
    mine, graph = statistics.median(ours), statistics.median(whole)
    print(f"contribution of {size} triples: detente check FILE  median {mine:.2f} s")
    print(f"whole graph:                  detente check       median {graph:.2f} s")
    print(f"ratio contribution/whole {mine / graph:.2f}")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 5,
        int(sys.argv[2]) if len(sys.argv) > 2 else 100,
    )
