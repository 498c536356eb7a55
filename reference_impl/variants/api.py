"""Deviants and conforming variants of the API's own rules: call limits, quotas, modelled errors,
names, lifecycle (API)."""

from __future__ import annotations

from typing import Any

import reference_impl.cloud
import reference_impl.wire.validation
from reference_impl.errors import AwsError
from reference_impl.firehose.api import FirehoseApi
from reference_impl.firehose.model import FirehoseModel
from reference_impl.firehose.states import StreamStatus
from reference_impl.firehose.streams import CreateRequest
from reference_impl.variants.patching import Patcher
from reference_impl.variants.registry import conforming, deviant
from reference_impl.wire.throttling import RateLimiter

LIMIT_MISSED = "succeeded; expected LimitExceededException"


@deviant("no-limit-at-the-26th-call", "API-01", evidence=LIMIT_MISSED)
def no_limit_at_the_26th_call(p: Patcher) -> None:
    """The 26th Start/Stop call within 24 hours is still accepted (an off-by-one limit of 26)."""
    p.settings(start_stop_limit=26)


@deviant("limit-already-at-the-25th-call", "API-01", evidence="call 25 of 25")
def limit_already_at_the_25th_call(p: Patcher) -> None:
    """The 25th Start/Stop call within 24 hours is already refused (a limit of 24)."""
    p.settings(start_stop_limit=24)


@deviant("cmk-quota-off-by-one", "API-02", evidence=LIMIT_MISSED)
def cmk_quota_off_by_one(p: Patcher) -> None:
    """A customer managed key encrypts 501 streams before LimitExceededException."""
    p.settings(streams_per_cmk=501)


@deviant("taken-name-is-invalid-argument", "API-03", evidence="expected ResourceInUseException")
def taken_name_is_invalid_argument(p: Patcher) -> None:
    """Creating a stream whose name is taken answers InvalidArgumentException (not modelled so)."""

    @p.around(FirehoseModel, "create")
    def create(original: Any, self: FirehoseModel, request: CreateRequest) -> str:
        if request.name in self.streams:
            raise AwsError("InvalidArgumentException", f"{request.name} is taken.")
        return original(self, request)


@deviant(
    "stop-on-a-missing-stream-succeeds",
    "API-04",
    evidence="succeeded; expected ResourceNotFoundException",
)
def stop_on_a_missing_stream_succeeds(p: Patcher) -> None:
    """Stop on a stream that does not exist is an idempotent no-op answering 200."""

    @p.around(FirehoseModel, "stop_encryption")
    def stop(original: Any, self: FirehoseModel, name: str) -> None:
        if name in self.streams:
            original(self, name)


@deviant("stream-names-up-to-128", "API-05", evidence="expected ValidationException")
def stream_names_up_to_128(p: Patcher) -> None:
    """Delivery stream names of up to 128 characters are taken (the limit of other services)."""

    @p.around(reference_impl.wire.validation, "_length")
    def length(original: Any, shape: Any, value: Any, size: int, path: str, c: Any) -> None:
        if shape.name == "DeliveryStreamName" and 1 <= size <= 128:
            return
        original(shape, value, size, path, c)


@deviant("start-without-input-refused", "API-06", "SSE-17", evidence="InvalidArgumentException")
def start_without_input_refused(p: Patcher) -> None:
    """Start without DeliveryStreamEncryptionConfigurationInput is refused as incomplete."""

    @p.around(FirehoseModel, "start_encryption")
    def start(original: Any, self: FirehoseModel, name: str, params: Any) -> None:
        if params is None:
            raise AwsError(
                "InvalidArgumentException",
                "DeliveryStreamEncryptionConfigurationInput is required.",
            )
        original(self, name, params)


