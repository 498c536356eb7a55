"""How fast the reference implementation is, measured side by side in one run.

1. PutRecordBatch (500 x 1 KiB) through boto3 with SSE on (a customer managed CMK, ENABLED and
   settled) vs. SSE off (a DirectPut stream never encrypted); target on/off <= 1.25.
2. The same batch against the reference vs. against moto's ``mock_aws`` (which does no
   encryption, so the reference runs with SSE off; the SSE-on ratio is printed too); target
   reference/moto <= 1.0.
3. 100 DirectPut streams with records flowing through 24 h of virtual time advanced in
   ``cloud.advance(60)`` steps; target >= 100,000 simulated seconds per wall second in advance().

Sides are measured in interleaved rounds (the order rotated each round) so machine noise hits
them alike; figures are medians over rounds. A benchmark reports; it never fails a build, so the
exit status is always 0.

    python bench/bench_reference.py [--rounds 21] [--batches 11] [--only 1,2,3] [--profile]
    python bench/bench_reference.py --quick     # tiny sizes, for the smoke test
    python bench/bench_reference.py --compare-ref REV [--runs 3]    # 3, this tree vs REV

``--compare-ref REV`` measures 3 side by side against another revision of the reference: REV is
extracted (``git archive``) into a temporary directory, and each run of measurement 3 runs in
its own process, alternating between REV and this tree (the first side rotating), so machine
noise hits both alike; it prints each run's figures, their medians and the ratio.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import math
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from reference_impl.cloud import ReferenceCloud  # noqa: E402

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/firehose-bench"
BUCKET = "firehose-bench-destination"
MIB = 1024 * 1024
# The Firehose defaults (BC-FH CreateDeliveryStream: "buffers data up to 5 MB or for 5 minutes"),
# stated explicitly so both sides of every comparison buffer alike.
BUFFER_MB = 5
BUFFER_SECONDS = 300
# SSE-06: up to 5 s after ENABLED before every record is encrypted; wait a little longer.
SSE_SETTLE_SECONDS = 6.0
# API-08: control-plane calls are limited to 5 per second, so setup paces them in virtual time.
CONTROL_PACE_SECONDS = 0.25
WAIT_LIMIT_SECONDS = 120.0

TARGET_SSE_RATIO = 1.25
TARGET_MOTO_RATIO = 1.0
TARGET_SIM_RATE = 100_000.0


@dataclass(frozen=True)
class Sizes:
    records: int = 500  # records per PutRecordBatch (measurements 1 and 2)
    record_size: int = 1024
    rounds: int = 21
    batches: int = 11  # per side per round; rounded up to whole buffer flushes
    streams: int = 100  # measurement 3
    hours: float = 24.0
    step_seconds: float = 60.0
    put_every: int = 5  # each stream gets one PutRecordBatch every this many steps (minutes)
    put_records: int = 3
    put_record_size: int = 1024

    @property
    def batch_bytes(self) -> int:
        return self.records * self.record_size

    def flush_period(self) -> int:
        """Batches per size-triggered flush of the reference's buffer (BUFFER_MB)."""
        return math.ceil(BUFFER_MB * MIB / self.batch_bytes)

    def batches_per_round(self) -> int:
        """Whole flush periods per round, so every round of every side pays the same deliveries."""
        period = self.flush_period()
        if period > self.batches:
            return self.batches  # no size flush within a round on any side
        return math.ceil(self.batches / period) * period

    def warmup_batches(self) -> int:
        period = self.flush_period()
        return period if period <= self.batches else max(2, self.batches)


QUICK = Sizes(records=20, record_size=64, rounds=2, batches=2, streams=3, hours=1.0, put_every=1)


@dataclass
class Row:
    measurement: str
    figure_a: str
    figure_b: str
    ratio: str
    target: str
    met: str


@dataclass
class Side:
    """One thing being timed: ``put()`` sends one batch; enter/leave run untimed around a turn."""

    name: str
    put: Callable[[], None]
    enter: Callable[[], None] = lambda: None
    leave: Callable[[], None] = lambda: None


