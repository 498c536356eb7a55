"""Deviants and conforming variants of where data is at rest, by source (SRC): Direct PUT storage,
Kinesis sources, Kinesis Data Streams."""

from __future__ import annotations

from typing import Any

from reference_impl.errors import AwsError
from reference_impl.firehose.delivery import DeliveryPipeline
from reference_impl.firehose.kinesis_source import KinesisPoller
from reference_impl.firehose.model import FirehoseModel
from reference_impl.firehose.settings import HOUR
from reference_impl.firehose.sse_controller import SseController
from reference_impl.firehose.sse_state import EncryptionState
from reference_impl.firehose.states import StreamStatus, StreamType
from reference_impl.firehose.storage import EnvelopeStore, MemoryStore
from reference_impl.firehose.streams import CreateRequest
from reference_impl.kinesis.api import KinesisApi
from reference_impl.kinesis.envelope import seal as kinesis_seal
from reference_impl.kinesis.model import KinesisModel
from reference_impl.kinesis.streams import EncryptionType, Envelope
from reference_impl.principals import account_root
from reference_impl.variants.patching import Patcher
from reference_impl.variants.registry import conforming, deviant
from reference_impl.variants.shared import drop_puts_to, without_encryption_input


# ---- Firehose: a Kinesis source (SRC-01, SRC-02, SRC-06, SRC-07, SRC-08, SRC-10) ----------------
@deviant("kinesis-source-spooled-at-rest", "SRC-01", "SRC-02", evidence="blob(s) at rest")
def kinesis_source_spooled_at_rest(p: Patcher) -> None:
    """A Kinesis-sourced stream keeps the records it has read in a spool file until delivery."""

    @p.around(FirehoseModel, "at_rest")
    def at_rest(original: Any, self: FirehoseModel) -> dict[str, list[bytes]]:
        held = original(self)
        for stream in self.streams.values():
            if stream.stream_type is StreamType.KINESIS:
                spool = [r.data for r in stream.pipeline.buffer + stream.pipeline.backlog]
                if spool:
                    held[stream.arn] = spool
        return held


@deviant("kinesis-source-ignores-buffering-hints", "SRC-02", evidence="were delivered")
def kinesis_source_ignores_buffering_hints(p: Patcher) -> None:
    """A Kinesis-sourced stream delivers what each poll reads at once, ignoring the buffer hints."""

    @p.around(DeliveryPipeline, "add")
    def add(original: Any, self: DeliveryPipeline, records: list[Any]) -> None:
        original(self, records)
        if isinstance(self.store, MemoryStore):
            self.flush()


@deviant("kinesis-source-reads-as-the-account", "SRC-06", evidence="received data")
def kinesis_source_reads_as_the_account(p: Patcher) -> None:
    """Firehose reads its source with the account's own identity, not the delivery role."""

    @p.around(KinesisPoller, "__init__")
    def init(original: Any, self: KinesisPoller, **kwargs: Any) -> None:
        original(self, **kwargs)
        self.role_arn = account_root(self.consumer.split(":")[4])


@deviant("kinesis-source-keeps-24-hours", "SRC-07", evidence="records missing")
def kinesis_source_keeps_24_hours(p: Patcher) -> None:
    """Records read from a Kinesis source are dropped 24 h after reading, as Direct PUT ones are."""

    @p.around(DeliveryPipeline, "__init__")
    def init(original: Any, self: DeliveryPipeline, **kwargs: Any) -> None:
        original(self, **kwargs)
        if self.settings.retention_seconds is None:
            self.settings.retention_seconds = 24 * HOUR


@deviant("sse-started-on-kinesis-source", "SRC-08", evidence="succeeded; expected")
def sse_started_on_kinesis_source(p: Patcher) -> None:
    """StartDeliveryStreamEncryption is accepted on a Kinesis-sourced stream, and enables SSE."""

    @p.around(SseController, "_common_checks")
    def checks(original: Any, self: SseController, stream: Any) -> EncryptionState:
        if stream.stream_type is StreamType.KINESIS and stream.encryption is None:
            stream.encryption = EncryptionState()
            stream.stream_type = StreamType.DIRECT_PUT
            try:
                return original(self, stream)
            finally:
                stream.stream_type = StreamType.KINESIS
        return original(self, stream)


@deviant("sse-created-on-kinesis-source", "SRC-08", evidence="'Status': 'ENABLED'")
def sse_created_on_kinesis_source(p: Patcher) -> None:
    """CreateDeliveryStream takes an encryption input with a Kinesis source, and enables SSE."""

    @p.around(FirehoseModel, "create")
    def create(original: Any, self: FirehoseModel, request: CreateRequest) -> str:
        wanted = request.encryption_input
        if request.stream_type != StreamType.KINESIS.value or wanted is None:
            return original(self, request)
        arn = original(self, without_encryption_input(request))
        requested = self.sse.resolve_request(wanted, None)
        self.streams[request.name].encryption = self.sse.begin_on_create(requested)
        return arn


