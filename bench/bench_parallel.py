"""Time to verdict on targets that really wait: serial vs. ``run -n N``, side by side in one run.

Each leg starts its own server on 127.0.0.1 for each run (a fresh one, so runs do not inherit each
other's state), runs ``firehose-conformance run`` against it in a process of its own, and prints
wall time, CPU seconds (the run and its xdist workers), the largest process's memory, the
scenario counts, and whether the parallel results equal the serial ones (every scenario's
verdict and reason, every requirement's verdict; run ids, durations and times aside). The
parallel side runs twice: ``first`` (no previous results: the typical durations shipped with
the package) and ``repeat`` (over the first's results file, which ``run -n N`` reads to hand
the scenarios out longest first, as it does for anyone who runs the suite again):

1. ``moto``: moto_server, the whole suite, with the wait bounds CI gives moto (it answers at once).
   Target: parallel <= 60 s wall on 2 cores (serial took about 230 s).
2. ``reference``: the reference server, ``--clock real --transition-seconds 1``, the whole suite
   including @scale. Target: parallel <= 180 s. API-11 creates 5,000 streams and API-08 allows
   five CreateDeliveryStream calls per second per account, so API-11 alone needs >= 1,000 s on
   any conforming target: the target cannot be met with @scale (see bench/README.md). The serial
   side takes over half an hour; without ``--serial-reference`` it is *projected* as the sum of
   the parallel run's scenario durations (labelled so).
3. ``aws-latency`` (only with ``--aws-latency``): the reference server with ``--latency aws``, the
   scenarios the aws target runs with ``key_specs=all`` (not @slow, @scale, nor needing a
   capability a real account lacks here: a clock, the bytes at rest, instant key deletion; by
   default it also runs one key-spec row per key family only), with the aws target's wait bounds
   (``AWS_PROFILE``). Target: <= 30 min. Parallel only; serial projected as above. Each worker
   empties its own account after a scenario at once, where a real account's teardown deletes
   (and waits out a deleting stream's last flush): the projection leaves teardown out.

Resource counts per run come from the reference server's request log (one line per request):
delivery streams, KMS keys, S3 buckets and Kinesis streams created.

    python bench/bench_parallel.py                      # legs 1 and 2, -n 16 (about 35 min)
    python bench/bench_parallel.py --legs moto          # one leg (about 5 min)
    python bench/bench_parallel.py --aws-latency        # adds leg 3
    python bench/bench_parallel.py --quick              # a few scenarios, for the smoke test

A benchmark reports; it never fails a build: the exit status is 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import bench_server  # this directory: one way to start a server and wait for it
from tabulate import tabulate

from firehose_conformance import compare_runs
from firehose_conformance.results import read_results
from firehose_conformance.targets.aws_options import AWS_PROFILE
from firehose_conformance.targets.endpoint import FAST_EMULATOR_OPTIONS

ROOT = Path(__file__).resolve().parents[1]
MOTO_WAITS = dict(FAST_EMULATOR_OPTIONS)  # README's CI job's bounds for moto_server
# What the aws target runs (its cost policy leaves @slow and @scale out; a real account has no
# clock to move, no view of the bytes at rest, no instant key deletion). A superset: every
# key-spec row runs here, where the aws target by default runs one per key family.
AWS_SELECTION = (
    "not slow and not scale and not needs-clock and not needs-at-rest and not needs-key-deletion"
)
QUICK_SELECTION = "API-03 or API-08 or API-13 or SSE-02"
TARGETS = {"moto": 60.0, "reference": 180.0, "aws-latency": 1800.0}
# Requests that create something, as the reference server logs them: "<op>" or "PUT /<bucket>".
CREATED = {
    "delivery streams": re.compile(r" Firehose_20150804\.CreateDeliveryStream 200 "),
    "KMS keys": re.compile(r" TrentService\.CreateKey 200 "),
    "S3 buckets": re.compile(r" PUT /[^/?\s]+ - 200 "),
    "Kinesis streams": re.compile(r" Kinesis_20131202\.CreateStream 200 "),
}


@dataclass(frozen=True)
class Leg:
    name: str
    server: list[str]  # the server command, with PORT for the port
    options: dict[str, str]
    selection: str
    serial: bool  # measure the serial side (else project it)
    counts: bool  # the server logs its requests (the reference): count what was created


@dataclass
class Run:
    leg: str
    mode: str
    workers: int
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    results: dict[str, Any]
    created: dict[str, int] = field(default_factory=dict)
    measured: bool = True


@contextlib.contextmanager
def server(command: list[str], log: Path) -> Iterator[str]:
    """bench_server's server on a free port ("PORT" in ``command``), its output in ``log``."""
    port = bench_server.free_port()
    argv = [str(port) if part == "PORT" else part for part in command]
    with bench_server.server(argv, port, log) as url:
        yield url


def run_once(leg: Leg, workers: int, scratch: Path, *, repeat: bool = False) -> Run:
    """One ``firehose-conformance run`` against a fresh server of the leg. ``repeat``: again
    over the results file of the same leg and workers, which ``run -n N`` reads to hand the
    scenarios out longest first (a first run, with none, takes the typical durations shipped
    with the package)."""
    mode = (f"-n {workers}" + (" repeat" if repeat else " first")) if workers else "serial"
    log = scratch / f"{leg.name}-{workers}-server.log"
    results = scratch / f"{leg.name}-{workers}.json"
    with server(leg.server, log) as url:
        argv = [sys.executable, "-m", "firehose_conformance.cli", "run", "--endpoint-url", url]
        argv += [f"--target-option={key}={value}" for key, value in leg.options.items()]
        argv += ["--quiet", "--results", str(results), "--junit", str(scratch / "junit.xml")]
        argv += ["-n", str(workers)] if workers else []
        argv += ["--", "-m", leg.selection] if leg.selection else []
        # A run of its own, not a worker of whatever pytest session started this script.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        subprocess.run(argv, cwd=scratch, env=env, stdout=subprocess.DEVNULL, check=False)
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    document = json.loads(results.read_text()) if results.exists() else {}
    created = count_created(log) if leg.counts else {}
    return Run(leg.name, mode, workers, wall, cpu, after.ru_maxrss / 1024, document, created)


