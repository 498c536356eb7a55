"""The delivery stream record and the request that creates one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reference_impl.clock import Timer, VirtualClock
from reference_impl.firehose.delivery import DeliveryPipeline
from reference_impl.firehose.destination import S3Destination
from reference_impl.firehose.grant_agent import GrantBook
from reference_impl.firehose.kinesis_source import KinesisPoller
from reference_impl.firehose.limits import RollingWindow
from reference_impl.firehose.sse_state import EncryptionState
from reference_impl.firehose.states import FailureDescription, StreamStatus, StreamType
from reference_impl.firehose.storage import EnvelopeStore

OTHER_SOURCES = ("MSKSourceConfiguration", "DatabaseSourceConfiguration")


@dataclass(frozen=True)
class CreateRequest:
    """CreateDeliveryStream's input, as the API layer received it (already shape-validated)."""

    name: str
    stream_type: str
    params: dict[str, Any]

    @staticmethod
    def from_params(params: dict[str, Any]) -> CreateRequest:
        return CreateRequest(
            params["DeliveryStreamName"],
            params.get("DeliveryStreamType", StreamType.DIRECT_PUT.value),
            params,
        )

    @property
    def kinesis_source(self) -> dict[str, Any] | None:
        return self.params.get("KinesisStreamSourceConfiguration")

    @property
    def encryption_input(self) -> dict[str, Any] | None:
        return self.params.get("DeliveryStreamEncryptionConfigurationInput")

    @property
    def other_sources(self) -> list[str]:
        return [name for name in OTHER_SOURCES if name in self.params]

    @property
    def tags(self) -> dict[str, str]:
        return {tag["Key"]: tag.get("Value", "") for tag in self.params.get("Tags", [])}


@dataclass
class KinesisSource:
    stream_arn: str
    role_arn: str
    started_at: float | None = None  # DeliveryStartTimestamp, set when the stream is ACTIVE


@dataclass(eq=False)
class DeliveryStream:
    name: str
    arn: str
    stream_type: StreamType
    destination: S3Destination
    created_at: float
    window: RollingWindow
    pipeline: DeliveryPipeline
    status: StreamStatus = StreamStatus.CREATING
    updated_at: float | None = None
    failure: FailureDescription | None = None  # top level: CREATING_FAILED / DELETING_FAILED
    encryption: EncryptionState | None = None  # None: KinesisStreamAsSource (EV-LS-KDS)
    kinesis_source: KinesisSource | None = None
    direct_put_hint: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    version_id: str = "1"
    grants: GrantBook = field(default_factory=GrantBook)
    store: EnvelopeStore | None = None  # None: nothing of this stream is ever at rest
    poller: KinesisPoller | None = None
    force_delete: bool = False
    _timers: list[Timer] = field(default_factory=list)

    def later(
        self, clock: VirtualClock, delay: float, callback: Callable[[], None], label: str
    ) -> None:
        """A lifecycle timer; every one still waiting is cancelled when the stream is deleted."""
        self._timers = [
            timer for timer in self._timers if not timer.cancelled and timer.when >= clock.now()
        ]
        self._timers.append(clock.call_later(delay, callback, f"{label} {self.name}"))

    def cancel_timers(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