@deviant(
    "kinesis-source-puts-accepted",
    "SRC-10",
    evidence="succeeded; expected InvalidArgumentException",
)
def kinesis_source_puts_accepted(p: Patcher) -> None:
    """Direct puts to a Kinesis-sourced stream are answered with record ids (and dropped)."""
    drop_puts_to(p, lambda stream: stream.stream_type is StreamType.KINESIS)


# ---- Firehose: Direct PUT data at rest (SRC-09, SRC-11, SSE-06) ----------------------------------
def _spill(p: Patcher, keep: Any) -> None:
    """Make ``EnvelopeStore`` also keep, at rest, the plaintext of the records ``keep`` picks:
    ``keep(config, index_in_store) -> bool``."""

    @p.around(EnvelopeStore, "seal")
    def seal(original: Any, self: EnvelopeStore, config: Any, records: Any, now: float) -> Any:
        sealed = original(self, config, records, now)
        spill = self.__dict__.setdefault("spill", [])
        seen = self.__dict__.get("sealed_count", 0)
        for offset, (_, data) in enumerate(records):
            if keep(config, seen + offset):
                spill.append(data)
        self.__dict__["sealed_count"] = seen + len(records)
        return sealed

    @p.around(EnvelopeStore, "at_rest")
    def at_rest(original: Any, self: EnvelopeStore) -> list[bytes]:
        return original(self) + self.__dict__.get("spill", [])


@deviant("plaintext-copy-at-rest", "SRC-11", evidence="runs of record plaintext found at rest")
def plaintext_copy_at_rest(p: Patcher) -> None:
    """A debugging spool keeps each record's plaintext at rest beside its ciphertext."""
    _spill(p, lambda config, index: True)


@deviant(
    "plaintext-one-record-in-a-hundred",
    "SRC-11",
    evidence="runs of record plaintext found at rest",
)
def plaintext_one_record_in_a_hundred(p: Patcher) -> None:
    """The 100th record a stream stores (and every 100th after it) is stored in plaintext."""
    _spill(p, lambda config, index: index % 100 == 99)


@deviant(
    "plaintext-at-rest-under-sse",
    "SRC-09",
    "SSE-06",
    evidence="runs of record plaintext found at rest",
)
def plaintext_at_rest_under_sse(p: Patcher) -> None:
    """With SSE in effect the records are also kept in plaintext (the flag still says true)."""
    _spill(p, lambda config, index: config is not None)


# ---- Kinesis Data Streams, which the spec checks as Firehose's source (SRC-03..05) ---------------
@deviant("kinesis-reports-kms-without-encrypting", "SRC-03", evidence="EncryptionType values")
def kinesis_reports_kms_without_encrypting(p: Patcher) -> None:
    """With SSE on, Kinesis answers EncryptionType KMS to the producer but stores plaintext."""

    @p.around(KinesisModel, "put_records")
    def put(original: Any, self: KinesisModel, stream: Any, entries: Any, **options: Any) -> Any:
        key, stream.effective_key = stream.effective_key, None
        try:
            results, kind = original(self, stream, entries, **options)  # e.g. dry_run
        finally:
            stream.effective_key = key
        return results, (EncryptionType.KMS if key is not None else kind)


@deviant("kinesis-refuses-alias-arns", "SRC-04", evidence="InvalidArgumentException")
def kinesis_refuses_alias_arns(p: Patcher) -> None:
    """StartStreamEncryption refuses a key given as an alias ARN (only ids, key ARNs, names)."""

    @p.around(KinesisModel, "start_encryption")
    def start(original: Any, self: KinesisModel, stream: Any, kind: str, key_id: str) -> None:
        if key_id.startswith("arn:") and ":alias/" in key_id:
            raise AwsError("InvalidArgumentException", f"KeyId {key_id} is not a key ARN.")
        original(self, stream, kind, key_id)


@deviant("kinesis-encrypts-existing-records", "SRC-05", evidence="EncryptionType values")
def kinesis_encrypts_existing_records(p: Patcher) -> None:
    """Enabling SSE on a data stream also encrypts the records already in it."""

    @p.around(KinesisModel, "start_encryption")
    def start(original: Any, self: KinesisModel, stream: Any, kind: str, key_id: str) -> None:
        original(self, stream, kind, key_id)
        for shard in stream.shards:
            for record in shard.records:
                if record.envelope is not None:
                    continue
                data_key = self.kms.generate_data_key(
                    key_id,
                    caller=self._kms_caller(key_id, self.producer),
                    encryption_context=self._context(stream),
                )
                nonce, record.blob = kinesis_seal(
                    data_key.plaintext, record.blob, stream.arn, record.sequence_number
                )
                record.envelope = Envelope(data_key.ciphertext_blob, data_key.key_arn, nonce)


