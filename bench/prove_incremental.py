"""Prove that `detente check FILE` on the index gives exactly the full judgement's findings.

Usage: python bench/prove_incremental.py PROJECT [FILE ...]   (default: every file of
PROJECT/contributions/, as `detente synth` writes them)

For each contribution, judges it twice in this process: on the whole merged graph (rdflib +
pySHACL, `--no-index`) and incrementally on the persistent index; compares every finding
(node, rule, path, value, severity, message, line, who brings it) and every inconsistency,
and prints a row per file with both times and their ratio, then the totals. Exits 1 if any
file differs.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

from detente.contribution import judge_contribution, judge_contribution_indexed
from detente.index import open_index
from detente.kg import Project, load_sources
from detente.policy import read_contribution
from detente.validate import Outcome

logging.getLogger("rdflib").setLevel(logging.CRITICAL)

Key = tuple[list[tuple[str, ...]], list[tuple[str, str]]]


def key(outcome: Outcome) -> Key:
    """Everything a judgement says, in a comparable form."""
    findings = sorted(
        (
            str(f.focus),
            str(f.rule),
            str(f.path),
            str(f.value),
            f.severity,
            f.message,
            str(f.contributed),
            str(f.line),
        )
        for f in outcome.findings
    )
    found = sorted((str(i.node), i.message) for i in outcome.inconsistencies)
    return findings, found


def main(root: Path, files: list[Path]) -> int:
    """Judge every file both ways; print a table; 1 if any differs."""
    project = Project(root.resolve())
    files = files or sorted((root / "contributions").glob("*/*.ttl"))
    start = time.perf_counter()
    sources = load_sources(project)
    print(f"# {root}: sources loaded in {time.perf_counter() - start:.1f} s")
    differ = 0
    ratios = []
    print("| contribution | triples | findings | full s | index s | ratio | same |")
    print("|---|---|---|---|---|---|---|")
    with open_index(project) as index:
        for path in files:
            contribution = read_contribution([path])
            start = time.perf_counter()
            full = judge_contribution(project, contribution, sources)
            full_s = time.perf_counter() - start
            start = time.perf_counter()
            fast = judge_contribution_indexed(project, contribution, index)
            fast_s = time.perf_counter() - start
            same = key(full.outcome) == key(fast.outcome)
            differ += not same
            ratios.append(full_s / fast_s)
            print(
                f"| {path.parent.name}/{path.name} | {len(contribution.graph)} "
                f"| {len(full.outcome.findings)} | {full_s:.2f} | {fast_s:.2f} "
                f"| {full_s / fast_s:.1f}x | {'yes' if same else 'NO'} |",
                flush=True,
            )
            if not same:
                a, b = key(full.outcome), key(fast.outcome)
                for row in sorted(set(a[0]) ^ set(b[0])):
                    print(f"#   {'full' if row in a[0] else 'index'} only: {row}")
                if a[1] != b[1]:
                    print(f"#   inconsistencies: full {a[1]} index {b[1]}")
    print(
        f"# {len(files)} contributions, {differ} differ; "
        f"median speed-up {statistics.median(ratios):.1f}x (the first index run includes "
        "recording the graph's judgement, unless it was recorded before)"
    )
    return 1 if differ else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), [Path(a) for a in sys.argv[2:]]))
