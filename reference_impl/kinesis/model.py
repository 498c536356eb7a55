"""Kinesis Data Streams: streams, shards, records at rest under SSE, and the reader Firehose uses.

Timings (all on the virtual clock, all instance attributes so a test can change them):
- ``create_seconds`` (1 s): CreateStream leaves the stream CREATING that long, then ACTIVE. Reads
  and writes are already accepted while CREATING (BC-KDS only advises ACTIVE streams for them).
- ``transition_seconds`` (1 s): StartStreamEncryption / StopStreamEncryption keep the stream
  UPDATING that long (SRC-04: "normally takes a few seconds").
- ``encryption_lag_seconds`` (0 s): how long after ACTIVE the new encryption setting applies to
  writes. SRC-04 allows up to 5 s; the reference applies it at once, a point inside that bound.
- ``delete_seconds`` (1 s): DeleteStream leaves the stream DELETING that long, then removes it.

Record distribution (``RecordDistributionStrategy``): USER_PARTITION_KEY (the default) places a
record by the MD5 of its partition key, or by its ExplicitHashKey; AUTO (on-demand streams only)
ignores both and deals records to the shards in turn, which spreads them evenly.

DryRun ("Checks if your request will succeed", PutRecord, PutRecords, GetShardIterator,
GetRecords): the request runs every check the real call would (the stream, the arguments, the
KMS key through ``check_usable``) and then answers DryRunOperationException ("The request was
rejected because the DryRun parameter was specified") instead of storing, reading or decrypting
anything. A request that would fail answers that failure, as KMS's DryRun does. The dry runs are
methods of their own (``dry_run_put``, ``dry_run_shard_iterator``, ``dry_run_get_records``), so the
real calls keep their signatures.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from cryptography.exceptions import InvalidTag

from reference_impl.arns import arn
from reference_impl.clock import VirtualClock
from reference_impl.errors import AwsError
from reference_impl.kinesis import sequence as seq
from reference_impl.kinesis.envelope import open_sealed, seal
from reference_impl.kinesis.iterators import ShardIterator
from reference_impl.kinesis.kms_crosswalk import as_kinesis_error
from reference_impl.kinesis.streams import (
    EncryptionType,
    Envelope,
    KinesisRecord,
    RecordDistribution,
    Shard,
    StoredRecord,
    Stream,
    StreamMode,
    StreamStatus,
)
from reference_impl.principals import KINESIS_PRINCIPAL, account_root

HOUR = 3600.0
MIN_RETENTION_HOURS = 24
MAX_RETENTION_HOURS = 8760
ON_DEMAND_SHARDS = 4
GET_RECORDS_MAX_BYTES = 10 * 1024 * 1024
MAX_GET_RECORDS = 10_000
# KDS quotas: 500 shards per account in us-east-1, us-west-2 and eu-west-1, 200 elsewhere.
LARGE_SHARD_QUOTA_REGIONS = frozenset({"us-east-1", "us-west-2", "eu-west-1"})


def invalid_argument(message: str) -> AwsError:
    return AwsError("InvalidArgumentException", message)


def dry_run_error() -> AwsError:
    return AwsError(
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun parameter was specified.",
    )


@dataclass(frozen=True)
class PutEntry:
    data: bytes
    partition_key: str | None  # optional on the wire; required unless the stream is AUTO
    explicit_hash_key: str | None = None

    @property
    def size(self) -> int:
        """What counts against the record size limit: the data plus the partition key."""
        return len(self.data) + len((self.partition_key or "").encode("utf-8"))


@dataclass(frozen=True)
class PutResult:
    shard_id: str
    sequence_number: str


@dataclass(frozen=True)
class ReadResult:
    records: list[tuple[StoredRecord, bytes]]
    next_iterator: str
    millis_behind: int


class KinesisModel:
    def __init__(self, clock: VirtualClock, account_id: str, region: str, kms: object) -> None:
        self.clock = clock
        self.account_id = account_id
        self.region = region
        self.kms = kms
        self.streams: dict[str, Stream] = {}
        self.create_seconds = 1.0
        self.transition_seconds = 1.0
        self.encryption_lag_seconds = 0.0
        self.delete_seconds = 1.0
        # SRC-04: "25 times in a rolling 24-hour period" (and the same for disabling).
        self.key_application_limit = 25
        self.limit_window_seconds = 24 * HOUR
        self.shard_quota = 500 if region in LARGE_SHARD_QUOTA_REGIONS else 200

    # -- identity ------------------------------------------------------------------------

    @property
    def producer(self) -> str:
        """Who KMS sees for API callers: the account's one identity (principals.py)."""
        return account_root(self.account_id)

    def stream_arn(self, name: str) -> str:
        return arn("kinesis", self.region, self.account_id, f"stream/{name}")

    def _not_found(self, name: str) -> AwsError:
        return AwsError(
            "ResourceNotFoundException",
            f"Stream {name} under account {self.account_id} not found.",
        )

    def _name_from_arn(self, arn: str) -> str:
        prefix = self.stream_arn("")
        if not arn.startswith(prefix) or len(arn) == len(prefix):
            # Another account, Region or partition: no stream of ours.
            raise AwsError("ResourceNotFoundException", f"Stream {arn} not found.")
        return arn[len(prefix) :]

    def get(self, name: str | None = None, arn: str | None = None) -> Stream:
        """The stream named by StreamName and/or StreamARN (BC-KDS: "either ... or both")."""
        if name is None and arn is None:
            raise invalid_argument("Either StreamName or StreamARN must be provided.")
        if arn is not None:
            from_arn = self._name_from_arn(arn)
            if name is not None and name != from_arn:
                raise invalid_argument(
                    f"StreamARN {arn} and StreamName {name} do not refer to the same stream."
                )
            name = from_arn
        assert name is not None
        stream = self.streams.get(name)
        if stream is None:
            raise self._not_found(name)
        self._trim(stream)
        return stream

    # -- lifecycle -----------------------------------------------------------------------

    def create_stream(
        self,
        name: str,
        *,
        shard_count: int | None,
        mode: StreamMode | None,
        max_record_kib: int = 1024,
        distribution: RecordDistribution | None = None,
    ) -> Stream:
        if mode is StreamMode.ON_DEMAND and shard_count is not None:
            raise invalid_argument("ShardCount cannot be specified for an ON_DEMAND stream.")
        if mode is StreamMode.PROVISIONED and shard_count is None:
            raise invalid_argument("ShardCount is required for a PROVISIONED stream.")
        if mode is None:
            # BC-KDS CreateStream: without ShardCount the stream is on-demand; with it, provisioned.
            mode = StreamMode.PROVISIONED if shard_count is not None else StreamMode.ON_DEMAND
        if distribution is RecordDistribution.AUTO and mode is not StreamMode.ON_DEMAND:
            # CreateStream doc: "The record distribution strategy is only supported for streams
            # that use the on-demand capacity mode"; UpdateStreamRecordDistributionStrategy doc:
            # "Attempting to set AUTO on a provisioned stream results in an
            # InvalidArgumentException". An explicit USER_PARTITION_KEY names what every
            # provisioned stream does anyway, so the reference accepts it.
            raise invalid_argument(
                "RecordDistributionStrategy AUTO is supported only for streams in the ON_DEMAND "
                "capacity mode."
            )
        count = shard_count if shard_count is not None else ON_DEMAND_SHARDS
        if name in self.streams:
            raise AwsError(
                "ResourceInUseException",
                f"Stream {name} under account {self.account_id} already exists.",
            )
        in_use = sum(len(s.shards) for s in self.streams.values())
        if in_use + count > self.shard_quota:
            raise AwsError(
                "LimitExceededException",
                f"This request would exceed the shard limit for the account {self.account_id} in "
                f"{self.region}. Current shard count for the account: {in_use}. Limit: "
                f"{self.shard_quota}. Number of additional shards that would have resulted from "
                f"this request: {count}.",
            )
        shards = [
            Shard(seq.shard_id(i), i, low, high, seq.sequence_number(0, i))
            for i, (low, high) in enumerate(seq.hash_ranges(count))
        ]
        stream = Stream(
            name=name,
            arn=self.stream_arn(name),
            incarnation=uuid.uuid4().hex,
            created=self.clock.now(),
            mode=mode,
            shards=shards,
            max_record_kib=max_record_kib,
            distribution=distribution or RecordDistribution.USER_PARTITION_KEY,
        )
        self.streams[name] = stream
        self._after(stream, self.create_seconds, lambda: self._become_active(stream), "created")
        return stream

    def delete_stream(self, stream: Stream) -> None:
        if stream.status is not StreamStatus.ACTIVE:
            raise self._in_use(stream, "deleted")
        stream.cancel_timers()
        stream.status = StreamStatus.DELETING
        self._after(stream, self.delete_seconds, lambda: self._remove(stream), "deleted")

    def _remove(self, stream: Stream) -> None:
        if self.streams.get(stream.name) is stream:
            del self.streams[stream.name]

    def set_distribution(self, stream: Stream, distribution: RecordDistribution) -> None:
        """UpdateStreamRecordDistributionStrategy: "only supported for data streams that use the
        on-demand capacity mode"; the change "takes effect immediately", with no UPDATING."""
        if stream.mode is not StreamMode.ON_DEMAND:
            raise invalid_argument(
                f"Stream {stream.name} under account {self.account_id} uses the "
                f"{stream.mode} capacity mode; the record distribution strategy can be set "
                "only on ON_DEMAND streams."
            )
        if stream.status is not StreamStatus.ACTIVE:
            raise self._in_use(stream, "updated")
        stream.distribution = distribution

    def list_streams(self) -> list[Stream]:
        for stream in self.streams.values():
            self._trim(stream)
        return sorted(self.streams.values(), key=lambda s: s.name)

    def _become_active(self, stream: Stream) -> None:
        if stream.status in (StreamStatus.CREATING, StreamStatus.UPDATING):
            stream.status = StreamStatus.ACTIVE

    def _after(self, stream: Stream, delay: float, action: Callable[[], None], what: str) -> None:
        label = f"kinesis {stream.name} {what}"
        if delay <= 0:
            action()
            return
        stream.timers.append(self.clock.call_later(delay, action, label))

    def _in_use(self, stream: Stream, doing: str) -> AwsError:
        return AwsError(
            "ResourceInUseException",
            f"Stream {stream.name} under account {self.account_id} not ACTIVE, instead in "
            f"state {stream.status}; it cannot be {doing} now.",
        )

    # -- retention (SRC-07) --------------------------------------------------------------

    def set_retention(self, stream: Stream, hours: int, *, increase: bool) -> None:
        if stream.status is not StreamStatus.ACTIVE:
            raise self._in_use(stream, "updated")
        if hours < MIN_RETENTION_HOURS:
            raise invalid_argument(
                f"Minimum allowed retention period is {MIN_RETENTION_HOURS} hours. Requested "
                f"retention period ({hours} hours) is too short."
            )
        if hours > MAX_RETENTION_HOURS:
            raise invalid_argument(
                f"Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested "
                f"retention period ({hours} hours) is too long."
            )
        current = stream.retention_hours
        if increase and hours < current:
            raise invalid_argument(
                f"Requested retention period ({hours} hours) for stream {stream.name} can not be "
                f"shorter than existing retention period ({current} hours). Use "
                "DecreaseRetentionPeriod API."
            )
        if not increase and hours > current:
            raise invalid_argument(
                f"Requested retention period ({hours} hours) for stream {stream.name} can not be "
                f"longer than existing retention period ({current} hours). Use "
                "IncreaseRetentionPeriod API."
            )
        self._trim(stream)  # what expired under the old period stays expired (BC-KDS)
        stream.retention_hours = hours
        self._trim(stream)

    def _trim(self, stream: Stream) -> None:
        """Drop records older than the retention period, from reads and from storage.

        SRC-07: a record is accessible from its arrival for exactly RetentionPeriodHours, i.e.
        during [arrival, arrival + retention). Trimming is done on every access (and in
        ``at_rest``), which is exact because retention changes trim first.
        """
        horizon = self.clock.now() - stream.retention_hours * HOUR
        for shard in stream.shards:
            keep = 0
            while keep < len(shard.records) and shard.records[keep].arrival <= horizon:
                keep += 1
            if keep:
                del shard.records[:keep]

    # -- server-side encryption (SRC-03, SRC-04, SRC-05) ---------------------------------

    def start_encryption(self, stream: Stream, encryption_type: str, key_id: str) -> None:
        if encryption_type != EncryptionType.KMS:
            raise invalid_argument("EncryptionType must be KMS; the only valid value is KMS.")
        if stream.status is not StreamStatus.ACTIVE:
            raise self._in_use(stream, "updated")
        # SRC-04 "apply a new KMS key ... 25 times in a rolling 24-hour period": the reference
        # counts every accepted Start, the same key again included; refused Starts do not count.
        self._within_limit(stream.key_applications, "apply a new KMS key to")
        self.check_key(key_id)
        stream.key_applications.append(self.clock.now())
        stream.encryption_type = EncryptionType.KMS
        stream.key_id = key_id
        self._update(stream, key_id)

    def stop_encryption(self, stream: Stream, encryption_type: str, key_id: str) -> None:
        # The KeyId of Stop is required by the API but not compared with the stream's key:
        # BC-KDS does not say it must match.
        if encryption_type != EncryptionType.KMS:
            raise invalid_argument("EncryptionType must be KMS; the only valid value is KMS.")
        if stream.status is not StreamStatus.ACTIVE:
            raise self._in_use(stream, "updated")
        if stream.encryption_type is EncryptionType.NONE:
            # Undocumented: the reference refuses to stop what is not on, and changes nothing.
            raise invalid_argument(f"Stream {stream.name} is not encrypted.")
        self._within_limit(stream.disables, "disable encryption on")
        stream.disables.append(self.clock.now())
        stream.encryption_type = EncryptionType.NONE
        stream.key_id = None
        self._update(stream, None)

    def check_key(self, key_id: str) -> None:
        """Validate the key synchronously as the producer would use it (GenerateDataKey)."""
        try:
            self.kms.check_usable(  # type: ignore[attr-defined]
                key_id, caller=self._kms_caller(key_id, self.producer), operation="GenerateDataKey"
            )
        except AwsError as error:
            raise as_kinesis_error(error) from None

    def _kms_caller(self, key_id: str, caller: str) -> str:
        """Who KMS sees when KDS uses ``key_id`` for ``caller``.

        KDS calls KMS for its producers and consumers, so KMS sees them, with kms:ViaService
        "kinesis.<region>.amazonaws.com". The AWS managed key (alias/aws/kinesis) admits callers
        only through that condition, and the reference KMS sets it only for the service
        principal, so for an AWS managed key KDS calls as kinesis.amazonaws.com.
        """
        try:
            key = self.kms.resolve(key_id)  # type: ignore[attr-defined]
        except AwsError:
            return caller  # the real call raises the same error
        return KINESIS_PRINCIPAL if str(getattr(key, "manager", "")) == "AWS" else caller

    def _within_limit(self, history: deque[float], what: str) -> None:
        horizon = self.clock.now() - self.limit_window_seconds
        while history and history[0] <= horizon:
            history.popleft()
        if len(history) >= self.key_application_limit:
            raise AwsError(
                "LimitExceededException",
                f"You can {what} a stream at most {self.key_application_limit} times in a "
                "rolling 24-hour period.",
            )

    def _update(self, stream: Stream, new_key: str | None) -> None:
        """UPDATING now; ACTIVE after the transition; new writes follow the new key after that.

        Until then, writes keep the encryption in effect before (SRC-05: only records written
        after encryption is in effect are encrypted).
        """
        stream.status = StreamStatus.UPDATING
        stream.cancel_timers()

        def apply() -> None:
            stream.effective_key = new_key

        def finish() -> None:
            self._become_active(stream)
            self._after(stream, self.encryption_lag_seconds, apply, "encryption applies")

        self._after(stream, self.transition_seconds, finish, "updated")

    # -- writing -------------------------------------------------------------------------

    def put_records(
        self, stream: Stream, entries: list[PutEntry]
    ) -> tuple[list[PutResult], EncryptionType]:
        """Store records; one data key per call when encryption is in effect (SRC-03)."""
        targets = self._place(stream, entries)
        key_id = stream.effective_key
        data_key = None
        if key_id is not None:
            try:
                data_key = self.kms.generate_data_key(  # type: ignore[attr-defined]
                    key_id,
                    caller=self._kms_caller(key_id, self.producer),
                    encryption_context=self._context(stream),
                )
            except AwsError as error:
                raise as_kinesis_error(error) from None
        now = self.clock.now()
        results = []
        for entry, shard in zip(entries, targets, strict=True):
            stream.last_counter += 1
            number = seq.sequence_number(stream.last_counter, shard.index)
            record = StoredRecord(stream.last_counter, number, entry.partition_key, now, entry.data)
            if data_key is not None:
                nonce, record.blob = seal(data_key.plaintext, entry.data, stream.arn, number)
                record.envelope = Envelope(data_key.ciphertext_blob, data_key.key_arn, nonce)
            shard.records.append(record)
            results.append(PutResult(shard.shard_id, number))
        kind = EncryptionType.NONE if data_key is None else EncryptionType.KMS
        return results, kind

    def dry_run_put(self, stream: Stream, entries: list[PutEntry]) -> NoReturn:
        """PutRecord(s) with DryRun: every check ``put_records`` makes, then DryRunOperation;
        no record is stored, no sequence number used, no data key generated."""
        for entry in entries:
            self._check_entry(stream, entry)
        if stream.distribution is not RecordDistribution.AUTO:
            for entry in entries:
                self._shard_for(stream, entry)  # an ExplicitHashKey out of range
        if stream.effective_key is not None:
            self._check_usable(stream, stream.effective_key, self.producer, "GenerateDataKey")
        raise dry_run_error()

    def _place(self, stream: Stream, entries: list[PutEntry]) -> list[Shard]:
        """Check each entry; the shard each one goes to."""
        for entry in entries:
            self._check_entry(stream, entry)
        if stream.distribution is RecordDistribution.AUTO:
            return [self._next_auto_shard(stream) for _ in entries]
        return [self._shard_for(stream, entry) for entry in entries]

    def _check_entry(self, stream: Stream, entry: PutEntry) -> None:
        self._require_partition_key(stream, entry)
        limit = stream.max_record_kib * 1024
        if entry.size > limit:
            raise invalid_argument(
                f"Record size {entry.size} bytes (data plus partition key) exceeds the "
                f"maximum record size of {limit} bytes for stream {stream.name}."
            )

    def _require_partition_key(self, stream: Stream, entry: PutEntry) -> None:
        """PartitionKey doc: "If the stream uses the USER_PARTITION_KEY record distribution
        strategy (the default), a partition key is required."

        The member is optional in the model, so this is a service rule, and the reference answers
        InvalidArgumentException: it is the modelled error of PutRecord and PutRecords for "A
        specified parameter exceeds its restrictions, is not supported, or can't be used" (their
        error lists do not include ValidationException), and Kinesis's other record checks (size,
        ExplicitHashKey range) answer it too.
        """
        if entry.partition_key is None and stream.distribution is not RecordDistribution.AUTO:
            raise invalid_argument(
                f"PartitionKey is required: stream {stream.name} under account "
                f"{self.account_id} uses the USER_PARTITION_KEY record distribution strategy."
            )

    def _shard_for(self, stream: Stream, entry: PutEntry) -> Shard:
        if entry.explicit_hash_key is not None:
            hash_key = seq.explicit_hash(entry.explicit_hash_key)
        else:
            assert entry.partition_key is not None  # _require_partition_key
            hash_key = seq.partition_hash(entry.partition_key)
        return next(shard for shard in stream.shards if shard.owns(hash_key))

    def _next_auto_shard(self, stream: Stream) -> Shard:
        """AUTO: "distributes records evenly across shards" - here, the shards in turn."""
        shard = stream.shards[stream.next_auto_shard % len(stream.shards)]
        stream.next_auto_shard += 1
        return shard

    def _check_usable(self, stream: Stream, key_id: str, caller: str, operation: str) -> None:
        """A dry run's KMS check: what the real call's KMS request would raise, as KDS's error."""
        try:
            self.kms.check_usable(  # type: ignore[attr-defined]
                key_id,
                caller=self._kms_caller(key_id, caller),
                operation=operation,
                encryption_context=self._context(stream),
            )
        except AwsError as error:
            raise as_kinesis_error(error) from None

    def _context(self, stream: Stream) -> dict[str, str]:
        """KDS's encryption context for data keys: the stream ARN."""
        return {"aws:kinesis:arn": stream.arn}

    # -- reading -------------------------------------------------------------------------

    def shard(self, stream: Stream, shard_id: str) -> Shard:
        for shard in stream.shards:
            if shard.shard_id == shard_id:
                return shard
        raise AwsError(
            "ResourceNotFoundException",
            f"Shard {shard_id} in stream {stream.name} under account {self.account_id} does "
            "not exist",
        )

    def shard_iterator(
        self,
        stream: Stream,
        shard_id: str,
        kind: str,
        *,
        sequence_number: str | None = None,
        timestamp: float | None = None,
    ) -> str:
        """A shard iterator; GetShardIterator with DryRun calls ``dry_run_shard_iterator``."""
        return self._iterator(stream, shard_id, kind, sequence_number, timestamp).encode()

    def dry_run_shard_iterator(
        self,
        stream: Stream,
        shard_id: str,
        kind: str,
        *,
        sequence_number: str | None = None,
        timestamp: float | None = None,
    ) -> NoReturn:
        self._iterator(stream, shard_id, kind, sequence_number, timestamp)
        raise dry_run_error()

    def _iterator(
        self,
        stream: Stream,
        shard_id: str,
        kind: str,
        sequence_number: str | None,
        timestamp: float | None,
    ) -> ShardIterator:
        shard = self.shard(stream, shard_id)
        if kind == "TRIM_HORIZON":
            after = 0
        elif kind == "LATEST":
            after = stream.last_counter
        elif kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            counter = self._counter_of(stream, shard, kind, sequence_number)
            after = counter - 1 if kind == "AT_SEQUENCE_NUMBER" else counter
        elif kind == "AT_TIMESTAMP":
            if timestamp is None:
                raise invalid_argument("Must specify timestamp for AT_TIMESTAMP iterator type.")
            later = [r.counter for r in shard.records if r.arrival >= timestamp]
            after = later[0] - 1 if later else stream.last_counter
        else:  # the enum is checked by the protocol layer; kept as a guard
            raise invalid_argument(f"Unknown ShardIteratorType {kind}.")
        return ShardIterator(stream.incarnation, stream.name, shard.index, after, self.clock.now())

    def _counter_of(self, stream: Stream, shard: Shard, kind: str, number: str | None) -> int:
        if number is None:
            raise invalid_argument(f"Must specify StartingSequenceNumber for {kind} iterator type.")
        parsed = seq.parse_sequence_number(number)
        if parsed is None or parsed[1] != shard.index or parsed[0] > stream.last_counter:
            raise invalid_argument(
                f"StartingSequenceNumber {number} used in GetShardIterator on shard "
                f"{shard.shard_id} in stream {stream.name} under account {self.account_id} is "
                "invalid because it did not come from this stream."
            )
        return parsed[0]

    def get_records(self, token: str, limit: int, stream_arn: str | None = None) -> ReadResult:
        now = self.clock.now()
        stream, iterator, pending, chosen = self._read(token, limit, stream_arn, now)
        plaintexts = self._open(stream, chosen, self.producer)  # SRC-06: fails as a whole
        after = chosen[-1].counter if chosen else iterator.after
        rest = pending[len(chosen) :]
        behind = round((now - rest[0].arrival) * 1000) if rest else 0
        next_iterator = ShardIterator(
            stream.incarnation, stream.name, iterator.shard_index, after, now
        )
        return ReadResult(
            list(zip(chosen, plaintexts, strict=True)), next_iterator.encode(), max(behind, 0)
        )

    def dry_run_get_records(
        self, token: str, limit: int, stream_arn: str | None = None
    ) -> NoReturn:
        """GetRecords with DryRun: the read's checks and the KMS checks of the Decrypts it would
        make (``check_usable``), then DryRunOperation; nothing is decrypted or returned."""
        stream, _, _, chosen = self._read(token, limit, stream_arn, self.clock.now())
        for key_arn in dict.fromkeys(r.envelope.key_arn for r in chosen if r.envelope):
            self._check_usable(stream, key_arn, self.producer, "Decrypt")
        raise dry_run_error()

    def _read(
        self, token: str, limit: int, stream_arn: str | None, now: float
    ) -> tuple[Stream, ShardIterator, list[StoredRecord], list[StoredRecord]]:
        """The stream an iterator reads, the iterator, the records after it in its shard, and
        those one call returns (at most ``limit``, within GET_RECORDS_MAX_BYTES)."""
        iterator = ShardIterator.decode(token, now)
        stream = self.streams.get(iterator.stream_name)
        if stream is None or stream.incarnation != iterator.incarnation:
            raise self._not_found(iterator.stream_name)
        if stream_arn is not None and stream_arn != stream.arn:
            raise invalid_argument("The shard iterator does not belong to the given StreamARN.")
        if not 0 <= iterator.shard_index < len(stream.shards):
            raise invalid_argument("Invalid ShardIterator.")
        self._trim(stream)
        shard = stream.shards[iterator.shard_index]
        pending = [r for r in shard.records if r.counter > iterator.after]
        chosen: list[StoredRecord] = []
        size = 0
        for record in pending[: min(limit, MAX_GET_RECORDS)]:
            size += len(record.blob)
            if chosen and size > GET_RECORDS_MAX_BYTES:
                break
            chosen.append(record)
        return stream, iterator, pending, chosen

    def _open(self, stream: Stream, records: list[StoredRecord], caller: str) -> list[bytes]:
        """Decrypt through KMS as ``caller``; one Decrypt per data key within this call."""
        keys: dict[bytes, bytes] = {}
        plaintexts = []
        for record in records:
            envelope = record.envelope
            if envelope is None:
                plaintexts.append(record.blob)
                continue
            data_key = keys.get(envelope.wrapped_key)
            if data_key is None:
                try:
                    data_key, _ = self.kms.decrypt(  # type: ignore[attr-defined]
                        envelope.wrapped_key,
                        caller=self._kms_caller(envelope.key_arn, caller),
                        key_id=envelope.key_arn,
                        encryption_context=self._context(stream),
                    )
                except AwsError as error:
                    raise as_kinesis_error(error) from None
                keys[envelope.wrapped_key] = data_key
            try:
                plaintexts.append(
                    open_sealed(
                        data_key, envelope.nonce, record.blob, stream.arn, record.sequence_number
                    )
                )
            except InvalidTag:
                raise AwsError(
                    "InternalFailureException", "A stored record failed its integrity check.", 500
                ) from None
        return plaintexts

    # -- the Python interface Firehose's Kinesis-source reader uses ----------------------

    def describe_by_arn(self, arn: str) -> Stream:
        """The stream (``.name``, ``.arn``, ``.status``, ``.encryption_type``, ``.key_id``)."""
        return self.get(arn=arn)

    def read_for_consumer(
        self, stream_arn: str, consumer: str, *, caller: str, limit: int = MAX_GET_RECORDS
    ) -> list[KinesisRecord]:
        """Records not yet handed to ``consumer``, in arrival order, decrypted as ``caller``.

        A KMS failure raises the KDS exception (KMSAccessDeniedException, ...) and leaves the
        consumer's checkpoint where it was (SRC-06). Records past retention are simply gone.
        """
        stream = self.get(arn=stream_arn)
        checkpoint = stream.checkpoints.get(consumer, 0)
        pending = [r for r in stream.records_in_order() if r.counter > checkpoint][:limit]
        plaintexts = self._open(stream, pending, caller)
        if pending:
            stream.checkpoints[consumer] = pending[-1].counter
        return [
            KinesisRecord(data, r.sequence_number, r.arrival, r.partition_key, r.encryption_type)
            for r, data in zip(pending, plaintexts, strict=True)
        ]

    def at_rest(self) -> dict[str, list[bytes]]:
        """{stream ARN: bytes held per record}: ciphertext plus wrapped key, or plaintext."""
        held = {}
        for stream in self.list_streams():
            held[stream.arn] = [record.at_rest() for record in stream.records_in_order()]
        return held