# -- helpers -----------------------------------------------------------------------------------
def say(number: int, text: str) -> None:
    print(f"[{number}] {text}", flush=True)


def make_records(count: int, size: int) -> list[dict[str, bytes]]:
    return [{"Data": os.urandom(size)} for _ in range(count)]


def s3_destination() -> dict[str, Any]:
    return {
        "RoleARN": ROLE,
        "BucketARN": f"arn:aws:s3:::{BUCKET}",
        "BufferingHints": {"SizeInMBs": BUFFER_MB, "IntervalInSeconds": BUFFER_SECONDS},
    }


def checked_put(fh: Any, name: str, records: list[dict[str, bytes]]) -> Callable[[], None]:
    def put() -> None:
        response = fh.put_record_batch(DeliveryStreamName=name, Records=records)
        if response["FailedPutCount"]:
            raise RuntimeError(f"{name}: {response['FailedPutCount']} records failed")

    return put


def interleaved(sides: list[Side], rounds: int, batches: int) -> dict[str, list[float]]:
    """Seconds per batch of each side in each round; the side going first rotates each round."""
    per_batch: dict[str, list[float]] = {side.name: [] for side in sides}
    try:
        for number in range(rounds):
            shift = number % len(sides)
            for side in sides[shift:] + sides[:shift]:
                # Each turn pays the garbage collection of its own allocations only: the heap
                # left by earlier turns (delivered objects, accounting) is frozen out of the GC.
                gc.collect()
                gc.freeze()
                side.enter()
                try:
                    put = side.put
                    started = time.perf_counter()
                    for _ in range(batches):
                        put()
                    elapsed = time.perf_counter() - started
                finally:
                    side.leave()
                per_batch[side.name].append(elapsed / batches)
    finally:
        gc.unfreeze()
    return per_batch


def round_ratios(times: dict[str, list[float]], top: str, bottom: str) -> list[float]:
    return [a / b for a, b in zip(times[top], times[bottom], strict=True)]


def paired_ratio(times: dict[str, list[float]], top: str, bottom: str) -> float:
    """Median over rounds of the per-round ratio: each pair ran back to back."""
    return statistics.median(round_ratios(times, top, bottom))


def spread(times: dict[str, list[float]], top: str, bottom: str) -> str:
    """The middle half of the per-round ratios, to show how noisy the run was."""
    ratios = round_ratios(times, top, bottom)
    if len(ratios) < 2:
        return "one round"
    low, _, high = statistics.quantiles(ratios, n=4)
    return f"per-round quartiles {low:.3f}..{high:.3f}"


def throughput(seconds_per_batch: float, sizes: Sizes) -> str:
    mib = sizes.batch_bytes / MIB / seconds_per_batch
    return f"{1 / seconds_per_batch:,.1f} batches/s, {mib:,.2f} MiB/s"


def verdict(ok: bool) -> str:
    return "yes" if ok else "no"


@contextmanager
def profiled(enabled: bool, number: int) -> Iterator[None]:
    """With --profile, print where the time of a measurement went, grouped by area."""
    if not enabled:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        print_areas(number, pstats.Stats(profiler))


AREAS = (  # first match wins, against "filename:function"; anything else goes to its callers
    ("gc.collect", "bench: untimed gc.collect() between turns"),
    ("AESGCM", "crypto (AES-GCM)"),
    ("cryptography/", "crypto (AES-GCM)"),
    ("botocore/validate", "botocore: client-side param validation"),
    ("botocore/serialize", "botocore: request serialisation"),
    ("botocore/parsers", "botocore: response parsing"),
    ("botocore/auth", "botocore: signing"),
    ("botocore/useragent", "botocore: user-agent header"),
    ("botocore/", "botocore: other (hooks, endpoint, request)"),
    ("moto/core/serialize", "moto: response serialisation"),
    ("moto/", "moto: other"),
    ("reference_impl/wire/validation", "reference: input validation"),
    ("reference_impl/wire/json_protocol", "reference: JSON protocol"),
    ("reference_impl/wire/transport", "reference: transport"),
    ("reference_impl/firehose/delivery", "reference: firehose delivery"),
    ("reference_impl/firehose/storage", "reference: firehose storage (envelope)"),
    ("reference_impl/firehose/accounting", "reference: firehose accounting"),
    ("reference_impl/firehose/destination", "reference: firehose object keys"),
    ("reference_impl/firehose", "reference: firehose other"),
    ("reference_impl/kms", "reference: kms model"),
    ("reference_impl/s3", "reference: s3 model"),
    ("reference_impl/clock", "reference: virtual clock"),
    ("reference_impl/", "reference: other"),
    ("bench_reference", "bench: loop and setup"),
)

