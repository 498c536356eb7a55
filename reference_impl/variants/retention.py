"""Deviants of the 24-hour wait for a broken key or destination, then discard (RET)."""

from __future__ import annotations

from typing import Any

from reference_impl.firehose.accounting import DiscardReason
from reference_impl.firehose.delivery import DeliveryPipeline
from reference_impl.firehose.model import FirehoseModel
from reference_impl.firehose.settings import HOUR
from reference_impl.variants.patching import Patcher
from reference_impl.variants.registry import deviant

MISSING = "records missing"
DELIVERED = "were delivered"


def _expire_with(p: Patcher, retention: Any) -> None:
    """Expire with ``retention(pipeline, records, reason, now) -> seconds | None`` in force."""

    @p.around(DeliveryPipeline, "_expire")
    def expire(original: Any, self: DeliveryPipeline, records: Any, reason: Any, now: float):
        saved = self.settings.retention_seconds
        self.settings.retention_seconds = retention(self, records, reason, now)
        try:
            return original(self, records, reason, now)
        finally:
            self.settings.retention_seconds = saved


@deviant("records-discarded-at-12-hours", "RET-01", evidence=MISSING)
def records_discarded_at_12_hours(p: Patcher) -> None:
    """Records that cannot be delivered are discarded after 12 hours instead of 24."""
    p.settings(retention_seconds=12 * HOUR)


@deviant("kms-failure-discards-at-once", "RET-01", "RET-05", evidence=MISSING)
def kms_failure_discards_at_once(p: Patcher) -> None:
    """Records whose key KMS refuses are discarded at the first failed delivery, without waiting."""

    def retention(pipeline: DeliveryPipeline, records: Any, reason: Any, now: float) -> Any:
        if reason is DiscardReason.KMS_FAILURE_PAST_RETENTION:
            return -1.0
        return pipeline.settings.retention_seconds

    _expire_with(p, retention)


@deviant("records-never-discarded", "RET-02", evidence=DELIVERED)
def records_never_discarded(p: Patcher) -> None:
    """Records that cannot be delivered are kept for ever (and delivered once the key works)."""
    p.settings(retention_seconds=10.0**9)


@deviant("whole-backlog-discarded", "RET-03", evidence=MISSING)
def whole_backlog_discarded(p: Patcher) -> None:
    """Once a waiting record passes 24 hours, every waiting record is discarded, young ones too."""

    def retention(pipeline: DeliveryPipeline, records: Any, reason: Any, now: float) -> Any:
        limit = pipeline.settings.retention_seconds
        if limit is not None and any(now - r.ingested_at > limit for r in records):
            return -1.0
        return limit

    _expire_with(p, retention)


@deviant("unreachable-destination-never-expires", "RET-04", evidence=DELIVERED)
def unreachable_destination_never_expires(p: Patcher) -> None:
    """Only KMS failures expire: records waiting for a missing bucket are kept for ever."""

    def retention(pipeline: DeliveryPipeline, records: Any, reason: Any, now: float) -> Any:
        if reason is DiscardReason.DESTINATION_UNREACHABLE_PAST_RETENTION:
            return None
        return pipeline.settings.retention_seconds

    _expire_with(p, retention)


@deviant("refused-put-drops-the-buffer", "RET-05", evidence=MISSING)
def refused_put_drops_the_buffer(p: Patcher) -> None:
    """A put that KMS refuses also throws away the records the stream already accepted."""

    @p.around(FirehoseModel, "_put_failure")
    def failure(original: Any, self: FirehoseModel, stream: Any, in_effect: Any, error: Any):
        answer = original(self, stream, in_effect, error)
        pipeline, now = stream.pipeline, self.clock.now()
        for record in pipeline.buffer + pipeline.backlog:
            pipeline.ledger.discard(record.record_id, now, DiscardReason.STREAM_DELETED)
            pipeline.store.release(record)
        pipeline.buffer, pipeline.buffer_bytes, pipeline.backlog = [], 0, []
        return answer
