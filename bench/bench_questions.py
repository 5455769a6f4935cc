"""Time the full set of question scripts on each engine, in one process.

Usage: python bench/bench_questions.py [RUNS]   (default 5)
Prints, per engine, the median seconds of one pass over every question (the dataset of named
graphs loaded once; the oxigraph stores are built once and their loading time printed apart).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from detente.engines import oxigraph_store
from detente.kg import find_project, load_sources
from detente.query import questions, run
from detente.reason import close

ROOT = Path(__file__).resolve().parents[1]


def main(runs: int) -> None:
    """Run every question `runs` times per engine and print the medians."""
    project = find_project(ROOT)
    sources = load_sources(project)
    datasets = {False: sources.dataset(), True: sources.dataset(close(sources.merged()))}
    scripts = questions(project.root / "scripts" / "questions")
    start = time.perf_counter()
    stores = {key: oxigraph_store(dataset) for key, dataset in datasets.items()}
    print(f"oxigraph stores built in {time.perf_counter() - start:.3f} s")
    medians = {}
    for engine in ("rdflib", "oxigraph"):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            for question in scripts:
                key = question.needs_closure
                store = stores[key] if engine == "oxigraph" else None
                run(question, datasets[key], engine, store=store)  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
        medians[engine] = statistics.median(times)
        print(f"{engine:9} {len(scripts)} questions  median {medians[engine]:.3f} s per pass")
    print(f"ratio rdflib/oxigraph {medians['rdflib'] / medians['oxigraph']:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