Func = tuple[str, int, str]


def _areas_of(func: Func, stats: dict[Func, Any], depth: int, cache: dict) -> dict[str, float]:
    """{area: share} for one function: by name, else split over its callers by their time."""
    if (func, depth) in cache:
        return cache[func, depth]
    where = f"{func[0]}:{func[2]}"
    label = next((label for needle, label in AREAS if needle in where), None)
    shares: dict[str, float] = {}
    callers = stats[func][4] if func in stats else {}
    if label is not None:
        shares[label] = 1.0
    elif depth >= 6 or not callers:
        shares["other"] = 1.0
    else:  # the standard library and builtins are billed to whoever called them
        total = sum(edge[2] for edge in callers.values()) or float(len(callers))
        for caller, edge in callers.items():
            weight = (edge[2] if total else 1.0) / total
            for area, share in _areas_of(caller, stats, depth + 1, cache).items():
                shares[area] = shares.get(area, 0.0) + weight * share
    cache[func, depth] = shares
    return shares


def print_areas(number: int, profile: pstats.Stats) -> None:
    stats: dict[Func, Any] = profile.stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}
    cache: dict = {}
    for func, entry in stats.items():
        for area, share in _areas_of(func, stats, 0, cache).items():
            totals[area] = totals.get(area, 0.0) + share * entry[2]  # tottime
    grand = sum(totals.values()) or 1.0
    say(number, "profile: own time by area, setup included (timings above are inflated):")
    for area, seconds in sorted(totals.items(), key=lambda item: -item[1])[:12]:
        print(f"      {seconds / grand:6.1%}  {seconds:7.2f} s  {area}")


# -- the reference side ------------------------------------------------------------------------
class Reference:
    """A fresh ReferenceCloud with an SSE-on and an SSE-off DirectPut stream, both ACTIVE."""

    ON = "bench-sse-on"
    OFF = "bench-sse-off"

    def __init__(self) -> None:
        self.cloud = ReferenceCloud()
        self.fh = self.cloud.client("firehose")
        self.kms = self.cloud.client("kms")
        self.s3 = self.cloud.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    def control(self, call: Callable[..., Any], **params: Any) -> Any:
        self.cloud.advance(CONTROL_PACE_SECONDS)  # API-08
        return call(**params)

    def create(self, name: str, **extra: Any) -> None:
        self.control(
            self.fh.create_delivery_stream,
            DeliveryStreamName=name,
            DeliveryStreamType="DirectPut",
            S3DestinationConfiguration=s3_destination(),
            **extra,
        )

    def describe(self, name: str) -> dict[str, Any]:
        answer = self.control(self.fh.describe_delivery_stream, DeliveryStreamName=name)
        return answer["DeliveryStreamDescription"]

    def wait(self, name: str, ready: Callable[[dict[str, Any]], bool], what: str) -> None:
        waited = 0.0
        while not ready(self.describe(name)):
            if waited >= WAIT_LIMIT_SECONDS:
                raise RuntimeError(f"{name}: not {what} after {waited:g} s of virtual time")
            self.cloud.advance(1.0)
            waited += 1.0

    def setup_sse_pair(self) -> str:
        """SSE on under a customer managed CMK (ENABLED, settled) and SSE never on."""
        key = self.kms.create_key(Description="firehose bench CMK")["KeyMetadata"]["Arn"]
        encryption = {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key}
        self.create(self.ON, DeliveryStreamEncryptionConfigurationInput=encryption)
        self.create(self.OFF)
        self.wait(self.ON, sse_enabled, "ACTIVE with SSE ENABLED")
        self.wait(self.OFF, active, "ACTIVE")
        self.cloud.advance(SSE_SETTLE_SECONDS)  # SSE-06: encryption now in effect
        status = self.describe(self.ON)["DeliveryStreamEncryptionConfiguration"]
        return f"{status['KeyType']} {status['Status']}"

    def sides(self, records: list[dict[str, bytes]]) -> tuple[Side, Side]:
        return (
            Side("reference SSE on", checked_put(self.fh, self.ON, records)),
            Side("reference SSE off", checked_put(self.fh, self.OFF, records)),
        )

    def check_encrypted(self, records: list[dict[str, bytes]]) -> None:
        for name, expected in ((self.ON, True), (self.OFF, False)):
            answer = self.fh.put_record_batch(DeliveryStreamName=name, Records=records)
            if answer.get("Encrypted", False) is not expected:
                raise RuntimeError(f"{name}: PutRecordBatch Encrypted is not {expected}")


