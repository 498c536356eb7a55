"""How long the whole suite takes against the reference target (issue: <= 10 s wall on 2 cores).

Runs `firehose-conformance run` in a fresh process several times, side by side serial and with
workers, and prints the wall time of each run and the per-scenario median from its results file.
A benchmark reports; it never fails a build.

    python bench/bench_suite.py [--rounds 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tabulate import tabulate

TARGET_SECONDS = 10.0


def run_once(workers: int, results: Path) -> tuple[float, dict]:
    command = [sys.executable, "-m", "firehose_conformance.cli", "run", "--results", str(results)]
    command += ["--junit", str(results.with_suffix(".xml"))]
    if workers:
        command += ["-n", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall, json.loads(results.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        walls: dict[int, list[float]] = {0: [], args.workers: []}
        medians: dict[int, list[float]] = {0: [], args.workers: []}
        for _ in range(args.rounds):  # interleaved, so machine noise hits both alike
            for workers in walls:
                wall, data = run_once(workers, Path(tmp) / f"r{workers}.json")
                walls[workers].append(wall)
                durations = [
                    s["duration_s"] for s in data["scenarios"] if s["verdict"] != "not_applicable"
                ]
                medians[workers].append(statistics.median(durations))
                scenarios = len(data["scenarios"])
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