@deviant(
    "start-and-stop-answer-a-body",
    "API-07",
    evidence="not {}",
)
def start_and_stop_answer_a_body(p: Patcher) -> None:
    """Start and Stop answer with the new status, {"Status": "ENABLING"}, instead of {}."""

    @p.around(FirehoseApi, "start_delivery_stream_encryption")
    def start(original: Any, self: FirehoseApi, params: dict[str, Any]) -> dict[str, Any]:
        return {**original(self, params), "Status": "ENABLING"}

    @p.around(FirehoseApi, "stop_delivery_stream_encryption")
    def stop(original: Any, self: FirehoseApi, params: dict[str, Any]) -> dict[str, Any]:
        return {**original(self, params), "Status": "DISABLING"}


@deviant("throttles-at-three-per-second", "API-08", evidence="2 of 5 calls failed")
def throttles_at_three_per_second(p: Patcher) -> None:
    """The Firehose control plane serves three calls a second, below the documented five."""
    from reference_impl.wire.throttling import RateLimiter

    p.replace(
        reference_impl.cloud,
        "RateLimiter",
        lambda clock, operations, **_: RateLimiter(clock, operations, calls=3),
    )


@deviant("no-rate-limit", "API-13", evidence="calls succeeded within one second")
def no_rate_limit(p: Patcher) -> None:
    """The Firehose control plane is not rate-limited: 20 Describe calls in a second all pass."""
    p.replace(reference_impl.cloud, "RateLimiter", lambda *args, **kwargs: None)


@deviant(
    "creating-failed-name-reusable",
    "API-09",
    evidence="succeeded; expected ResourceInUseException",
)
def creating_failed_name_reusable(p: Patcher) -> None:
    """CreateDeliveryStream on the name of a CREATING_FAILED stream replaces that stream."""

    @p.around(FirehoseModel, "create")
    def create(original: Any, self: FirehoseModel, request: CreateRequest) -> str:
        found = self.streams.get(request.name)
        if found is not None and found.status is StreamStatus.CREATING_FAILED:
            del self.streams[request.name]
        return original(self, request)


@deviant(
    "delete-while-creating-accepted",
    "API-10",
    evidence="succeeded; expected ResourceInUseException",
)
def delete_while_creating_accepted(p: Patcher) -> None:
    """DeleteDeliveryStream is accepted while the stream is still CREATING."""

    @p.around(FirehoseModel, "delete")
    def delete(original: Any, self: FirehoseModel, name: str, allow_force_delete: bool = False):
        stream = self.get(name)
        if stream.status is StreamStatus.CREATING:
            stream.status = StreamStatus.ACTIVE
        original(self, name, allow_force_delete)


@deviant("region-quota-of-50", "API-11", evidence="creating stream 51 of 5000")
def region_quota_of_50(p: Patcher) -> None:
    """The Region holds 50 delivery streams at most: the 2023 guide's quota, not today's 5,000."""
    p.settings(streams_per_region=50)


# ---- conforming variants -------------------------------------------------------------------------
@conforming(
    "throttle-allows-a-short-burst",
    "API-08",
    allowed_by="API-08, DG-LIM: the operations 'can provide up to five invocations per second "
    "(this is a hard limit)': a capacity the service provides; AMB-17 leaves the window (rolling "
    "or fixed) open. A token bucket of 10 refilled at 5 per second provides five per second and "
    "lets a short burst through",
)
def throttle_allows_a_short_burst(p: Patcher) -> None:
    """The Firehose control-plane rate limit is a token bucket: 5 calls per second sustained,
    with a burst of up to 10 calls at once, where the reference allows 5 in any one second."""

    @p.around(RateLimiter, "check")
    def check(original: Any, self: RateLimiter, operation: str) -> None:
        if operation not in self.operations:
            return
        now = self.clock.now()
        buckets = self.__dict__.setdefault("buckets", {})
        rate, capacity = self.calls / self.per, 2.0 * self.calls
        tokens, last = buckets.get(operation, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * rate)
        if tokens < 1.0:
            raise AwsError("ThrottlingException", "Rate exceeded")
        buckets[operation] = (tokens - 1.0, now)