def active(description: dict[str, Any]) -> bool:
    return description["DeliveryStreamStatus"] == "ACTIVE"


def sse_enabled(description: dict[str, Any]) -> bool:
    encryption = description.get("DeliveryStreamEncryptionConfiguration", {})
    return active(description) and encryption.get("Status") == "ENABLED"


def warm_up(sides: list[Side], batches: int) -> None:
    for side in sides:
        side.enter()
        try:
            for _ in range(batches):
                side.put()
        finally:
            side.leave()


# -- 1. SSE on vs. off -------------------------------------------------------------------------
def measure_sse(sizes: Sizes) -> list[Row]:
    reference = Reference()
    status = reference.setup_sse_pair()
    records = make_records(sizes.records, sizes.record_size)
    reference.check_encrypted(records)
    on, off = reference.sides(records)
    batches = sizes.batches_per_round()
    say(1, f"SSE on: {reference.ON} ({status}, +{SSE_SETTLE_SECONDS:g} s virtual, Encrypted=true)")
    say(1, f"SSE off: {reference.OFF} (never encrypted, Encrypted=false)")
    warm_up([on, off], sizes.warmup_batches())
    gc.collect()
    times = interleaved([on, off], sizes.rounds, batches)
    t_on, t_off = statistics.median(times[on.name]), statistics.median(times[off.name])
    ratio = paired_ratio(times, on.name, off.name)
    say(1, f"{sizes.rounds} rounds x {batches} batches of {sizes.records} x {sizes.record_size} B")
    say(1, f"SSE on : {t_on * 1000:8.2f} ms/batch  {throughput(t_on, sizes)}")
    say(1, f"SSE off: {t_off * 1000:8.2f} ms/batch  {throughput(t_off, sizes)}")
    say(
        1,
        f"on/off time per batch: {ratio:.3f} (target <= {TARGET_SSE_RATIO:g}; "
        f"{spread(times, on.name, off.name)})",
    )
    return [
        Row(
            "1 PutRecordBatch SSE on vs off",
            f"on: {throughput(t_on, sizes)}",
            f"off: {throughput(t_off, sizes)}",
            f"{ratio:.3f} on/off",
            f"<= {TARGET_SSE_RATIO:g}",
            verdict(ratio <= TARGET_SSE_RATIO),
        )
    ]


