"""The reference served over HTTP, measured side by side in one run.

1. PutRecordBatch (500 x 1 KiB) requests per second from one boto3 client against the reference
   server (``python -m reference_impl``) vs. against moto's server (``moto_server``), each in its
   own process, both logging one line per request as they do by default; target
   reference/moto >= 1.0.
2. The conformance suite against the reference server started with ``--clock real
   --transition-seconds 1``: ``run -n 4`` vs. ``run -n 1`` wall time; target speed-up >= 2.5.
   By default without the ``@scale`` scenarios (``--suite-marks "not scale"``): API-11 creates
   5,000 streams and API-02 500, and CreateDeliveryStream and DeleteDeliveryStream are limited to
   five calls per second per account (API-08, a hard limit the server keeps on the real clock), so
   those two take over half an hour whatever the number of workers, and while they run they take
   the whole CreateDeliveryStream rate from the other workers, which sign with the same access key
   and so share the account (the server gives each 12-digit access key id an account of its own:
   reference_impl/accounts.py). ``--suite-marks ""`` runs them too.

Sides run in interleaved rounds (the first side rotating each round) so machine noise hits both
alike; a figure is the median over rounds. A benchmark reports; it never fails a build, so the exit
status is always 0.

    python bench/bench_server.py [--rounds 7] [--batches 40] [--only 1,2] [--suite-rounds 1]
    python bench/bench_server.py --quick      # tiny sizes, for a smoke test
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/firehose-bench"
BUCKET = "firehose-bench-destination"
STREAM = "bench-server"
START_TIMEOUT = 60.0
TARGET_MOTO_RATIO = 1.0
TARGET_SPEEDUP = 2.5


@dataclass(frozen=True)
class Sizes:
    records: int = 500
    record_size: int = 1024
    rounds: int = 7
    batches: int = 40  # per side per round
    suite_rounds: int = 1
    suite_workers: int = 4
    suite_marks: str = "not scale"


QUICK = Sizes(records=20, record_size=64, rounds=2, batches=3, suite_rounds=0)


def say(number: int, text: str) -> None:
    print(f"[{number}] {text}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"port {port}: the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"port {port}: no server within {START_TIMEOUT:g} s")


@contextlib.contextmanager
def server(command: list[str], port: int, log: Path | None = None) -> Iterator[str]:
    """A server process, its output in ``log`` (else discarded), stopped with SIGTERM."""
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") if log is not None else contextlib.nullcontext() as sink:
        output = sink if sink is not None else subprocess.DEVNULL
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_up(port, process)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def reference_command(port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "reference_impl", "--port", str(port), *extra]


def moto_command(port: int) -> list[str]:
    return [sys.executable, "-m", "moto.server", "-p", str(port)]


def session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


def client(service: str, url: str) -> Any:
    config = Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"})
    return session().client(service, endpoint_url=url, config=config)


def control(url: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{url}/_reference/{path}", data=data, method="GET" if data is None else "POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


# -- 1: PutRecordBatch requests per second -------------------------------------------------------
def prepare_stream(url: str, *, reference: bool) -> Any:
    """A DirectPut stream to S3 (Firehose defaults: 5 MiB / 300 s) and a checked put."""
    s3 = client("s3", url)
    s3.create_bucket(Bucket=BUCKET)
    fh = client("firehose", url)
    fh.create_delivery_stream(
        DeliveryStreamName=STREAM,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE,
            "BucketARN": f"arn:aws:s3:::{BUCKET}",
            "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 300},
        },
    )
    if reference:  # manual clock: move past CREATING at once
        control(url, "clock/advance", {"seconds": 30})
    for _ in range(600):
        status = fh.describe_delivery_stream(DeliveryStreamName=STREAM)
        if status["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE":
            break
        time.sleep(0.05)
    return fh


def measure_puts(sizes: Sizes) -> list[tuple[str, ...]]:
    records = [{"Data": os.urandom(sizes.record_size)} for _ in range(sizes.records)]
    ref_port, moto_port = free_port(), free_port()
    with (
        server(reference_command(ref_port, "--clock", "manual"), ref_port) as ref_url,
        server(moto_command(moto_port), moto_port) as moto_url,
    ):
        sides = {
            "reference": prepare_stream(ref_url, reference=True),
            "moto": prepare_stream(moto_url, reference=False),
        }

        def turn(fh: Any) -> float:
            started = time.perf_counter()
            for _ in range(sizes.batches):
                response = fh.put_record_batch(DeliveryStreamName=STREAM, Records=records)
                if response["FailedPutCount"]:
                    raise RuntimeError(f"{response['FailedPutCount']} records failed")
            return sizes.batches / (time.perf_counter() - started)

        for fh in sides.values():  # warm-up: connections, caches, first S3 objects
            turn(fh)
        rates: dict[str, list[float]] = {name: [] for name in sides}
        ratios = []
        names = list(sides)
        for number in range(sizes.rounds):
            order = names[number % 2 :] + names[: number % 2]
            for name in order:
                rates[name].append(turn(sides[name]))
            ratios.append(rates["reference"][-1] / rates["moto"][-1])
    ref, moto = statistics.median(rates["reference"]), statistics.median(rates["moto"])
    ratio = statistics.median(ratios)
    mib = sizes.records * sizes.record_size / (1024 * 1024)
    say(1, f"reference server: {ref:8.1f} PutRecordBatch/s ({ref * mib:6.1f} MiB/s)")
    say(1, f"moto server     : {moto:8.1f} PutRecordBatch/s ({moto * mib:6.1f} MiB/s)")
    say(1, f"reference/moto requests per second: {ratio:.2f} (median of {sizes.rounds} rounds)")
    return [
        (
            f"1 PutRecordBatch {sizes.records} x {sizes.record_size} B, one boto3 client",
            f"{ref:.1f} req/s",
            f"{moto:.1f} req/s",
            f"{ratio:.2f}",
            f">= {TARGET_MOTO_RATIO:g}",
            "yes" if ratio >= TARGET_MOTO_RATIO else "no",
        )
    ]


# -- 2: the suite, -n 4 vs -n 1 -------------------------------------------------------------------
def run_suite(url: str, workers: int, results: Path, marks: str) -> tuple[float, dict[str, Any]]:
    command = [
        sys.executable,
        "-m",
        "firehose_conformance.cli",
        "run",
        "--target",
        "endpoint",
        "--target-option",
        f"endpoint_url={url}",
        "--results",
        str(results),
        "--junit",
        str(results.with_suffix(".xml")),
        "-n",
        str(workers),
    ]
    if marks:
        command += ["--", "-m", marks]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"run -n {workers} failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, json.loads(results.read_text())


def measure_suite(sizes: Sizes) -> list[tuple[str, ...]]:
    walls: dict[int, list[float]] = {1: [], sizes.suite_workers: []}
    verdicts: dict[int, dict[str, tuple[str, str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for number in range(sizes.suite_rounds):
            order = list(walls) if number % 2 == 0 else list(walls)[::-1]
            for workers in order:
                # A fresh server per run, so no run inherits another's streams or rate windows.
                port = free_port()
                command = reference_command(
                    port, "--clock", "real", "--transition-seconds", "1", "--quiet"
                )
                with server(command, port) as url:
                    results = Path(tmp) / f"r{workers}-{number}.json"
                    wall, data = run_suite(url, workers, results, sizes.suite_marks)
                walls[workers].append(wall)
                verdicts[workers] = {
                    s["name"]: (s["verdict"], s["reason"]) for s in data["scenarios"]
                }
                say(2, f"run -n {workers}: {wall:.1f} s wall; scenarios {data['summary']}")
    if not sizes.suite_rounds:
        return []
    serial, parallel = verdicts[1], verdicts[sizes.suite_workers]
    changed = sorted(n for n in serial if parallel.get(n, ("?", ""))[0] != serial[n][0])
    say(
        2,
        f"scenarios whose verdict differs between -n 1 and -n {sizes.suite_workers}: "
        f"{len(changed)}",
    )
    for name in changed[:10]:
        say(
            2,
            f"  {name}: -n 1 {serial[name][0]}, -n {sizes.suite_workers} "
            f"{parallel.get(name, ('?', ''))[0]} {parallel.get(name, ('', ''))[1][:160]}",
        )
    one = statistics.median(walls[1])
    many = statistics.median(walls[sizes.suite_workers])
    speedup = one / many
    say(2, f"speed-up -n {sizes.suite_workers} over -n 1: {speedup:.2f}")
    return [
        (
            f"2 suite ({sizes.suite_marks or 'all'}) vs server, real clock, "
            f"transitions 1 s: -n {sizes.suite_workers}",
            f"{many:.1f} s",
            f"{one:.1f} s (-n 1)",
            f"{speedup:.2f}",
            f">= {TARGET_SPEEDUP:g}",
            "yes" if speedup >= TARGET_SPEEDUP else "no",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=Sizes.rounds)
    parser.add_argument("--batches", type=int, default=Sizes.batches)
    parser.add_argument("--suite-rounds", type=int, default=Sizes.suite_rounds)
    parser.add_argument("--workers", type=int, default=Sizes.suite_workers)
    parser.add_argument(
        "--suite-marks", default=Sizes.suite_marks, help='pytest -m for 2 ("" for all)'
    )
    parser.add_argument("--only", default="1,2", help="which measurements, e.g. 1 or 1,2")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    sizes = (
        QUICK
        if args.quick
        else Sizes(
            rounds=args.rounds,
            batches=args.batches,
            suite_rounds=args.suite_rounds,
            suite_workers=args.workers,
        )
    )
    only = {part.strip() for part in args.only.split(",")}
    rows: list[tuple[str, ...]] = []
    for number, measure in (("1", measure_puts), ("2", measure_suite)):
        if number not in only:
            continue
        try:
            rows += measure(sizes)
        except Exception as error:  # a benchmark reports; it never fails the build
            say(int(number), f"could not measure: {type(error).__name__}: {error}")
    print()
    headers = ("measurement", "figure A", "figure B", "ratio", "target", "met")
    print(tabulate(rows, headers=headers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
