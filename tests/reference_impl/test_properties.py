"""Stateful property test: random programs against the reference Firehose SSE model.

A Hypothesis ``RuleBasedStateMachine`` drives one ``ReferenceCloud`` per program through boto3:
create / start / stop / put / delete streams, break and repair KMS keys, and move the virtual
clock. After every step it checks:

1. accounting: every accepted record is pending, delivered or discarded for a documented reason,
   exactly once; delivered bytes are in S3 once, at the place the ledger says; nothing is
   discarded before 24 h or held much past it (RET-01..04); a deleted stream holds nothing;
2. nothing of any record's plaintext (no 16-byte window) is at rest in Firehose (SRC-11, SRC-01);
3. the encryption status and the stream status only take the documented transitions of sections
   3.1 and 3.2 (reachability over the graph, so a clock jump may skip states), and change only
   after an accepted call on that stream or a clock advance; ENABLED shows the key last asked
   for (SSE-10, SSE-17), never the asymmetric one (KEY-01); failed states carry a
   FailureDescription (SSE-18);
4. a KinesisStreamAsSource stream never shows ENABLED and refuses Start/Stop/Put (SRC-08, SRC-10),
   and what goes into its source data stream reaches S3 exactly once (SRC-02);
5. at most 25 accepted Start/Stop calls per stream in any 24 h, the 26th refused (API-01);
6. the ``Encrypted`` flag where it is unambiguous (PUT-01, SSE-05, SSE-06, SSE-09, SSE-11).

Statuses are read after every step through the Firehose API layer in process (the same output
dict boto3 would parse); everything else goes through boto3. The ledger (``record_fates``) and
``at_rest()`` are white-box views. Budget: ``FIREHOSE_PROPERTY_EXAMPLES`` and
``FIREHOSE_PROPERTY_STEPS`` raise it for a bug hunt; a failure prints the shrunk program and a
``@reproduce_failure`` blob.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import hypothesis.strategies as st
import pytest
from botocore.exceptions import ClientError
from hypothesis import event, settings
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from reference_impl.aws_models import service_model
from reference_impl.cloud import ReferenceCloud
from reference_impl.errors import AwsError
from reference_impl.firehose.api import FirehoseApi
from reference_impl.firehose.settings import FirehoseSettings

pytestmark = pytest.mark.slow

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/firehose-delivery"
BUCKET = "firehose-properties"
SOURCE = "source-data-stream"
FROM_KDS = "from-kds"
HOUR = 3600.0
DAY = 24 * HOUR
WINDOW = 16  # "no 16-byte run of any record's plaintext"
LAG = 5.0  # SSE-06 / SSE-09: "It can take up to 5 seconds"
START_STOP_LIMIT = 25  # API-01
RETENTION = DAY  # RET-04
TRANSITION = 10.0  # FirehoseSettings.transition_seconds (only used to pace bursts)
# A delivery attempt happens at the buffer interval, then retries; this much slack on top of the
# interval (or of the retention) is allowed before a record counts as stuck.
SLACK = 180.0
KINESIS_POLL = 30.0
KINESIS_DELIVERY_BOUND = HOUR  # SRC-02: read at once, delivered within the buffering hints

# SSE-04, SSE-19: what the model snapshot allows for EncCfg.Status and FailureDescription.Type.
ENCRYPTION_STATUSES = frozenset(
    service_model("firehose").shape_for("DeliveryStreamEncryptionStatus").enum
)
FAILURE_TYPES = frozenset(service_model("firehose").shape_for("DeliveryStreamFailureType").enum)
DISCARD_REASONS = frozenset(  # accounting.DiscardReason: the documented ways a record is dropped
    {"kms-failure-past-retention", "destination-unreachable-past-retention", "stream-deleted"}
)
# The modelled errors of PutRecord / PutRecordBatch (the snapshot's Firehose model).
PUT_ERRORS = frozenset(
    error.name
    for operation in ("PutRecord", "PutRecordBatch")
    for error in service_model("firehose").operation_model(operation).error_shapes
)
# Start/Stop on a KinesisStreamAsSource stream: AMB-03 (a) preferred, (b) accepted.
KDS_REFUSALS = frozenset({"InvalidArgumentException", "ResourceInUseException"})
# Refusals that may come before the 25-call check (stream state, bad input: AMB-05, AMB-26).
LIMIT_PRECEDENCE = frozenset(
    {"ResourceInUseException", "ResourceNotFoundException", "InvalidArgumentException"}
)

MARKER = re.compile(rb"#REC\d{10}#\n")  # 16 bytes, unique per record: b"#REC0000000042#\n"


# -- documented transition graphs -----------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    source: str
    trigger: str  # "create", "create_sse", "start", "stop", "delete", or "time" (asynchronous)
    target: str
    basis: str


# Section 3.1, DirectPut streams. "NEW": before Create; "ABSENT": EncCfg not shown (AMB-10).
ENCRYPTION_EDGES = (
    Edge("NEW", "create", "DISABLED", "T1"),
    Edge("NEW", "create_sse", "ENABLING", "T2/AMB-10"),
    Edge("NEW", "create_sse", "ENABLED", "T2"),
    Edge("NEW", "create_sse", "ABSENT", "AMB-10"),
    Edge("ABSENT", "time", "ENABLED", "T2"),
    Edge("ABSENT", "time", "ENABLING_FAILED", "T3"),
    Edge("DISABLED", "start", "ENABLING", "T4/T5"),
    Edge("DISABLED", "stop", "DISABLED", "T16/AMB-06 no-op"),
    Edge("ENABLING", "time", "ENABLED", "T4/T6/T7/T9"),
    Edge("ENABLING", "time", "ENABLING_FAILED", "T5/T8 (SSE-03)"),
    Edge("ENABLING_FAILED", "start", "ENABLING", "T6/T9 (SSE-12)"),
    Edge("ENABLING_FAILED", "stop", "DISABLING", "T10 (old key in effect)"),
    Edge("ENABLING_FAILED", "stop", "DISABLED", "T16/AMB-06 no-op"),
    Edge("ENABLED", "start", "ENABLING", "T7/T17"),
    Edge("ENABLED", "start", "ENABLING_FAILED", "T8"),
    Edge("ENABLED", "start", "ENABLED", "T17/AMB-07 no-op"),
    Edge("ENABLED", "stop", "DISABLING", "T10"),
    Edge("DISABLING", "time", "DISABLED", "T10 (SSE-07)"),
    Edge("DISABLING", "time", "DISABLING_FAILED", "T11"),
    # AMB-05 (T13..T15): a call during a transition may be accepted, last writer wins.
    Edge("ENABLING", "start", "ENABLING", "T13/AMB-05"),
    Edge("ENABLING", "stop", "DISABLING", "T15/AMB-05"),
    Edge("ENABLING", "stop", "DISABLED", "T15/AMB-05"),
    Edge("DISABLING", "stop", "DISABLING", "T14/AMB-05"),
    Edge("DISABLING", "start", "ENABLING", "T15/AMB-05"),
)

# Section 3.2. "GONE": Describe answers ResourceNotFoundException.
STREAM_EDGES = (
    Edge("NEW", "create", "CREATING", "D1"),
    Edge("NEW", "create_sse", "CREATING", "D1"),
    Edge("CREATING", "time", "ACTIVE", "D2"),
    Edge("CREATING", "time", "CREATING_FAILED", "D3"),
    Edge("ACTIVE", "delete", "DELETING", "D5"),
    Edge("CREATING_FAILED", "delete", "DELETING", "D5"),
    Edge("DELETING_FAILED", "delete", "DELETING", "D5/D9"),
    Edge("DELETING", "delete", "DELETING", "D5"),
    Edge("DELETING", "time", "GONE", "D5"),
    Edge("DELETING", "time", "DELETING_FAILED", "D7"),
)
STREAM_TRIGGERS = frozenset(e.trigger for e in STREAM_EDGES) - {"time"}
ENCRYPTION_TRIGGERS = frozenset(e.trigger for e in ENCRYPTION_EDGES) - {"time"}


def explain_path(path: tuple[Edge, ...]) -> str:
    return " -> ".join(f"{edge.target} [{edge.trigger}, {edge.basis}]" for edge in path) or "-"


def reachable(
    edges: Iterable[Edge], start: str, calls: list[str], time_moved: bool
) -> dict[str, tuple[Edge, ...]]:
    """Every status reachable from ``start`` by taking the accepted ``calls`` in order, with any
    number of asynchronous ("time") edges in between: when the clock moved, or after a call
    (SSE-02: the first read after Start may already be ENABLED). One shortest path each."""
    by_source: dict[str, list[Edge]] = {}
    for edge in edges:
        by_source.setdefault(edge.source, []).append(edge)
    seen: dict[tuple[str, int], tuple[Edge, ...]] = {(start, 0): ()}
    queue = [(start, 0)]
    while queue:
        state, done = queue.pop(0)
        path = seen[(state, done)]
        for edge in by_source.get(state, []):
            if edge.trigger == "time":
                if not (time_moved or done > 0):
                    continue
                nxt = (edge.target, done)
            elif done < len(calls) and edge.trigger == calls[done]:
                nxt = (edge.target, done + 1)
            else:
                continue
            if nxt not in seen:
                seen[nxt] = (*path, edge)
                queue.append(nxt)
    return {state: path for (state, done), path in seen.items() if done == len(calls)}


def check_transition(
    what: str, edges: Iterable[Edge], before: str, after: str, calls: list[str], time_moved: bool
) -> None:
    reach = reachable(edges, before, calls, time_moved)
    if after in reach:
        return
    options = "; ".join(f"{state}: {explain_path(path)}" for state, path in sorted(reach.items()))
    raise AssertionError(
        f"{what} went {before} -> {after} after accepted calls {calls or '[]'} "
        f"({'the clock moved' if time_moved else 'the clock did not move'}); no documented path "
        f"leads there. Reachable from {before}: {options or 'nothing'}"
    )


# -- the test's own record of what it did ---------------------------------------------------------


@dataclass
class Sent:
    """One record the test sent and the service accepted."""

    stream: str
    record_id: str | None  # None for records put to the Kinesis data stream
    data: bytes
    marker: bytes
    encrypted: bool
    at: float


@dataclass
class Tracked:
    """One incarnation of a delivery stream, as observed from outside."""

    name: str
    kinesis: bool
    interval: int
    created_at: float
    sse_at_create: bool
    status: str = "NEW"  # last observed DeliveryStreamStatus (or NEW / GONE)
    encryption: str = "NEW"  # last observed EncCfg.Status (or NEW / ABSENT)
    encryption_since: float = 0.0  # when the current encryption status was first observed
    ever_enabled: bool = False  # ENABLED observed at least once in this incarnation
    # The last settled status was ENABLED (not DISABLED): a key is in effect, even through a
    # failed change (SSE-11).
    key_in_effect: bool = False
    # KeyType/KeyARN of the last accepted Create-with-SSE or Start: what ENABLED must show.
    requested: tuple[str, str | None] | None = None
    sse_ever_requested: bool = False  # Create with SSE or a Start accepted
    deleted_at: float | None = None  # first accepted DeleteDeliveryStream
    calls: list[str] = field(default_factory=list)  # accepted calls since the last observation
    start_stop_times: list[float] = field(default_factory=list)  # accepted Start/Stop (API-01)


def windows(data: bytes) -> set[bytes]:
    return {data[i : i + WINDOW] for i in range(len(data) - WINDOW + 1)}


def error_code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


# -- strategies -----------------------------------------------------------------------------------

INTERVALS = st.sampled_from([0, 60, 300, 900])  # BufferingHints.IntervalInSeconds
NAMES = st.sampled_from([f"d{n}" for n in range(1, 6)])
# "default": no DeliveryStreamEncryptionConfigurationInput (no SSE on Create; AWS_OWNED_CMK on
# Start, AMB-18); "cmk-no-arn": CUSTOMER_MANAGED_CMK without KeyARN, always refused (KEY-04).
KEY_CHOICES = st.sampled_from(["default", "aws", "cmk0", "cmk1", "rsa", "cmk-no-arn"])
CMKS = st.sampled_from(["cmk0", "cmk1"])
KEY_CHANGES = st.sampled_from(
    [
        "disable",
        "enable",
        "schedule-deletion-7-days",
        "cancel-deletion-and-enable",
        "deny-firehose-decrypt",
        "deny-firehose-all",
        "restore-default-policy",
        "revoke-all-grants",
    ]
)
PAYLOADS = st.lists(st.binary(max_size=24), min_size=1, max_size=5)
SHORT = st.sampled_from([1, 3, 5, 6, 10, 11, 30, 60, 61, 300, 301, 900])
# Mostly seconds to minutes; hours sometimes; past the 24 h retention and API-01 window rarely.
ADVANCES = st.one_of(
    SHORT, SHORT, SHORT, st.integers(1, 6 * 3600), st.integers(20 * 3600, 30 * 3600)
)
BURST = st.lists(
    st.tuples(st.sampled_from(["start", "stop"]), st.sampled_from([0, 11, 11, 3600])),
    min_size=5,
    max_size=30,
)


class FirehoseSseMachine(RuleBasedStateMachine):
    streams = Bundle("streams")

    # -- setup ------------------------------------------------------------------------------------
    @initialize(target=streams)
    def setup(self) -> str:
        # Polling the Kinesis source every second costs ~100k timer callbacks per simulated day;
        # every 30 s keeps long clock jumps cheap and changes no property checked here.
        self.cloud = ReferenceCloud(
            rate_limits=False, settings=FirehoseSettings(kinesis_poll_seconds=KINESIS_POLL)
        )
        self.fh = self.cloud.client("firehose")
        self.describer = FirehoseApi(self.cloud.firehose)
        self.kms = self.cloud.client("kms")
        self.kinesis = self.cloud.client("kinesis")
        self.cloud.client("s3").create_bucket(Bucket=BUCKET)
        self.keys: dict[str, str] = {}
        self.default_policies: dict[str, str] = {}
        for label in ("cmk0", "cmk1"):
            self._new_key(label)
        self._new_key("rsa", KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
        self.tracked: dict[str, Tracked] = {}
        self.sent: list[Sent] = []
        self.sent_windows: set[bytes] = set()
        self.kinesis_sent: list[Sent] = []
        self.counter = 0
        self.time_moved = False
        self.t0 = self.now()
        self.deletions: dict[str, list[float]] = {}
        # What the customer has done to each CMK that can stop Firehose using it, and when the
        # set of such problems (over both CMKs) was last non-empty: (time, any problem).
        self.key_problems: dict[str, set[str]] = {"cmk0": set(), "cmk1": set()}
        self.broken_history: list[tuple[float, bool]] = [(self.t0, False)]
        self.kinesis.create_stream(StreamName=SOURCE, ShardCount=1)
        self._advance(2)
        source_arn = self.kinesis.describe_stream_summary(StreamName=SOURCE)[
            "StreamDescriptionSummary"
        ]["StreamARN"]
        self.fh.create_delivery_stream(
            DeliveryStreamName=FROM_KDS,
            DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={"KinesisStreamARN": source_arn, "RoleARN": ROLE},
            S3DestinationConfiguration=self._destination(60),
        )
        self.tracked[FROM_KDS] = Tracked(FROM_KDS, True, 60, self.now(), False)
        self.tracked[FROM_KDS].calls.append("create")
        # A first DirectPut stream encrypted with a CMK, so key failures meet held records often.
        name = self.create("d0", "cmk0", 300)
        assert name == "d0"
        self._observe()
        self._advance(TRANSITION)
        self._observe()
        return name

    def _new_key(self, label: str, **options: Any) -> None:
        arn = self.kms.create_key(**options)["KeyMetadata"]["Arn"]
        self.keys[label] = arn
        self.default_policies[label] = self.kms.get_key_policy(KeyId=arn, PolicyName="default")[
            "Policy"
        ]

    @staticmethod
    def _destination(interval: int) -> dict[str, Any]:
        return {
            "RoleARN": ROLE,
            "BucketARN": f"arn:aws:s3:::{BUCKET}",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": interval},
        }

    def _encryption_input(self, choice: str) -> dict[str, str] | None:
        if choice == "default":
            return None
        if choice == "aws":
            return {"KeyType": "AWS_OWNED_CMK"}
        if choice == "cmk-no-arn":
            return {"KeyType": "CUSTOMER_MANAGED_CMK"}
        return {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": self.keys[choice]}

    @staticmethod
    def _requested(encryption: dict[str, str] | None) -> tuple[str, str | None]:
        if encryption is None:
            return ("AWS_OWNED_CMK", None)  # SSE-17, AMB-18: the default key type
        return (encryption["KeyType"], encryption.get("KeyARN"))

    def now(self) -> float:
        return self.cloud.clock.now()

    def _advance(self, seconds: float) -> None:
        self.cloud.advance(seconds)
        self.time_moved = True

    def _try(self, call: Callable[[], Any]) -> tuple[Any, str | None]:
        try:
            return call(), None
        except ClientError as error:
            return None, error_code(error)

    # -- Firehose control plane -------------------------------------------------------------------
    @rule(target=streams, name=NAMES, key=KEY_CHOICES, interval=INTERVALS)
    def create(self, name: str, key: str, interval: int) -> Any:
        encryption = self._encryption_input(key)
        extra = (
            {} if encryption is None else {"DeliveryStreamEncryptionConfigurationInput": encryption}
        )
        _, code = self._try(
            lambda: self.fh.create_delivery_stream(
                DeliveryStreamName=name,
                DeliveryStreamType="DirectPut",
                S3DestinationConfiguration=self._destination(interval),
                **extra,
            )
        )
        previous = self.tracked.get(name)
        if code is not None:
            if code == "ResourceInUseException":
                assert previous is not None and previous.status != "GONE", (
                    f"Create {name} refused as in use, but no such stream exists"
                )
            return multiple()
        assert previous is None or previous.status == "GONE", (
            f"Create {name} accepted while the stream exists"
        )
        stream = Tracked(name, False, interval, self.now(), encryption is not None)
        stream.sse_ever_requested = encryption is not None
        stream.requested = self._requested(encryption)
        stream.calls.append("create_sse" if encryption is not None else "create")
        self.tracked[name] = stream
        return name

    def _start_stop(self, name: str, operation: str, key: str = "default") -> None:
        stream = self.tracked.get(name)
        now = self.now()
        used = 0
        if stream is not None:
            used = sum(1 for t in stream.start_stop_times if t > now - DAY)
        if operation == "start":
            encryption = self._encryption_input(key)
            extra = (
                {}
                if encryption is None
                else {"DeliveryStreamEncryptionConfigurationInput": encryption}
            )
            _, code = self._try(
                lambda: self.fh.start_delivery_stream_encryption(DeliveryStreamName=name, **extra)
            )
        else:
            _, code = self._try(
                lambda: self.fh.stop_delivery_stream_encryption(DeliveryStreamName=name)
            )
        event(f"{operation}: {code or 'accepted'}")
        if stream is not None and stream.kinesis:  # SRC-08, AMB-03
            assert code in KDS_REFUSALS, (
                f"{operation} on the KinesisStreamAsSource stream answered {code or 'success'}"
            )
            return
        if stream is None or stream.status == "GONE":
            assert code == "ResourceNotFoundException", (  # T20, API-04
                f"{operation} on missing stream {name} answered {code or 'success'}"
            )
            return
        # API-01 / T18: the 26th call within 24 h is refused, with LimitExceededException unless
        # an earlier check (stream state, bad input) refuses it first.
        if used >= START_STOP_LIMIT:
            event("API-01: 25 calls used in the last 24 h")
            assert code is not None, (
                f"{operation} #{used + 1} on {name} within 24 h was accepted (limit 25)"
            )
            assert code == "LimitExceededException" or code in LIMIT_PRECEDENCE, (
                f"{operation} #{used + 1} on {name} within 24 h refused with {code}"
            )
        elif code == "LimitExceededException":
            raise AssertionError(
                f"{operation} on {name} refused with LimitExceededException after only {used} "
                "accepted Start/Stop calls in the last 24 h (AMB-17: rolling window, refused "
                "calls do not count)"
            )
        if code is None:
            stream.start_stop_times.append(now)
            stream.calls.append(operation)
            if operation == "start":
                stream.sse_ever_requested = True
                stream.requested = self._requested(self._encryption_input(key))
            assert used + 1 <= START_STOP_LIMIT

    @rule(stream=streams, key=KEY_CHOICES)
    def start(self, stream: str, key: str) -> None:
        self._start_stop(stream, "start", key)

    @rule(stream=streams)
    def stop(self, stream: str) -> None:
        self._start_stop(stream, "stop")

    @rule(stream=streams, calls=BURST)
    def start_stop_burst(self, stream: str, calls: list[tuple[str, int]]) -> None:
        """Many Start/Stop calls in a row, so the 25-per-24-h limit is actually reached."""
        for operation, pause in calls:
            self._start_stop(stream, operation, "aws" if operation == "start" else "default")
            self._observe()
            if pause:
                self._advance(pause)
                self._observe()

    @rule(operation=st.sampled_from(["start", "stop", "put"]), key=KEY_CHOICES)
    def kinesis_sourced_refuses(self, operation: str, key: str) -> None:
        """SRC-08, SRC-10: Start, Stop and PutRecord on a KinesisStreamAsSource stream fail."""
        if operation != "put":
            self._start_stop(FROM_KDS, operation, key)
            return
        _, code = self._try(
            lambda: self.fh.put_record(DeliveryStreamName=FROM_KDS, Record={"Data": b"x" * 20})
        )
        assert code == "InvalidArgumentException", f"put to {FROM_KDS}: {code}"

    @rule(stream=streams, force=st.booleans())
    def delete(self, stream: str, force: bool) -> None:
        _, code = self._try(
            lambda: self.fh.delete_delivery_stream(
                DeliveryStreamName=stream, AllowForceDelete=force
            )
        )
        tracked = self.tracked[stream]
        if code is None:
            tracked.calls.append("delete")
            if tracked.deleted_at is None:
                tracked.deleted_at = self.now()
                self.deletions.setdefault(stream, []).append(self.now())
        elif tracked.status == "GONE":
            assert code == "ResourceNotFoundException", f"Delete of gone {stream}: {code}"

    # -- data -------------------------------------------------------------------------------------
    def _records(self, payloads: list[bytes]) -> list[tuple[bytes, bytes]]:
        out = []
        for payload in payloads:
            self.counter += 1
            marker = b"#REC%010d#\n" % self.counter
            out.append((marker, marker + payload))
        return out

    @rule(stream=streams, payloads=PAYLOADS, batch=st.booleans())
    def put(self, stream: str, payloads: list[bytes], batch: bool) -> None:
        records = self._records(payloads)
        if batch:
            response, code = self._try(
                lambda: self.fh.put_record_batch(
                    DeliveryStreamName=stream, Records=[{"Data": data} for _, data in records]
                )
            )
            if code is None:
                entries = response["RequestResponses"]
                assert len(entries) == len(records)
                assert response["FailedPutCount"] == sum(1 for e in entries if "ErrorCode" in e)
                for (marker, data), entry in zip(records, entries, strict=True):
                    if "RecordId" in entry and "ErrorCode" not in entry:
                        self._accepted(stream, entry["RecordId"], marker, data, response)
            else:
                self._refused_put(stream, code)
            return
        for marker, data in records:
            response, code = self._try(
                lambda data=data: self.fh.put_record(
                    DeliveryStreamName=stream, Record={"Data": data}
                )
            )
            if code is None:
                self._accepted(stream, response["RecordId"], marker, data, response)
            else:
                self._refused_put(stream, code)

    def _refused_put(self, name: str, code: str) -> None:
        event(f"put refused: {code}")
        assert code in PUT_ERRORS, f"put to {name} refused with unmodelled {code}"
        stream = self.tracked[name]
        if stream.status == "ACTIVE":
            # With SSE never requested no KMS is involved: an ACTIVE stream must take the data.
            assert stream.sse_ever_requested, f"put to ACTIVE {name} without SSE refused: {code}"

    def _accepted(
        self, name: str, record_id: str, marker: bytes, data: bytes, response: dict[str, Any]
    ) -> None:
        stream = self.tracked[name]
        now = self.now()
        assert stream.status == "ACTIVE", f"put to {name} accepted in status {stream.status}"
        encrypted = bool(response.get("Encrypted", False))  # AMB-23: absent means not encrypted
        self._check_encrypted_flag(stream, encrypted, now)
        self.sent.append(Sent(name, record_id, data, marker, encrypted, now))
        self.sent_windows |= windows(data)

    def _check_encrypted_flag(self, stream: Tracked, encrypted: bool, now: float) -> None:
        """Invariant 6, only where the documents leave no doubt."""
        status, age = stream.encryption, now - stream.encryption_since
        where = f"put to {stream.name} in {status} (observed {age:.0f} s ago)"
        if not stream.sse_ever_requested:
            assert not encrypted, f"{where}: Encrypted=true but SSE was never requested"
        elif status == "ENABLING" and not stream.ever_enabled:
            assert not encrypted, f"{where}: Encrypted=true while first ENABLING (SSE-05)"
        elif status == "ENABLED" and age >= LAG:
            assert encrypted, f"{where}: Encrypted=false more than 5 s after ENABLED (SSE-06)"
        elif status == "DISABLED" and age >= LAG:
            assert not encrypted, f"{where}: Encrypted=true more than 5 s after DISABLED (SSE-09)"
        elif status == "ENABLING_FAILED" and stream.key_in_effect and age >= LAG:
            # SSE-11: "encryption remains enabled with the old CMK" (AMB-08 stance).
            assert encrypted, f"{where}: Encrypted=false after a failed key change (SSE-11)"

    @rule(payloads=PAYLOADS)
    def put_to_data_stream(self, payloads: list[bytes]) -> None:
        records = self._records(payloads)
        self.kinesis.put_records(
            StreamName=SOURCE,
            Records=[{"Data": data, "PartitionKey": "pk"} for _, data in records],
        )
        now = self.now()
        for marker, data in records:
            self.kinesis_sent.append(Sent(FROM_KDS, None, data, marker, False, now))
            self.sent_windows |= windows(data)

    # -- KMS --------------------------------------------------------------------------------------
    # One rule for every key change, so that together they take a fair share of the steps.
    @rule(key=CMKS, change=KEY_CHANGES)
    def change_key(self, key: str, change: str) -> None:
        arn = self.keys[key]
        if change == "disable":
            if self._ok(lambda: self.kms.disable_key(KeyId=arn)):
                self._note(key, add="disabled")
        elif change == "enable":
            if self._ok(lambda: self.kms.enable_key(KeyId=arn)):
                self._note(key, remove="disabled")
        elif change == "schedule-deletion-7-days":  # and, 7 days on, deleted for good
            if self._ok(lambda: self.kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)):
                self._note(key, add="pending-deletion")
        elif change == "cancel-deletion-and-enable":
            if self._ok(lambda: self.kms.cancel_key_deletion(KeyId=arn)):
                self._note(key, add="disabled", remove="pending-deletion")  # now Disabled
            if self._ok(lambda: self.kms.enable_key(KeyId=arn)):
                self._note(key, remove="disabled")
        elif change in ("deny-firehose-decrypt", "deny-firehose-all"):
            action = "kms:Decrypt" if change == "deny-firehose-decrypt" else "kms:*"
            if self._ok(lambda: self._put_policy(key, action)):
                self._note(key, add="denied")
        elif change == "restore-default-policy":
            if self._ok(lambda: self._put_policy(key, None)):
                self._note(key, remove="denied")
        else:
            revoked, code = self._try(lambda: self._revoke_all_grants(arn))
            if code is None and revoked:
                self._note(key, add="grants-revoked")

    def _ok(self, call: Callable[[], Any]) -> bool:
        return self._try(call)[1] is None

    def _note(self, key: str, *, add: str = "", remove: str = "") -> None:
        """Note how a CMK stands for Firehose after a change KMS accepted."""
        problems = self.key_problems[key]
        problems.discard(remove)
        if add:
            problems.add(add)
        broken = any(self.key_problems.values())
        if broken != self.broken_history[-1][1]:
            self.broken_history.append((self.now(), broken))

    def _any_key_broken_during(self, start: float, end: float) -> bool:
        """Whether some CMK was broken for Firehose at any moment of ``[start, end]``.

        Revoked grants count as broken for good (Firehose needs a new Start to get a grant)."""
        before = [broken for at, broken in self.broken_history if at < start]
        if before and before[-1]:
            return True
        return any(broken for at, broken in self.broken_history if start <= at <= end)

    def _put_policy(self, key: str, denied_to_firehose: str | None) -> None:
        policy = json.loads(self.default_policies[key])
        if denied_to_firehose is not None:
            policy["Statement"].append(
                {
                    "Sid": "DenyFirehose",
                    "Effect": "Deny",
                    "Principal": {"Service": "firehose.amazonaws.com"},
                    "Action": denied_to_firehose,
                    "Resource": "*",
                }
            )
        self.kms.put_key_policy(
            KeyId=self.keys[key], PolicyName="default", Policy=json.dumps(policy)
        )

    def _revoke_all_grants(self, arn: str) -> int:
        grants = self.kms.list_grants(KeyId=arn)["Grants"]
        for grant in grants:
            self.kms.revoke_grant(KeyId=arn, GrantId=grant["GrantId"])
        return len(grants)

    # -- time -------------------------------------------------------------------------------------
    @rule(seconds=ADVANCES)
    def advance_clock(self, seconds: int) -> None:
        self._advance(seconds)

    # -- observation (invariant 3 and 4) ----------------------------------------------------------
    def _observe(self) -> None:
        """Describe every stream; check each status change against the documented graphs."""
        now = self.now()
        for stream in self.tracked.values():
            if stream.status == "GONE" and not stream.calls:
                continue
            description, code = self._describe(stream.name)
            what = f"stream {stream.name}"
            if code is not None:
                assert code == "ResourceNotFoundException", f"Describe {stream.name}: {code}"
                status, encryption = "GONE", stream.encryption
            else:
                status = description["DeliveryStreamStatus"]
                config = description.get("DeliveryStreamEncryptionConfiguration")
                encryption = config["Status"] if config is not None else "ABSENT"
                self._check_description(stream, description, config)
            check_transition(
                f"{what} DeliveryStreamStatus",
                STREAM_EDGES,
                stream.status,
                status,
                [c for c in stream.calls if c in STREAM_TRIGGERS],
                self.time_moved,
            )
            if not stream.kinesis and status != "GONE":
                check_transition(
                    f"{what} encryption status",
                    ENCRYPTION_EDGES,
                    stream.encryption,
                    encryption,
                    [c for c in stream.calls if c in ENCRYPTION_TRIGGERS],
                    self.time_moved,
                )
                if encryption != stream.encryption:
                    event(f"encryption status {stream.encryption} -> {encryption}")
                    stream.encryption_since = now
                stream.encryption = encryption
                stream.ever_enabled = stream.ever_enabled or encryption == "ENABLED"
                if encryption in ("ENABLED", "DISABLED"):
                    stream.key_in_effect = encryption == "ENABLED"
            if status != stream.status:
                event(f"stream status {stream.status} -> {status}")
            stream.status = status
            stream.calls = []
        self.time_moved = False

    def _describe(self, name: str) -> tuple[dict[str, Any], str | None]:
        """DescribeDeliveryStream's output, from the API layer in process: the same dict boto3
        would get, without the wire round trip (observing every stream after every step through
        botocore would take most of the time budget)."""
        with self.cloud.lock:
            try:
                output = self.describer.describe_delivery_stream({"DeliveryStreamName": name})
            except AwsError as error:
                return {}, error.code
        return output["DeliveryStreamDescription"], None

    def _check_description(
        self, stream: Tracked, description: dict[str, Any], config: dict[str, Any] | None
    ) -> None:
        name = stream.name
        if stream.kinesis:  # invariant 4: SRC-08, AMB-03, AMB-09 (EV-LS-KDS)
            assert description["DeliveryStreamType"] == "KinesisStreamAsSource"
            assert config is None or config.get("Status") != "ENABLED", (
                f"KinesisStreamAsSource stream {name} shows SSE ENABLED: {config}"
            )
            return
        status = description["DeliveryStreamStatus"]
        if config is None:  # AMB-09 stance: DirectPut shows DISABLED; AMB-10 while CREATING
            assert status == "CREATING" and stream.sse_at_create, f"{name}: no EncCfg in {status}"
            return
        assert config["Status"] in ENCRYPTION_STATUSES, f"{name}: EncCfg {config}"  # SSE-04
        key_type = config.get("KeyType")
        if key_type == "AWS_OWNED_CMK":  # SSE-16
            assert "KeyARN" not in config, f"{name}: AWS_OWNED_CMK with a KeyARN: {config}"
        elif key_type == "CUSTOMER_MANAGED_CMK":
            assert config.get("KeyARN"), f"{name}: CUSTOMER_MANAGED_CMK without KeyARN: {config}"
        if config["Status"] == "ENABLED":  # KEY-01: never ENABLED with an asymmetric key
            assert config.get("KeyARN") != self.keys["rsa"], f"{name}: ENABLED with RSA key"
            # SSE-10, SSE-14, SSE-17: once settled, EncCfg shows the key last asked for.
            shown = (key_type, config.get("KeyARN"))
            assert shown == stream.requested, (
                f"{name}: ENABLED with {shown}, but the last accepted request was "
                f"{stream.requested}"
            )
            assert status == "ACTIVE" or stream.deleted_at is not None, (
                f"{name}: SSE ENABLED while stream is {status}"
            )
        if config["Status"] in ("ENABLING_FAILED", "DISABLING_FAILED") or status.endswith(
            "_FAILED"
        ):  # SSE-18, AMB-11: a FailureDescription somewhere
            failure = config.get("FailureDescription") or description.get("FailureDescription")
            assert failure is not None, f"{name}: failed status without FailureDescription"
            assert failure["Type"] in FAILURE_TYPES, f"{name}: FailureDescription {failure}"
            details = failure["Details"]
            assert 1 <= len(details) <= 1024 and details.strip(), f"{name}: Details {details!r}"

    @invariant()
    def statuses_take_only_documented_transitions(self) -> None:
        self._observe()

    # -- invariant 1: accounting ------------------------------------------------------------------
    @invariant()
    def every_record_is_accounted_for_exactly_once(self) -> None:
        now = self.now()
        objects = self.cloud.s3.objects(BUCKET)
        markers = Counter(MARKER.findall(b"\x00".join(objects.values())))
        by_stream: dict[str, list[Sent]] = {}
        for sent in self.sent:
            by_stream.setdefault(sent.stream, []).append(sent)
        for name, sent_list in by_stream.items():
            fates = self.cloud.firehose.record_fates(name)
            expected = {sent.record_id for sent in sent_list}
            assert set(fates) == expected, (
                f"{name}: ledger has {len(fates)} records, {len(expected)} were accepted; "
                f"missing {sorted(expected - set(fates))[:3]}, "
                f"extra {sorted(set(fates) - expected)[:3]}"
            )
            self._check_summary(name, fates)
            stream = self.tracked[name]
            for sent in sent_list:
                fate = fates[sent.record_id]
                self._check_fate(stream, sent, fate, objects, now)
                found = markers.get(sent.marker, 0)
                if fate.state == "delivered":
                    assert found == 1, f"{name}: delivered record {sent.marker!r} in S3 {found}x"
                else:
                    assert found == 0, f"{name}: {fate.state} record {sent.marker!r} in S3"
        self._check_kinesis_sourced(objects, markers, now)

    def _check_summary(self, name: str, fates: dict[str, Any]) -> None:
        counts = Counter(str(fate.state) for fate in fates.values())
        summary = self.cloud.firehose.summary(name)
        assert summary == {s: counts.get(s, 0) for s in ("pending", "delivered", "discarded")}, (
            f"{name}: summary {summary} but fates {dict(counts)}"
        )

    def _check_fate(
        self, stream: Tracked, sent: Sent, fate: Any, objects: dict[str, bytes], now: float
    ) -> None:
        name, state = stream.name, str(fate.state)
        event(f"record {state} {fate.reason or ''} (Encrypted={sent.encrypted})")
        label = f"{name}: record {sent.marker!r} ({state}, put at {sent.at - self.t0:.0f} s)"
        assert state in ("pending", "delivered", "discarded"), label
        assert fate.size == len(sent.data) and fate.ingested_at == sent.at, label
        assert fate.encrypted == sent.encrypted, f"{label}: ledger and Encrypted flag disagree"
        if state == "delivered":
            loc = fate.location
            body = objects.get(loc.key, b"")
            assert (
                loc.bucket == BUCKET and body[loc.offset : loc.offset + fate.size] == sent.data
            ), f"{label}: S3 {loc.key}@{loc.offset} does not hold the record's bytes"
        elif state == "discarded":
            reason = str(fate.reason)
            assert reason in DISCARD_REASONS, f"{label}: undocumented discard reason {reason}"
            if reason == "stream-deleted":
                assert any(
                    sent.at <= t <= fate.resolved_at for t in self.deletions.get(name, [])
                ), f"{label}: discarded as stream-deleted, but no deletion followed the put"
            else:
                # RET-01..04: kept 24 h from ingestion before any retention discard.
                assert fate.resolved_at - sent.at > RETENTION, f"{label}: discarded early"
                # The bucket always exists, so only a KMS failure can hold a record that long,
                # only a record sealed under SSE can meet one, and only if the customer broke a
                # key at some point of the record's life (RET-01: "for you to resolve").
                assert reason == "kms-failure-past-retention" and sent.encrypted, (
                    f"{label}: discarded for {reason}"
                )
                assert self._any_key_broken_during(sent.at, fate.resolved_at), (
                    f"{label}: discarded for a KMS failure, but no key was broken meanwhile"
                )
        else:
            age = now - sent.at
            # A deleted stream holds nothing (BC-FH Delete: "Deletes a Firehose stream and its
            # data."); anything else waits at most the retention period, plus the buffering
            # interval and the retry cadence.
            assert not self._was_deleted(name, sent.at), f"{label}: pending after its deletion"
            assert age <= RETENTION + stream.interval + SLACK, f"{label}: pending {age:.0f} s"
            if not sent.encrypted or not self._any_key_broken_during(sent.at, now):
                # No SSE key protected it, or every key stayed usable: nothing can hold it back
                # past the buffering interval.
                assert age <= stream.interval + SLACK, f"{label}: still pending after {age:.0f} s"

    def _was_deleted(self, name: str, put_at: float) -> bool:
        """Whether the incarnation that took a record put at ``put_at`` was deleted since."""
        return any(t >= put_at for t in self.deletions.get(name, []))

    def _check_kinesis_sourced(
        self, objects: dict[str, bytes], markers: Counter[bytes], now: float
    ) -> None:
        fates = self.cloud.firehose.record_fates(FROM_KDS)
        assert len(fates) <= len(self.kinesis_sent), f"{FROM_KDS}: more records than were put"
        self._check_summary(FROM_KDS, fates)
        by_data = Counter(sent.data for sent in self.kinesis_sent)
        used: Counter[bytes] = Counter()
        for fate in fates.values():
            assert str(fate.state) in ("pending", "delivered"), f"{FROM_KDS}: {fate}"
            assert not fate.encrypted
            if str(fate.state) == "delivered":
                loc = fate.location
                data = objects.get(loc.key, b"")[loc.offset : loc.offset + fate.size]
                used[data] += 1
                assert used[data] <= by_data[data], f"{FROM_KDS}: {data!r} delivered twice"
        for sent in self.kinesis_sent:
            found = markers.get(sent.marker, 0)
            assert found <= 1, f"{FROM_KDS}: record {sent.marker!r} in S3 {found}x"
            if now - sent.at > KINESIS_DELIVERY_BOUND:
                assert found == 1, f"{FROM_KDS}: record {sent.marker!r} not delivered in 1 h"

    # -- invariant 2: nothing in the clear at rest ------------------------------------------------
    @invariant()
    def no_plaintext_at_rest_in_firehose(self) -> None:
        for arn, blobs in self.cloud.at_rest().items():
            if ":firehose:" not in arn:
                continue  # a Kinesis data stream without SSE holds plaintext, as documented
            for blob in blobs:
                for i in range(len(blob) - WINDOW + 1):
                    run = blob[i : i + WINDOW]
                    assert run not in self.sent_windows, (
                        f"{arn} holds plaintext {run!r} at rest (SRC-11)"
                    )


FirehoseSseMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("FIREHOSE_PROPERTY_EXAMPLES", "50")),
    stateful_step_count=int(os.environ.get("FIREHOSE_PROPERTY_STEPS", "40")),
    deadline=None,
    database=None,
    print_blob=True,
)
TestFirehoseSseProperties = FirehoseSseMachine.TestCase


def test_transition_checker_follows_paths_and_explains_failures() -> None:
    """The checker itself: composite paths through a clock jump pass, spontaneous changes fail."""
    # A Start, then a long clock jump, may show ENABLED without ENABLING ever being seen.
    check_transition("s", ENCRYPTION_EDGES, "DISABLED", "ENABLED", ["start"], True)
    check_transition("s", ENCRYPTION_EDGES, "ENABLED", "DISABLED", ["stop"], True)
    check_transition("s", STREAM_EDGES, "ACTIVE", "GONE", ["delete"], True)
    for before, after, calls, moved in [
        ("ENABLED", "DISABLED", [], True),  # no Stop: never without a call
        ("ENABLING", "ENABLED", [], False),  # the clock did not move and nothing was called
        ("DISABLED", "ENABLED", ["stop"], True),
        ("ACTIVE", "CREATING_FAILED", [], True),  # D10: a broken key leaves the stream ACTIVE
    ]:
        edges = STREAM_EDGES if after == "CREATING_FAILED" else ENCRYPTION_EDGES
        try:
            check_transition("stream s", edges, before, after, calls, moved)
        except AssertionError as error:
            assert f"went {before} -> {after}" in str(error)
            assert f"Reachable from {before}:" in str(error)
        else:
            raise AssertionError(f"{before} -> {after} after {calls} was accepted")