# -- 2. reference vs. moto ---------------------------------------------------------------------
class Moto:
    """moto's in-process ``mock_aws`` with a bucket and a DirectPut stream.

    The mock is active only during moto's turns: botocore calls *every* ``before-send`` handler,
    so while it is active moto's stubber would also execute each reference client's request
    against moto's backends (and bill its time to the reference). Data is kept between turns.
    """

    NAME = "bench-moto"

    def __init__(self) -> None:
        import boto3
        from moto import mock_aws

        self.mock = mock_aws()
        self.mock.start()
        try:
            self.s3 = boto3.client("s3", region_name=REGION)
            self.fh = boto3.client("firehose", region_name=REGION)
            self.s3.create_bucket(Bucket=BUCKET)
            self.fh.create_delivery_stream(
                DeliveryStreamName=self.NAME,
                DeliveryStreamType="DirectPut",
                S3DestinationConfiguration=s3_destination(),
            )
        finally:
            self.mock.stop(remove_data=False)

    def side(self, records: list[dict[str, bytes]]) -> Side:
        return Side(
            "moto",
            checked_put(self.fh, self.NAME, records),
            enter=lambda: self.mock.start(reset=False),
            leave=lambda: self.mock.stop(remove_data=False),
        )

    def objects(self) -> int:
        self.mock.start(reset=False)
        try:
            return count_objects(self.s3)[0]
        finally:
            self.mock.stop(remove_data=False)

    def close(self) -> None:
        self.mock.start(reset=False)
        self.mock.stop()  # drops moto's data


def measure_moto(sizes: Sizes) -> list[Row]:
    reference = Reference()
    reference.setup_sse_pair()
    records = make_records(sizes.records, sizes.record_size)
    reference.check_encrypted(records)
    on, off = reference.sides(records)
    moto = Moto()
    try:
        theirs = moto.side(records)
        batches = sizes.batches_per_round()
        warm_up([off, theirs, on], sizes.warmup_batches())
        gc.collect()
        times = interleaved([off, theirs, on], sizes.rounds, batches)
        delivered_objects = moto.objects()
    finally:
        moto.close()
    t_off, t_on = statistics.median(times[off.name]), statistics.median(times[on.name])
    t_moto = statistics.median(times[theirs.name])
    ratio_off = paired_ratio(times, off.name, theirs.name)
    ratio_on = paired_ratio(times, on.name, theirs.name)
    say(2, f"{sizes.rounds} rounds x {batches} batches of {sizes.records} x {sizes.record_size} B")
    say(2, f"reference SSE off: {t_off * 1000:8.2f} ms/batch  {throughput(t_off, sizes)}")
    say(2, f"reference SSE on : {t_on * 1000:8.2f} ms/batch  {throughput(t_on, sizes)}")
    say(2, f"moto             : {t_moto * 1000:8.2f} ms/batch  {throughput(t_moto, sizes)}")
    say(2, f"moto delivered synchronously: {delivered_objects} S3 objects (one per batch)")
    say(
        2,
        f"reference(SSE off)/moto time per batch: {ratio_off:.3f} (target <= 1; "
        f"{spread(times, off.name, theirs.name)})",
    )
    say(
        2,
        f"reference(SSE on)/moto time per batch: {ratio_on:.3f} (information; "
        f"{spread(times, on.name, theirs.name)})",
    )
    return [
        Row(
            "2 reference (SSE off) vs moto",
            f"ref: {throughput(t_off, sizes)}",
            f"moto: {throughput(t_moto, sizes)}",
            f"{ratio_off:.3f} ref/moto",
            f"<= {TARGET_MOTO_RATIO:g}",
            verdict(ratio_off <= TARGET_MOTO_RATIO),
        ),
        Row(
            "2 reference (SSE on) vs moto",
            f"ref: {throughput(t_on, sizes)}",
            f"moto: {throughput(t_moto, sizes)}",
            f"{ratio_on:.3f} ref/moto",
            "(information)",
            "n/a",
        ),
    ]


# -- 3. virtual time with records flowing ------------------------------------------------------
def count_objects(s3: Any) -> tuple[int, int]:
    """(objects, bytes) in the bench bucket, listed through the S3 API."""
    objects = size = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for entry in page.get("Contents", []):
            objects += 1
            size += entry["Size"]
    return objects, size


def ledger_counts(reference: Reference) -> dict[str, int] | None:
    """{"pending", "delivered", "discarded"} over every stream, if the model keeps accounts."""
    counts = getattr(reference.cloud.firehose, "delivery_counts", None)
    return None if counts is None else counts()


