"""The Firehose model: delivery streams, their SSE, their data at rest and its delivery.

This is the facade the API layer calls; each concern lives in its own module:
``sse_controller`` (Start, Stop and their asynchronous ends) over ``sse_state`` (a stream's SSE
status and effective-key timeline), ``grant_agent`` and ``key_checks`` (KMS), ``kms_crosswalk``
(how KMS errors surface), ``storage`` (data at rest), ``delivery`` (buffer, S3, retry,
retention), ``kinesis_source``, ``limits`` and ``accounting`` (the fate of every record, for
white-box checks).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reference_impl.arns import arn
from reference_impl.clock import VirtualClock
from reference_impl.errors import AwsError
from reference_impl.firehose import kms_crosswalk
from reference_impl.firehose.accounting import DiscardReason, Fate, Ledger, RecordFate
from reference_impl.firehose.delivery import DeliveryPipeline, PipelineSettings
from reference_impl.firehose.destination import S3Destination
from reference_impl.firehose.kinesis_source import KinesisPoller
from reference_impl.firehose.limits import RollingWindow, check_region_quota
from reference_impl.firehose.settings import FirehoseSettings
from reference_impl.firehose.sse_controller import NOT_DIRECT_PUT, SseController
from reference_impl.firehose.sse_state import EncryptionState
from reference_impl.firehose.states import (
    FailureDescription,
    FailureType,
    KeyConfig,
    StreamStatus,
    StreamType,
)
from reference_impl.firehose.storage import EnvelopeStore, InternalKeys, MemoryStore
from reference_impl.firehose.streams import CreateRequest, DeliveryStream, KinesisSource

# BC-FH PutRecordBatch: "up to a limit of 4 MB for the entire request" (4 MiB, 4,194,304 bytes).
MAX_BATCH_BYTES = 4 * 1024 * 1024
MAX_TAGS = 50
METRIC_NAMESPACE = "AWS/Firehose"  # MET-02
# What uuid.UUID(version=4) does to the bits: RFC 4122 variant (10) and version 4 (0100).
_UUID_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID_V4 = (0x8000 << 48) | (4 << 76)
DELETABLE = (
    StreamStatus.ACTIVE,
    StreamStatus.CREATING_FAILED,
    StreamStatus.DELETING,
    StreamStatus.DELETING_FAILED,
)


@dataclass(frozen=True)
class PutResult:
    record_ids: list[str]
    encrypted: bool  # PUT-01: whether SSE was in effect for this call


class FirehoseModel:
    def __init__(
        self,
        clock: VirtualClock,
        account_id: str,
        region: str,
        *,
        kms: Any,
        kinesis: Any,
        s3: Any,
        cloudwatch: Any,
        settings: FirehoseSettings,
    ) -> None:
        self.clock = clock
        self.account_id = account_id
        self.region = region
        self.kms = kms
        self.kinesis = kinesis
        self.s3 = s3
        self.cloudwatch = cloudwatch
        self.settings = settings
        self.keys = InternalKeys()
        self.streams: dict[str, DeliveryStream] = {}
        self.ledgers: dict[str, Ledger] = {}
        self._ids = random.Random(f"firehose:{account_id}:{region}")
        self.sse = SseController(
            clock=clock,
            kms=kms,
            account_id=account_id,
            settings=settings,
            streams=lambda: self.streams.values(),
        )

    # -- helpers -----------------------------------------------------------------------------
    def arn(self, name: str) -> str:
        return arn("firehose", self.region, self.account_id, f"deliverystream/{name}")

    def _new_id(self) -> str:
        """``str(uuid.UUID(int=..., version=4))`` of the next random number, formatted directly
        (one is made per S3 object delivered; the uuid module costs several times more)."""
        value = self._ids.getrandbits(128) & _UUID_CLEAR | _UUID_V4
        text = value.to_bytes(16, "big").hex()  # f"{value:032x}", faster
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def _record_id(self) -> str:
        return f"{self._ids.getrandbits(256):064x}"

    def get(self, name: str) -> DeliveryStream:
        stream = self.streams.get(name)
        if stream is None:
            raise AwsError(
                "ResourceNotFoundException",
                f"Firehose {name} under account {self.account_id} not found.",
            )
        return stream

    def _invalid(self, message: str) -> AwsError:
        return AwsError("InvalidArgumentException", message)

    # -- CreateDeliveryStream ----------------------------------------------------------------
    def create(self, request: CreateRequest) -> str:
        name = request.name
        if name in self.streams:  # includes CREATING_FAILED (API-09, D4)
            raise AwsError(
                "ResourceInUseException",
                f"Firehose {name} under account {self.account_id} already exists.",
            )
        stream_type = self._stream_type(request)
        destination = S3Destination.from_create_params(request.params)
        kinesis_source = (
            self._kinesis_source(request) if stream_type is StreamType.KINESIS else None
        )
        if stream_type is StreamType.KINESIS and request.encryption_input is not None:
            raise self._invalid(  # AMB-04 (a), chosen
                "Server-side encryption is not supported for delivery streams with a Kinesis "
                "stream as source."
            )
        tags = request.tags
        if len(tags) > MAX_TAGS:
            raise self._invalid(f"A Firehose stream can have at most {MAX_TAGS} tags.")
        check_region_quota(len(self.streams), self.settings.streams_per_region, self.region)
        requested: KeyConfig | None = None
        if request.encryption_input is not None:  # SSE-14
            requested = self.sse.resolve_request(request.encryption_input, None)
        stream = self._new_stream(request, stream_type, destination, kinesis_source, tags)
        if requested is not None:
            stream.encryption = self.sse.begin_on_create(requested)
        self.streams[name] = stream
        stream.later(
            self.clock,
            self.settings.creating,
            lambda: self._finish_create(stream),
            "firehose create",
        )
        return stream.arn

    def _stream_type(self, request: CreateRequest) -> StreamType:
        try:
            stream_type = StreamType(request.stream_type)
        except ValueError:
            raise self._invalid(f"Unknown DeliveryStreamType {request.stream_type}.") from None
        if stream_type not in (StreamType.DIRECT_PUT, StreamType.KINESIS):
            raise self._invalid(
                f"DeliveryStreamType {stream_type.value} is not supported by the reference "
                "implementation."
            )
        if request.other_sources:
            raise self._invalid(
                f"{request.other_sources[0]} cannot be used with DeliveryStreamType "
                f"{stream_type.value}."
            )
        if stream_type is StreamType.DIRECT_PUT and request.kinesis_source is not None:
            raise self._invalid(
                "KinesisStreamSourceConfiguration is only allowed with DeliveryStreamType "
                "KinesisStreamAsSource."
            )
        if stream_type is StreamType.KINESIS:
            if request.kinesis_source is None:
                raise self._invalid(
                    "KinesisStreamSourceConfiguration is required when DeliveryStreamType is "
                    "KinesisStreamAsSource."
                )
            if "DirectPutSourceConfiguration" in request.params:
                raise self._invalid(
                    "DirectPutSourceConfiguration is only allowed with DeliveryStreamType "
                    "DirectPut."
                )
        return stream_type

    def _kinesis_source(self, request: CreateRequest) -> KinesisSource:
        config = request.kinesis_source or {}
        arn = config["KinesisStreamARN"]
        try:
            self.kinesis.describe_by_arn(arn)
        except AwsError as error:
            raise self._invalid(
                f"The Kinesis stream {arn} cannot be used as the source: {error.message}"
            ) from None
        return KinesisSource(arn, config["RoleARN"])

    def _new_stream(
        self,
        request: CreateRequest,
        stream_type: StreamType,
        destination: S3Destination,
        kinesis_source: KinesisSource | None,
        tags: dict[str, str],
    ) -> DeliveryStream:
        name = request.name
        now = self.clock.now()
        arn = self.arn(name)
        ledger = self.ledgers.setdefault(name, Ledger())
        direct = stream_type is StreamType.DIRECT_PUT
        store = EnvelopeStore(self.kms, self.keys, arn) if direct else None
        pipeline = DeliveryPipeline(
            clock=self.clock,
            stream_name=name,
            destination=destination,
            s3=self.s3,
            store=store if store is not None else MemoryStore(),
            ledger=ledger,
            settings=PipelineSettings(
                retry_seconds=self.settings.delivery_retry_seconds,
                retention_seconds=self.settings.retention_seconds if direct else None,
                delivery_seconds=self.settings.delivery_seconds,
            ),
            new_id=self._new_id,
            on_kms_failure=lambda error: self._count_kms_failure(name, error),
            on_resolved=lambda: None,  # set below, once the stream exists
        )
        hint = request.params.get("DirectPutSourceConfiguration", {}).get("ThroughputHintInMBs")
        stream = DeliveryStream(
            name=name,
            arn=arn,
            stream_type=stream_type,
            destination=destination,
            created_at=now,
            window=RollingWindow(
                self.settings.start_stop_limit, self.settings.start_stop_window_seconds
            ),
            pipeline=pipeline,
            kinesis_source=kinesis_source,
            direct_put_hint=hint,
            tags=tags,
            store=store,
        )
        if direct:
            # AMB-09 / EV-SP769: a DirectPut stream always has EncCfg, {"Status": "DISABLED"}.
            stream.encryption = EncryptionState()
        # GRT-02, GRT-03; a stream holding no grant has nothing to settle (every delivery ends
        # here, so that is checked first).
        pipeline.on_resolved = lambda: self.sse.settle(stream) if stream.grants.held else None
        return stream

    def _finish_create(self, stream: DeliveryStream) -> None:
        if (
            stream.status is not StreamStatus.CREATING
            or self.streams.get(stream.name) is not stream
        ):
            return
        failure = self.sse.finish_create(stream)
        if failure is not None:
            stream.status = StreamStatus.CREATING_FAILED  # D3; terminal (D4, API-09)
            stream.failure = failure
            return
        stream.status = StreamStatus.ACTIVE  # D2
        source = stream.kinesis_source
        if source is not None:
            source.started_at = self.clock.now()
            stream.poller = KinesisPoller(
                clock=self.clock,
                kinesis=self.kinesis,
                source_arn=source.stream_arn,
                consumer=stream.arn,
                role_arn=source.role_arn,
                pipeline=stream.pipeline,
                ledger=stream.pipeline.ledger,
                new_id=self._record_id,
                interval=self.settings.kinesis_poll_seconds,
                limit=self.settings.kinesis_read_limit,
            )
            stream.poller.start()

    # -- DeleteDeliveryStream ----------------------------------------------------------------
    def delete(self, name: str, allow_force_delete: bool = False) -> None:
        stream = self.get(name)
        if stream.status not in DELETABLE:  # D6, API-10: not while CREATING
            raise AwsError(
                "ResourceInUseException",
                f"Firehose {name} under account {self.account_id} is in status "
                f"{stream.status.value} and cannot be deleted until it leaves that status.",
            )
        stream.force_delete = stream.force_delete or allow_force_delete
        if stream.status is StreamStatus.DELETING:
            return  # already on its way out
        stream.status = StreamStatus.DELETING  # D5
        stream.failure = None
        stream.cancel_timers()
        if stream.poller is not None:
            stream.poller.stop()
        stream.pipeline.discard_all(DiscardReason.STREAM_DELETED)
        stream.later(
            self.clock,
            self.settings.deleting,
            lambda: self._finish_delete(stream),
            "firehose delete",
        )

    def _finish_delete(self, stream: DeliveryStream) -> None:
        if (
            stream.status is not StreamStatus.DELETING
            or self.streams.get(stream.name) is not stream
        ):
            return
        errors = [
            error
            for arn in list(stream.grants.held)
            if (error := self.sse.grants.retire(stream.grants, arn)) is not None
        ]
        if any(kms_crosswalk.canonical(e.code) in kms_crosswalk.SERVICE_SIDE for e in errors):
            # D8: "If a failure to retire the grant happens due to an ... KMS issue, Firehose
            # keeps retrying the delete operation."
            stream.later(
                self.clock,
                self.settings.deleting,
                lambda: self._finish_delete(stream),
                "firehose delete retry",
            )
            return
        if errors and not stream.force_delete:
            # D7 (inference): a customer-side failure to retire the grant.
            stream.status = StreamStatus.DELETING_FAILED
            stream.failure = FailureDescription(
                FailureType.RETIRE_KMS_GRANT_FAILED,
                "Firehose could not retire its grant on the KMS key: "
                + "; ".join(kms_crosswalk.describe(error) for error in errors),
            )
            return
        # GRT-05: with AllowForceDelete the stream goes even if its grant is left behind.
        del self.streams[stream.name]

    # -- StartDeliveryStreamEncryption / StopDeliveryStreamEncryption -----------------------------
    def start_encryption(self, name: str, encryption_input: dict[str, Any] | None) -> None:
        self.sse.start(self.get(name), encryption_input)  # API-04 first

    def stop_encryption(self, name: str) -> None:
        self.sse.stop(self.get(name))

    # -- PutRecord / PutRecordBatch ----------------------------------------------------------
    def put_records(self, name: str, records: list[bytes]) -> PutResult:
        stream = self.get(name)
        if stream.stream_type is not StreamType.DIRECT_PUT:
            raise self._invalid(NOT_DIRECT_PUT)  # SRC-10, EV-CLI7010
        if stream.status is not StreamStatus.ACTIVE:
            # PUT-04: the code is unstated; ResourceNotFoundException is the modelled one that fits.
            raise AwsError(
                "ResourceNotFoundException",
                f"Firehose {name} under account {self.account_id} is not ACTIVE "
                f"(status {stream.status.value}).",
            )
        total = sum(len(data) for data in records)
        if total > MAX_BATCH_BYTES:
            raise self._invalid(
                f"The records total {total} bytes; a request can carry at most "
                f"{MAX_BATCH_BYTES} bytes (4 MiB)."
            )
        if stream.encryption is None or stream.store is None:  # not reachable for DirectPut
            raise self._invalid(NOT_DIRECT_PUT)
        now = self.clock.now()
        in_effect = stream.encryption.timeline.at(now)  # SSE-05, SSE-06, SSE-09
        ids = [self._record_id() for _ in records]
        try:
            sealed = stream.store.seal(in_effect, list(zip(ids, records, strict=True)), now)
        except AwsError as error:
            raise self._put_failure(stream, in_effect, error) from None
        encrypted = in_effect is not None
        ledger = stream.pipeline.ledger
        for record in sealed:
            ledger.accept(record.record_id, now, encrypted, record.size)
        stream.pipeline.add(sealed)
        return PutResult(ids, encrypted)

    def _put_failure(
        self, stream: DeliveryStream, in_effect: KeyConfig | None, error: AwsError
    ) -> AwsError:
        # AMB-16 (chosen): a KMS failure met while encrypting at ingest counts in the metrics too.
        self._count_kms_failure(stream.name, error)
        arn = in_effect.key_arn if in_effect is not None else None
        if kms_crosswalk.canonical(error.code) in kms_crosswalk.SERVICE_SIDE:
            return AwsError(
                "ServiceUnavailableException",
                f"Firehose {stream.name} could not reach KMS: {kms_crosswalk.describe(error)}",
                503,
            )
        # PUT-02, RET-05: records after the key broke are refused.
        return kms_crosswalk.invalid_kms_resource(
            f"Firehose {stream.name} could not encrypt the records with KMS key {arn}", error
        )

    def _count_kms_failure(self, stream_name: str, error: AwsError) -> None:
        """MET-01..07: one data point of 1 Count per failure, at the moment it is met.

        It is published at once, or with ``metric_interval_seconds`` (MET-08, the latency
        profile) at the next multiple of that interval, still stamped with the moment it was met.
        """
        metric = kms_crosswalk.metric_for(error.code)
        if metric is None:
            return  # AMB-13: no metric tracks other KMS errors
        met = self.clock.now()

        def publish() -> None:
            self.cloudwatch.publish(
                METRIC_NAMESPACE,
                metric,
                {"DeliveryStreamName": stream_name},
                1.0,
                "Count",
                timestamp=met,
            )

        interval = self.settings.metric_interval_seconds
        if interval <= 0:
            publish()
        else:
            due = (met // interval + 1) * interval
            self.clock.call_at(due, publish, f"firehose metrics {stream_name}")

    # -- DescribeDeliveryStream / ListDeliveryStreams ------------------------------------------
    def list_names(
        self, stream_type: str | None, exclusive_start: str | None, limit: int
    ) -> tuple[list[str], bool]:
        names = sorted(
            name
            for name, stream in self.streams.items()
            if stream_type is None or stream.stream_type.value == stream_type
        )
        if exclusive_start is not None:
            names = [name for name in names if name > exclusive_start]
        return names[:limit], len(names) > limit

    # -- tags ----------------------------------------------------------------------------------
    def tag(self, name: str, tags: dict[str, str]) -> None:
        stream = self.get(name)
        merged = {**stream.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise AwsError(
                "LimitExceededException", f"A Firehose stream can have at most {MAX_TAGS} tags."
            )
        stream.tags = merged

    def untag(self, name: str, keys: Iterable[str]) -> None:
        stream = self.get(name)
        for key in keys:
            stream.tags.pop(key, None)

    # -- white-box views -------------------------------------------------------------------------
    def at_rest(self) -> dict[str, list[bytes]]:
        """{stream ARN: every blob held at rest} for DirectPut streams holding records.

        Kinesis-sourced streams never appear: their records are in memory only (SRC-01, SRC-02).
        """
        held: dict[str, list[bytes]] = {}
        for stream in self.streams.values():
            if stream.store is not None:
                blobs = stream.store.at_rest()
                if blobs:
                    held[stream.arn] = blobs
        return held

    def record_fates(self, stream_name: str) -> dict[str, RecordFate]:
        """Every record ever accepted under this stream name (kept after deletion)."""
        ledger = self.ledgers.get(stream_name)
        return dict(ledger.fates) if ledger is not None else {}

    def summary(self, stream_name: str) -> dict[str, int]:
        """{"pending": n, "delivered": n, "discarded": n} for one stream name."""
        ledger = self.ledgers.get(stream_name)
        return ledger.summary() if ledger is not None else {fate.value: 0 for fate in Fate}

    def delivery_counts(self, stream_name: str | None = None) -> dict[str, int]:
        """The same counts for one stream name, or summed over every stream."""
        if stream_name is not None:
            return self.summary(stream_name)
        total = {fate.value: 0 for fate in Fate}
        for ledger in self.ledgers.values():
            for state, count in ledger.summary().items():
                total[state] += count
        return total
