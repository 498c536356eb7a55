"""How long the whole suite takes against the reference target (issue: <= 10 s wall on 2 cores).

Runs the suite through its library entry (``run_suite``, as ``firehose-conformance run`` does)
several times, side by side serial and with workers, and prints the median wall time of each and
the per-scenario median from the results. The first round also pays this process's imports,
which the median over rounds leaves out. A benchmark reports; it never fails a build.

    python bench/bench_suite.py [--rounds 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from tabulate import tabulate

from firehose_conformance.results import Results
from firehose_conformance.runner import SuiteError, run_suite

TARGET_SECONDS = 10.0


def run_once(workers: int) -> tuple[float, Results]:
    started = time.perf_counter()
    try:
        run = run_suite(workers=workers)
    except SuiteError as error:
        sys.exit(f"run failed: {error}")
    return time.perf_counter() - started, run.results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rows = []
    walls: dict[int, list[float]] = {0: [], args.workers: []}
    medians: dict[int, list[float]] = {0: [], args.workers: []}
    for _ in range(args.rounds):  # interleaved, so machine noise hits both alike
        for workers in walls:
            wall, results = run_once(workers)
            walls[workers].append(wall)
            durations = [s.duration_s for s in results.scenarios if s.verdict != "not_applicable"]
            medians[workers].append(statistics.median(durations))
            scenarios = len(results.scenarios)
    for workers, values in walls.items():
        wall = statistics.median(values)
        rows.append(
            (
                "serial" if workers == 0 else f"-n {workers}",
                scenarios,
                f"{wall:.2f}",
                f"{statistics.median(medians[workers]) * 1000:.1f}",
                f"<= {TARGET_SECONDS:g}",
                "yes" if wall <= TARGET_SECONDS else "no",
            )
        )
    headers = ("run", "scenarios", "wall s (median)", "per-scenario median ms", "target s", "met")
    print(tabulate(rows, headers=headers))


if __name__ == "__main__":
    main()