def measure_clock(sizes: Sizes) -> list[Row]:
    reference = Reference()
    names = [f"bench-flow-{index:03d}" for index in range(sizes.streams)]
    for name in names:
        reference.create(name)
    for name in names:
        reference.wait(name, active, "ACTIVE")
    records = make_records(sizes.put_records, sizes.put_record_size)
    fh, cloud, every, step = reference.fh, reference.cloud, sizes.put_every, sizes.step_seconds

    def run(steps: int) -> tuple[float, float, float, int]:
        """Seconds in puts, in advance() (wall and CPU), and PutRecordBatch calls, over steps."""
        in_puts = in_advance = cpu_advance = 0.0
        calls = 0
        for number in range(steps):
            started = time.perf_counter()
            for index in range(number % every, len(names), every):  # staggered across streams
                fh.put_record_batch(DeliveryStreamName=names[index], Records=records)
                calls += 1
            put_done, cpu_before = time.perf_counter(), time.process_time()
            cloud.advance(step)
            cpu_advance += time.process_time() - cpu_before
            in_puts += put_done - started
            in_advance += time.perf_counter() - put_done
        return in_puts, in_advance, cpu_advance, calls

    warm_calls = run(2 * every)[3]  # warm-up: every stream has put and flushed at least once
    gc.collect()
    steps = round(sizes.hours * 3600 / step)
    in_puts, in_advance, cpu_advance, calls = run(steps)
    simulated = steps * step
    rate = simulated / in_advance
    rate_total = simulated / (in_advance + in_puts)
    put = (warm_calls + calls) * sizes.put_records
    counts = ledger_counts(reference)
    objects, size = count_objects(reference.s3)
    say(3, f"{sizes.streams} DirectPut streams, {steps} x advance({step:g}) = {simulated:,.0f} s")
    say(
        3,
        f"flow: one PutRecordBatch of {sizes.put_records} x {sizes.put_record_size} B per stream "
        f"every {every} step(s): {calls:,} calls timed, {warm_calls:,} in warm-up",
    )
    say(3, f"wall: {in_advance:.2f} s in advance(), {in_puts:.2f} s in PutRecordBatch (boto3)")
    say(
        3,
        f"simulated seconds per wall second, advance() only: {rate:,.0f} (target >= 100,000; "
        f"per CPU second {simulated / max(cpu_advance, 1e-9):,.0f})",
    )
    say(3, f"simulated seconds per wall second, with the puts: {rate_total:,.0f} (information)")
    accounts = (
        "no accounting in cloud.firehose"
        if counts is None
        else f"{counts['delivered']:,} delivered, {counts['pending']:,} still buffered "
        f"(cloud.firehose accounting)"
    )
    say(
        3,
        f"records: {put:,} put (warm-up included); {accounts}; S3 holds {objects:,} objects "
        f"= {size // sizes.put_record_size:,} records",
    )
    return [
        Row(
            f"3 {sizes.streams} streams, {sizes.hours:g} h virtual",
            f"advance(): {rate:,.0f} sim s/wall s",
            f"with puts: {rate_total:,.0f} sim s/wall s",
            "n/a",
            f">= {TARGET_SIM_RATE:,.0f} (advance)",
            verdict(rate >= TARGET_SIM_RATE),
        )
    ]


# -- --compare-ref: measurement 3, this tree vs another revision ---------------------------------
_FIGURE = re.compile(r"advance\(\) only: ([\d,]+).*?\n.*?with the puts: ([\d,]+)", re.DOTALL)


