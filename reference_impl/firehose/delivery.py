"""Buffer, flush and deliver to S3; retry failures; expire records past retention.

One ``DeliveryPipeline`` per stream. Records collect in a buffer that is flushed when it reaches
``BufferingHints.SizeInMBs`` or ``IntervalInSeconds`` after its first record. A flushed record joins
the backlog, which is attempted at once (or ``delivery_seconds`` later, the latency profile's write
to S3) and then every ``delivery_retry_seconds`` while anything is left. At each attempt every
backlog record is opened (decrypted) and the opened ones are written to S3. What cannot be opened (a
KMS failure, RET-01) or written (a missing bucket, RET-04) stays pending, unless it is older than
the retention period, measured per record from its ingestion (RET-03, AMB-14): then it is discarded
with the reason. No timer runs for a stream with nothing buffered, so idle streams cost nothing as
the clock advances.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reference_impl.clock import Timer, VirtualClock
from reference_impl.errors import AwsError
from reference_impl.firehose.accounting import DiscardReason, Ledger
from reference_impl.firehose.destination import S3Destination
from reference_impl.firehose.storage import OpenAttempt, RecordStore


@dataclass
class PipelineSettings:
    retry_seconds: float
    # RET-04: DirectPut records are kept 24 h from ingestion. None for a Kinesis source, whose
    # undelivered data is kept by the data stream, not by Firehose (SRC-07).
    retention_seconds: float | None
    # From a flush to its delivery attempt (the latency profile's write to S3); 0: at once.
    delivery_seconds: float = 0.0


class DeliveryPipeline:
    def __init__(
        self,
        *,
        clock: VirtualClock,
        stream_name: str,
        destination: S3Destination,
        s3: Any,
        store: RecordStore,
        ledger: Ledger,
        settings: PipelineSettings,
        new_id: Callable[[], str],
        on_kms_failure: Callable[[AwsError], None],
        on_resolved: Callable[[], None],
    ) -> None:
        self.clock = clock
        self.stream_name = stream_name
        self.destination = destination
        self.s3 = s3
        self.store = store
        self.ledger = ledger
        self.settings = settings
        self.new_id = new_id
        self.on_kms_failure = on_kms_failure
        self.on_resolved = on_resolved
        self.buffer: list[Any] = []
        self.buffer_bytes = 0
        self.backlog: list[Any] = []
        self._flush_timer: Timer | None = None
        self._retry_timer: Timer | None = None
        self._delivery_timer: Timer | None = None
        self.closed = False
        self._bucket_arn: str | None = None
        self._bucket_name = ""

    # -- buffering ---------------------------------------------------------------------------
    def add(self, records: list[Any]) -> None:
        if self.closed or not records:
            return
        if not self.buffer:
            self._flush_timer = self.clock.call_later(
                self.destination.interval_seconds, self.flush, f"firehose flush {self.stream_name}"
            )
        self.buffer.extend(records)
        self.buffer_bytes += sum(record.size for record in records)
        if self.buffer_bytes >= self.destination.size_bytes:
            self.flush()

    def flush(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        if self.closed or not self.buffer:
            return
        self.backlog.extend(self.buffer)
        self.buffer, self.buffer_bytes = [], 0
        delay = self.settings.delivery_seconds
        if delay <= 0:
            self.attempt()
        elif self._delivery_timer is None:  # one pending attempt takes the whole backlog
            self._delivery_timer = self.clock.call_later(
                delay, self._deliver, f"firehose deliver {self.stream_name}"
            )

    def _deliver(self) -> None:
        self._delivery_timer = None
        self.attempt()

    # -- delivery ---------------------------------------------------------------------------
    def attempt(self) -> None:
        self._retry_timer = None
        if self.closed or not self.backlog:
            return
        now = self.clock.now()
        opening = OpenAttempt()
        opened, unopened = self.store.open_all(self.backlog, opening)
        if opening.failures:
            for error in opening.failures.values():  # MET-03..06: once per key per attempt
                self.on_kms_failure(error)
        undelivered = self._write(opened, now)
        kept: set[int] = set()
        if unopened:
            kept = self._expire(unopened, DiscardReason.KMS_FAILURE_PAST_RETENTION, now)
        if undelivered:
            kept |= self._expire(
                undelivered, DiscardReason.DESTINATION_UNREACHABLE_PAST_RETENTION, now
            )
        resolved = len(self.backlog) - len(kept)
        self.backlog = [record for record in self.backlog if id(record) in kept] if kept else []
        if resolved:
            self.on_resolved()
        if self.backlog and not self.closed:
            self._retry_timer = self.clock.call_later(
                self.settings.retry_seconds, self.attempt, f"firehose retry {self.stream_name}"
            )

    def _write(self, opened: list[tuple[Any, bytes]], now: float) -> list[Any]:
        """Write the opened records as objects of at most the buffer size; return the unwritten."""
        arn = self.destination.bucket_arn
        if arn != self._bucket_arn:  # the bucket's name, parsed once per bucket ARN
            self._bucket_name = self.s3.bucket_name_from_arn(arn)
            self._bucket_arn = arn
        if not opened:
            return []
        body = b"".join([data for _, data in opened])
        if len(body) <= self.destination.size_bytes:  # the usual case: one object
            return self._put(opened, body, now)
        undelivered: list[Any] = []
        for chunk in self._chunks(opened):
            undelivered += self._put(chunk, b"".join([data for _, data in chunk]), now)
        return undelivered

    def _put(self, chunk: list[tuple[Any, bytes]], body: bytes, now: float) -> list[Any]:
        """Write one object of these records; return them if it could not be written."""
        bucket = self._bucket_name
        key = self.destination.object_key(
            self.stream_name, min([record.ingested_at for record, _ in chunk]), self.new_id()
        )
        try:
            self.s3.put_object(bucket, key, body)
        except AwsError:  # e.g. NoSuchBucket: the destination is unreachable (RET-04)
            return [record for record, _ in chunk]
        self.ledger.deliver_object(chunk, now, bucket, key)
        self.store.release_all([record for record, _ in chunk])
        return []

    def _chunks(self, opened: list[tuple[Any, bytes]]) -> list[list[tuple[Any, bytes]]]:
        limit = self.destination.size_bytes
        chunks: list[list[tuple[Any, bytes]]] = []
        size = 0
        for item in opened:
            if not chunks or (size + len(item[1]) > limit and chunks[-1]):
                chunks.append([])
                size = 0
            chunks[-1].append(item)
            size += len(item[1])
        return chunks

    def _expire(self, records: list[Any], reason: DiscardReason, now: float) -> set[int]:
        """Discard the records past retention; return the ids of those kept pending."""
        retention = self.settings.retention_seconds
        kept: set[int] = set()
        for record in records:
            if retention is not None and now - record.ingested_at > retention:
                self.ledger.discard(record.record_id, now, reason)
                self.store.release(record)
            else:
                kept.add(id(record))
        return kept

    # -- teardown ----------------------------------------------------------------------------
    def discard_all(self, reason: DiscardReason) -> None:
        """The stream is being deleted: every record it still holds is discarded."""
        now = self.clock.now()
        for timer in (self._flush_timer, self._retry_timer, self._delivery_timer):
            if timer is not None:
                timer.cancel()
        self._flush_timer = self._retry_timer = self._delivery_timer = None
        for record in self.backlog + self.buffer:
            self.ledger.discard(record.record_id, now, reason)
            self.store.release(record)
        self.buffer, self.buffer_bytes, self.backlog = [], 0, []
        self.closed = True
        self.on_resolved()

    def pending(self) -> int:
        return len(self.buffer) + len(self.backlog)
