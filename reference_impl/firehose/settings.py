"""The timings of the Firehose model: each one a documented bound or a chosen stand-in."""

from __future__ import annotations

from dataclasses import dataclass

HOUR = 3600.0


@dataclass(frozen=True)
class FirehoseSettings:
    # How long the asynchronous steps take (CREATING -> ACTIVE, ENABLING -> ENABLED,
    # DISABLING -> DISABLED, DELETING -> gone). Undocumented: AWS takes seconds.
    transition_seconds: float = 10.0
    # Each of them on its own (None: transition_seconds); reference_impl.latency sets them.
    creating_seconds: float | None = None
    enabling_seconds: float | None = None
    disabling_seconds: float | None = None
    deleting_seconds: float | None = None
    # After a grant is no longer needed (GRT-02, GRT-03), how long until it is retired
    # (KMS: "usually less than five minutes"); 0: at once.
    grant_retirement_seconds: float = 0.0
    # From a buffer's flush to the delivery attempt (the write to S3); 0: at once.
    delivery_seconds: float = 0.0
    # MET-08: Firehose's metrics are published at the next multiple of this many seconds
    # (DG-MON: "pushed to CloudWatch every five minutes"); 0: at once.
    metric_interval_seconds: float = 0.0
    # SSE-06 / SSE-09: "It can take up to 5 seconds after the encryption status changes to
    # ENABLED [DISABLED] before all records ... are encrypted [no longer subject to encryption]."
    # The reference uses a lag inside that bound, so scenarios must honour the 5 s tolerance.
    encryption_lag_seconds: float = 3.0
    # RET-01..04: records are kept 24 h from when they were added.
    retention_seconds: float = 24 * HOUR
    # How often a buffer that could not be delivered (KMS failure, missing bucket) is retried.
    delivery_retry_seconds: float = 60.0
    # API-01: combined Start/Stop limit per stream per rolling window.
    start_stop_limit: int = 25
    start_stop_window_seconds: float = 24 * HOUR
    # API-02: a customer-managed CMK encrypts at most this many streams.
    streams_per_cmk: int = 500
    # API-11: streams per Region (BC-FH: "up to 5,000 Firehose streams per ... Region").
    streams_per_region: int = 5000
    # How often a Kinesis-sourced stream reads its source (one timer per such stream; DirectPut
    # streams have no periodic timer). Firehose reads each shard about once per second.
    kinesis_poll_seconds: float = 1.0
    # Records read per poll at most (Kinesis GetRecords' maximum Limit).
    kinesis_read_limit: int = 10000

    @property
    def creating(self) -> float:
        return self.transition_seconds if self.creating_seconds is None else self.creating_seconds

    @property
    def enabling(self) -> float:
        return self.transition_seconds if self.enabling_seconds is None else self.enabling_seconds

    @property
    def disabling(self) -> float:
        if self.disabling_seconds is None:
            return self.transition_seconds
        return self.disabling_seconds

    @property
    def deleting(self) -> float:
        return self.transition_seconds if self.deleting_seconds is None else self.deleting_seconds
