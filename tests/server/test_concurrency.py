"""Many clients at once: the served reference keeps every invariant of its model.

Eight producer threads send PutRecordBatch while another thread starts and stops encryption and
disables and re-enables the key (and moves the manual clock). Afterwards: every accepted record
reached S3 (none lost, none invented), no plaintext was ever at rest, no answer was a 5xx, and the
server is still healthy. The same run on the real clock has the clock's own thread in the mix; it
leaves the key enabled, because a delivery a disabled key held back is retried only after 60 s.
"""

from __future__ import annotations

import base64
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from server_http import client, control, s3_destination

from reference_impl.clock import ClockMode
from reference_impl.wire.server import ReferenceServer, ServerOptions

pytestmark = pytest.mark.slow

PRODUCERS = 8
BATCHES = 20  # per producer at least; more until the toggler has churned MIN_TOGGLES times
MAX_BATCHES = 400
MIN_TOGGLES = 4
REAL_CLOCK_TOGGLES = 2  # each takes a second of wall time
RECORDS = 20
STREAM = "concurrent"
BUCKET = "concurrent-bucket"
MARKER = re.compile(rb"REC:p\d\d:b\d\d\d:r\d\d:[0-9a-f]{16};")
JOIN_TIMEOUT = 120.0
SWITCH_INTERVAL = 1e-5  # seconds; CPython's default is 5 ms


@dataclass
class Observed:
    """What the threads saw; any entry in ``problems`` fails the test."""

    sent: set[bytes] = field(default_factory=set)
    accepted: set[bytes] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    refused_batches: int = 0
    toggles: int = 0
    at_rest_checks: int = 0
    churned: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


def _marker(producer: int, batch: int, record: int) -> bytes:
    return b"REC:p%02d:b%03d:r%02d:%s;" % (producer, batch, record, os.urandom(8).hex().encode())