def extract(revision: str, into: Path) -> str:
    """``git archive REV`` of this repository into ``into``; the full commit it names."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "archive", commit], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return commit


def run_measurement_3(tree: Path, forwarded: list[str]) -> tuple[float, float]:
    """(figure A, figure B) of one run of measurement 3 of the bench script in ``tree``."""
    done = subprocess.run(
        [sys.executable, str(tree / "bench" / "bench_reference.py"), "--only", "3", *forwarded],
        capture_output=True,
        text=True,
        check=False,
    )
    found = _FIGURE.search(done.stdout)
    if found is None:
        raise RuntimeError(f"no figure from {tree}:\n{done.stdout}\n{done.stderr}")
    return float(found.group(1).replace(",", "")), float(found.group(2).replace(",", ""))


def compare_ref(revision: str, runs: int, forwarded: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-ref-") as where:
        other = Path(where)
        commit = extract(revision, other)
        sides = {f"{revision} ({commit[:10]})": other, "this tree": ROOT}
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        order = list(sides)
        for run in range(runs):
            for name in order[run % 2 :] + order[: run % 2]:  # the first side rotates
                figures[name].append(run_measurement_3(sides[name], forwarded))
                a, b = figures[name][-1]
                say(3, f"run {run + 1}, {name}: advance() only {a:,.0f}, with puts {b:,.0f}")
    rows = []
    for name, got in figures.items():
        a = statistics.median(x for x, _ in got)
        b = statistics.median(y for _, y in got)
        rows.append((name, f"{a:,.0f}", f"{b:,.0f}", verdict(a >= TARGET_SIM_RATE)))
    print()
    headers = ("reference", "sim s/wall s, advance() (median)", "with puts (median)", ">= 100k?")
    print(tabulate(rows, headers=headers))
    theirs, ours = (figures[name] for name in sides)
    ratios = [mine[0] / old[0] for old, mine in zip(theirs, ours, strict=True)]
    print(
        f"\nthis tree / {revision}, advance() only: {statistics.median(ratios):.2f} "
        f"(median of {runs} paired runs; min {min(ratios):.2f}, max {max(ratios):.2f})"
    )
    return 0


# -- main --------------------------------------------------------------------------------------
MEASUREMENTS: dict[int, tuple[str, Callable[[Sizes], list[Row]]]] = {
    1: ("1 PutRecordBatch SSE on vs off", measure_sse),
    2: ("2 reference vs moto", measure_moto),
    3: ("3 virtual time with records flowing", measure_clock),
}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (measurements 1, 2)")
    parser.add_argument("--batches", type=int, help="batches per side per round")
    parser.add_argument("--streams", type=int, help="streams in measurement 3")
    parser.add_argument("--hours", type=float, help="virtual hours in measurement 3")
    parser.add_argument("--put-every", type=int, help="minutes between a stream's puts (3)")
    parser.add_argument("--only", default="1,2,3", help="comma-separated measurements to run")
    parser.add_argument("--profile", action="store_true", help="cProfile each measurement")
    parser.add_argument(
        "--compare-ref",
        metavar="REV",
        help="measurement 3 only, side by side: this tree vs git revision REV",
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each side with --compare-ref (default 3)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.compare_ref:
        forwarded = ["--quick"] if args.quick else []
        for option in ("streams", "hours", "put_every"):
            value = getattr(args, option)
            if value is not None:
                forwarded += [f"--{option.replace('_', '-')}", str(value)]
        print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        return compare_ref(args.compare_ref, args.runs, forwarded)
    sizes = QUICK if args.quick else Sizes()
    overrides = {
        "rounds": args.rounds,
        "batches": args.batches,
        "streams": args.streams,
        "hours": args.hours,
        "put_every": args.put_every,
    }
    sizes = replace(sizes, **{k: v for k, v in overrides.items() if v is not None})
    wanted = [int(part) for part in args.only.split(",") if part.strip()]
    rows: list[Row] = []
    started, cpu_started = time.perf_counter(), time.process_time()
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)
    for number in wanted:
        title, measure = MEASUREMENTS[number]
        try:
            with profiled(args.profile, number):
                rows.extend(measure(sizes))
        except Exception as error:  # a benchmark reports; it does not gate
            traceback.print_exc()
            say(number, f"FAILED: {type(error).__name__}: {error}")
            rows.append(Row(title, "error", "error", "n/a", "n/a", "no"))
    print()
    headers = ("measurement", "figure A", "figure B", "ratio", "target", "met?")
    table = [(r.measurement, r.figure_a, r.figure_b, r.ratio, r.target, r.met) for r in rows]
    print(tabulate(table, headers=headers))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # CPU well below wall time means other processes shared the cores: expect noisier figures.
    print(f"\ntotal wall time {wall:.1f} s, CPU time {cpu:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
