"""Reading a Kinesis data stream source: poll, buffer in memory, deliver (SRC-01, SRC-02, SRC-07).

Firehose reads as its own consumer (the delivery stream ARN) with the source role. Records go to
memory only, never to Firehose storage at rest. A KMS error from Kinesis (the source role cannot
decrypt, SRC-06) leaves the data in the data stream and is retried at the next poll; no KMSKey*
metric is counted for it, as none is documented for this path (AMB-15). While a delivery backlog
is waiting (e.g. a missing bucket), Firehose stops reading, so the undelivered data stays in the
data stream under the data stream's retention, not Firehose's 24 hours (SRC-07).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_impl.clock import Timer, VirtualClock
from reference_impl.errors import AwsError
from reference_impl.firehose.accounting import Ledger
from reference_impl.firehose.delivery import DeliveryPipeline
from reference_impl.firehose.storage import MemoryRecord


class KinesisPoller:
    def __init__(
        self,
        *,
        clock: VirtualClock,
        kinesis: Any,
        source_arn: str,
        consumer: str,
        role_arn: str,
        pipeline: DeliveryPipeline,
        ledger: Ledger,
        new_id: Callable[[], str],
        interval: float,
        limit: int,
    ) -> None:
        self.clock = clock
        self.kinesis = kinesis
        self.source_arn = source_arn
        self.consumer = consumer
        self.role_arn = role_arn
        self.pipeline = pipeline
        self.ledger = ledger
        self.new_id = new_id
        self.interval = interval
        self.limit = limit
        self.last_error: AwsError | None = None
        self._timer: Timer | None = None

    def start(self) -> None:
        self._schedule()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _schedule(self) -> None:
        self._timer = self.clock.call_later(
            self.interval, self.poll, f"firehose poll {self.consumer}"
        )

    def poll(self) -> None:
        self._schedule()
        if self.pipeline.backlog or self.pipeline.closed:
            return  # SRC-07: leave the data in the data stream until delivery works again
        try:
            batch = self.kinesis.read_for_consumer(
                self.source_arn, self.consumer, caller=self.role_arn, limit=self.limit
            )
        except AwsError as error:  # SRC-06: retried at the next poll, data stays in Kinesis
            self.last_error = error
            return
        self.last_error = None
        now = self.clock.now()
        records = [
            MemoryRecord(self.new_id(), len(item.data), now, bytes(item.data)) for item in batch
        ]
        for record in records:
            self.ledger.accept(record.record_id, now, False, record.size)
        self.pipeline.add(records)