def _status_of(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def _tolerate_4xx(observed: Observed, what: str, call: Callable[[], Any]) -> Any:
    """Run a call whose 4xx refusal is a legitimate answer under contention; a 5xx is not."""
    try:
        return call()
    except ClientError as error:
        if _status_of(error) >= 500:
            observed.problem(f"{what}: HTTP {_status_of(error)} {error}")
        return None
    except Exception as error:  # connection dropped, malformed answer: the server misbehaved
        observed.problem(f"{what}: {type(error).__name__}: {error}")
        return None


def _producer(url: str, number: int, observed: Observed) -> None:
    fh = client(url, "firehose")
    for batch in range(MAX_BATCHES):
        if batch >= BATCHES and observed.churned.is_set():
            break
        payloads = [_marker(number, batch, r) + b"x" * 200 for r in range(RECORDS)]
        with observed.lock:
            observed.sent.update(MARKER.match(p).group(0) for p in payloads)  # type: ignore[union-attr]
        answer = _tolerate_4xx(
            observed,
            f"producer {number} batch {batch}",
            lambda p=payloads: fh.put_record_batch(
                DeliveryStreamName=STREAM, Records=[{"Data": d} for d in p]
            ),
        )
        if answer is None:
            with observed.lock:
                observed.refused_batches += 1
            continue
        results = answer["RequestResponses"]
        if len(results) != len(payloads):
            observed.problem(f"producer {number}: {len(results)} results for {len(payloads)}")
        with observed.lock:
            for payload, result in zip(payloads, results, strict=False):
                if "RecordId" in result and not result.get("ErrorCode"):
                    observed.accepted.add(MARKER.match(payload).group(0))  # type: ignore[union-attr]


def _check_at_rest(port: int, observed: Observed) -> None:
    answer = control(port, "at-rest")
    if answer.status != 200:
        observed.problem(f"at-rest: HTTP {answer.status}")
        return
    for arn, blobs in answer.json()["resources"].items():
        for blob in blobs:
            if b"REC:" in base64.b64decode(blob):
                observed.problem(f"plaintext at rest for {arn}")
    with observed.lock:
        observed.at_rest_checks += 1


def _toggler(
    server: ReferenceServer, key_arn: str, observed: Observed, done: threading.Event, manual: bool
) -> None:
    """Start/stop SSE and disable/enable the key until the producers are done (bounded)."""
    fh, kms = client(server.url, "firehose"), client(server.url, "kms")

    def tick() -> None:  # long enough for a 0.2 s transition to end
        if manual:
            control(server.port, "clock/advance", {"seconds": 7})
        else:
            time.sleep(0.25)

    steps: list[tuple[str, Callable[[], Any]]] = [
        (
            "start encryption",
            lambda: fh.start_delivery_stream_encryption(
                DeliveryStreamName=STREAM,
                DeliveryStreamEncryptionConfigurationInput={
                    "KeyType": "CUSTOMER_MANAGED_CMK",
                    "KeyARN": key_arn,
                },
            ),
        ),
        ("disable key", lambda: kms.disable_key(KeyId=key_arn) if manual else None),
        ("enable key", lambda: kms.enable_key(KeyId=key_arn)),
        ("stop encryption", lambda: fh.stop_delivery_stream_encryption(DeliveryStreamName=STREAM)),
    ]
    for _ in range(200):
        if done.is_set():
            break
        for what, call in steps:
            _tolerate_4xx(observed, what, call)
            tick()
        _check_at_rest(server.port, observed)
        observed.toggles += 1
        if observed.toggles >= (MIN_TOGGLES if manual else REAL_CLOCK_TOGGLES):
            observed.churned.set()
    _tolerate_4xx(observed, "final enable key", lambda: kms.enable_key(KeyId=key_arn))


def _delivered(url: str) -> list[bytes]:
    s3 = client(url, "s3")
    found: list[bytes] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            found += MARKER.findall(body)
    return found


@pytest.fixture(params=[ClockMode.MANUAL, ClockMode.REAL], ids=["manual-clock", "real-clock"])
def busy_server(request: pytest.FixtureRequest) -> Iterator[ReferenceServer]:
    """A server, with threads switched far more often than usual so that races show: without
    the app's lock this test fails (e.g. a 500 from a dict changed while being read)."""
    options = ServerOptions(port=0, clock=request.param, transition_seconds=0.2)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        with ReferenceServer(options) as server:
            yield server
    finally:
        sys.setswitchinterval(interval)


def test_producers_and_key_churn_keep_every_invariant(busy_server: ReferenceServer) -> None:
    server = busy_server
    manual = server.options.clock is ClockMode.MANUAL
    client(server.url, "s3").create_bucket(Bucket=BUCKET)
    key_arn = client(server.url, "kms").create_key()["KeyMetadata"]["Arn"]
    fh = client(server.url, "firehose")
    fh.create_delivery_stream(
        DeliveryStreamName=STREAM,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration=s3_destination(BUCKET, seconds=60 if manual else 1),
    )
    for _ in range(100):  # bounded: ACTIVE after 0.2 s of either clock
        if manual:
            control(server.port, "clock/advance", {"seconds": 1})
        status = fh.describe_delivery_stream(DeliveryStreamName=STREAM)
        if status["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE":
            break
        time.sleep(0 if manual else 0.25)  # real clock: at most 5 Describes a second (API-08)

    observed = Observed()
    done = threading.Event()
    producers = [
        threading.Thread(target=_producer, args=(server.url, n, observed), name=f"producer-{n}")
        for n in range(PRODUCERS)
    ]
    toggler = threading.Thread(
        target=_toggler, args=(server, key_arn, observed, done, manual), name="toggler"
    )
    toggler.start()
    for thread in producers:
        thread.start()
    for thread in producers:
        thread.join(JOIN_TIMEOUT)
    done.set()
    toggler.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in [*producers, toggler]), "a thread hung"

    # Let everything flush: buffers, and retries of deliveries the disabled key held back.
    delivered: list[bytes] = []
    for _ in range(60):  # bounded: two virtual hours, or up to 30 s of wall time
        if manual:
            control(server.port, "clock/advance", {"seconds": 120})
        else:
            time.sleep(0.5)
        _check_at_rest(server.port, observed)
        delivered = _delivered(server.url)
        if observed.accepted <= set(delivered):
            break

    assert observed.problems == []
    assert observed.accepted, "no record was accepted at all"
    lost = observed.accepted - set(delivered)
    assert not lost, f"{len(lost)} accepted records never delivered, e.g. {sorted(lost)[:3]}"
    assert set(delivered) <= observed.sent, "records delivered that no producer sent"
    assert observed.churned.is_set() and observed.at_rest_checks >= observed.toggles
    if manual:  # the disabled key did bite: puts were refused while SSE was in effect (PUT-02)
        assert observed.refused_batches > 0
    health = control(server.port, "health")
    assert health.status == 200 and health.json()["status"] == "ok"