@deviant(
    "records-without-a-cmk-never-delivered",
    "KEY-05",
    "SRC-11",
    evidence="records missing",
)
def records_without_a_cmk_never_delivered(p: Patcher) -> None:
    """Records stored under the AWS owned key or without SSE fail their check at delivery."""

    @p.around(EnvelopeStore, "_unwrap")
    def unwrap(original: Any, self: EnvelopeStore, group: Any, attempt: Any) -> bytes:
        if group.cmk_arn is None:
            raise AwsError("InvalidCiphertextException", "The data key failed its integrity check.")
        return original(self, group, attempt)


# ---- conforming variants: Kinesis sources and Kinesis Data Streams, by their documents -----------
@conforming(
    "empty-first-getrecords-page",
    "SRC-03",
    "SRC-05",
    allowed_by="BC-KDS GetRecords: 'If there are no records available in the portion of the "
    "shard that the iterator points to, GetRecords returns an empty list. It might take multiple "
    "calls to get to a portion of the shard that contains records.'",
)
def empty_first_getrecords_page(p: Patcher) -> None:
    """GetRecords with a shard iterator fresh from GetShardIterator answers an empty page (with
    MillisBehindLatest above 0 when records are waiting); the next call reads them."""

    @p.around(KinesisApi, "get_shard_iterator")
    def iterator(original: Any, self: KinesisApi, params: dict[str, Any]) -> dict[str, Any]:
        answer = original(self, params)
        self.__dict__.setdefault("fresh_iterators", set()).add(answer["ShardIterator"])
        return answer

    @p.around(KinesisApi, "get_records")
    def records(original: Any, self: KinesisApi, params: dict[str, Any]) -> dict[str, Any]:
        token = params["ShardIterator"]
        fresh = self.__dict__.setdefault("fresh_iterators", set())
        if params.get("DryRun") or token not in fresh:
            return original(self, params)
        fresh.discard(token)
        now = self.model.clock.now()
        _, _, pending, _ = self.model._read(
            token, params.get("Limit", 10_000), params.get("StreamARN"), now
        )
        behind = max(1, round((now - pending[0].arrival) * 1000)) if pending else 0
        return {"Records": [], "NextShardIterator": token, "MillisBehindLatest": behind}


@conforming(
    "kinesis-encryption-applies-five-seconds-after-active",
    "SRC-01",
    "SRC-02",
    "SRC-03",
    "SRC-04",
    "SRC-05",
    "SRC-06",
    allowed_by="SRC-04, BC-KDS StartStreamEncryption: 'It can take up to 5 seconds after the "
    "stream is in an ACTIVE status before all records written to the stream are encrypted.'",
)
def kinesis_encryption_applies_five_seconds_after_active(p: Patcher) -> None:
    """Kinesis applies a new encryption setting to writes 5 s after the stream is ACTIVE again
    (records put in those 5 s are stored with EncryptionType NONE), where the reference applies
    it at ACTIVE."""

    @p.around(KinesisModel, "__init__")
    def init(original: Any, self: KinesisModel, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.encryption_lag_seconds = 5.0


@conforming(
    "kinesis-source-encryption-input-ignored",
    "SRC-08",
    allowed_by="AMB-04 (b): CreateDeliveryStream with a Kinesis source and an encryption input "
    "may be 'accepted, SSE input ignored, no EncCfg (as in EV-LS-KDS) or DISABLED'",
)
def kinesis_source_encryption_input_ignored(p: Patcher) -> None:
    """CreateDeliveryStream with a Kinesis source accepts an encryption input and ignores it:
    the stream has no SSE (and no EncCfg), where the reference refuses the call."""

    @p.around(FirehoseModel, "create")
    def create(original: Any, self: FirehoseModel, request: CreateRequest) -> str:
        if request.stream_type == StreamType.KINESIS.value and request.encryption_input:
            return original(self, without_encryption_input(request))
        return original(self, request)


@conforming(
    "sse-on-kinesis-source-refused-as-in-use",
    "SRC-08",
    allowed_by="AMB-03 (b): Start on a KinesisStreamAsSource stream may be refused with a "
    "synchronous ResourceInUseException ('prefer (a) and accept (b)'); the same question for "
    "Stop is unanswered",
)
def sse_on_kinesis_source_refused_as_in_use(p: Patcher) -> None:
    """Start and Stop on a Kinesis-sourced stream answer ResourceInUseException, where the
    reference answers InvalidArgumentException."""

    @p.around(SseController, "_common_checks")
    def checks(original: Any, self: SseController, stream: Any) -> EncryptionState:
        if stream.status is StreamStatus.ACTIVE and stream.stream_type is StreamType.KINESIS:
            raise AwsError(
                "ResourceInUseException",
                f"Firehose {stream.name} reads from a Kinesis data stream; its data at rest is "
                "encrypted by that stream.",
            )
        return original(self, stream)
