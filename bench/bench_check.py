"""Time `detente check` against the naive pipeline, whole process, in one run.

Usage: python bench/bench_check.py [RUNS]   (default 5 runs each, interleaved)
Prints the median wall-clock seconds of each and their ratio.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(command: list[str]) -> float:
    """Wall-clock seconds of one whole process; fails loudly if it does not succeed."""
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main(runs: int) -> None:
    """Run both pipelines `runs` times, interleaved, and print medians and the ratio."""
    ours = [str(BIN / "detente"), "check"]
    naive = [sys.executable, str(ROOT / "bench" / "naive_check.py"), str(ROOT)]
    ours_times, naive_times = [], []
    for _ in range(runs):
        ours_times.append(timed(ours))
        naive_times.append(timed(naive))
    ours_median = statistics.median(ours_times)
    naive_median = statistics.median(naive_times)
    print(f"detente check   median {ours_median:.2f} s  runs {[round(t, 2) for t in ours_times]}")
    print(f"naive pipeline  median {naive_median:.2f} s  runs {[round(t, 2) for t in naive_times]}")
    print(f"ratio naive/ours {naive_median / ours_median:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