def count_created(log: Path) -> dict[str, int]:
    text = log.read_text(errors="replace")
    return {what: len(pattern.findall(text)) for what, pattern in CREATED.items()}


def projected_serial(parallel: Run) -> Run:
    """The serial side, not measured: the sum of the parallel run's scenario durations (an
    overestimate where workers slowed each other down; waits dominate these runs)."""
    total = sum(s["duration_s"] for s in parallel.results.get("scenarios", []))
    return Run(parallel.leg, "serial (projected)", 0, total, 0.0, 0.0, {}, measured=False)


def differences(serial: dict[str, Any], parallel: dict[str, Any]) -> list[str]:
    """compare_runs.differences over two results documents as read from their files."""
    if not serial or not parallel:
        return ["a run wrote no results"]
    with tempfile.TemporaryDirectory() as scratch:
        read = []
        for name, document in (("serial", serial), ("parallel", parallel)):
            path = Path(scratch) / f"{name}.json"
            path.write_text(json.dumps(document))
            read.append(read_results(path))
    return compare_runs.differences(*read)


def counts(run: Run) -> str:
    summary = run.results.get("summary") or {}
    if not summary:
        return "-" if not run.measured else "no results"
    keys = ("passed", "failed", "error", "not_applicable")
    return "/".join(str(summary.get(k, 0)) for k in keys)


def legs(args: argparse.Namespace) -> list[Leg]:
    seconds = "0.2" if args.quick else "1"
    reference = ["-m", "reference_impl", "--port", "PORT", "--clock", "real"]
    made = {
        "moto": Leg(
            "moto",
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "PORT"],
            MOTO_WAITS,
            QUICK_SELECTION if args.quick else "",
            serial=True,
            counts=False,
        ),
        "reference": Leg(
            "reference",
            [sys.executable, *reference, "--transition-seconds", seconds],
            {},
            QUICK_SELECTION if args.quick else "",
            serial=args.quick or args.serial_reference,
            counts=True,
        ),
        "aws-latency": Leg(
            "aws-latency",
            [sys.executable, *reference, "--latency", "aws"],
            {f.name: f"{getattr(AWS_PROFILE, f.name):g}" for f in fields(AWS_PROFILE)},
            f"({AWS_SELECTION}) and ({args.aws_subset})" if args.aws_subset else AWS_SELECTION,
            serial=False,
            counts=True,
        ),
    }
    chosen = args.legs.split(",") if args.legs else ["moto", "reference"]
    if args.aws_latency and "aws-latency" not in chosen:
        chosen.append("aws-latency")
    unknown = [name for name in chosen if name not in made]
    if unknown:
        raise SystemExit(f"bench_parallel: unknown leg(s) {', '.join(unknown)}; known: {made}")
    return [made[name] for name in chosen]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--workers", type=int, default=16, help="workers of the new mode")
    parser.add_argument("--legs", help="moto,reference,aws-latency (default moto,reference)")
    parser.add_argument("--aws-latency", action="store_true", help="add the --latency aws leg")
    parser.add_argument("--aws-subset", help="a -m expression narrowing the aws-latency leg")
    parser.add_argument(
        "--serial-reference", action="store_true", help="measure the reference's serial side"
    )
    parser.add_argument("--quick", action="store_true", help="a few scenarios, -n 4")
    args = parser.parse_args(argv)
    workers = 4 if args.quick else args.workers
    rows, notes = [], []
    with tempfile.TemporaryDirectory(prefix="fsc-bench-parallel-") as scratch:
        for leg in legs(args):
            first = run_once(leg, workers, Path(scratch))
            parallel = run_once(leg, workers, Path(scratch), repeat=True)
            if leg.serial:
                serial = run_once(leg, 0, Path(scratch))
                diff = differences(serial.results, parallel.results)
                same = "yes" if not diff else f"NO ({len(diff)})"
                notes += [f"{leg.name}: {line}" for line in diff[:10]]
            else:
                serial, same = projected_serial(parallel), "not measured"
            speedup = serial.wall_s / parallel.wall_s if parallel.wall_s else 0.0
            target = TARGETS[leg.name]
            for run in (serial, first, parallel):
                rows.append(
                    (
                        run.leg,
                        run.mode,
                        f"{run.wall_s:.1f}",
                        f"{run.cpu_s:.1f}" if run.measured else "-",
                        f"{run.max_rss_mb:.0f}" if run.measured else "-",
                        counts(run),
                        ", ".join(f"{v} {k}" for k, v in run.created.items()) or "-",
                    )
                )
            verdicts = [
                f"{run.mode} {'met' if run.wall_s <= target else 'NOT met'} ({run.wall_s:.0f} s)"
                for run in (first, parallel)
            ]
            notes.append(
                f"{leg.name}: speed-up x{speedup:.1f} (repeat); same results as serial: {same}; "
                f"target <= {target:g} s: " + ", ".join(verdicts)
            )
    headers = ("leg", "mode", "wall s", "cpu s", "max rss MB", "p/f/e/na", "created")
    print(tabulate(rows, headers=headers, tablefmt="simple"))
    print()
    for line in notes:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
