"""The API's own rules: quotas, throttling, stream names, modelled errors, and CloudTrail."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pytest_bdd import given, then, when

from firehose_conformance import actions
from firehose_conformance.resources import KeyUse, Kind, declares
from firehose_conformance.targets.base import Target
from firehose_conformance.world import World

from .phrases import OneOf, step_text


# ---- Quotas --------------------------------------------------------------------------------------
def _many_streams(t: Target, count: int, encryption: dict[str, Any] | None) -> None:
    """Create ``count`` streams. Streams count toward a quota from creation on, so only the last
    one is waited for (waiting for each would cost one Describe per stream)."""
    bucket = actions.create_bucket(t)
    name = ""
    for i in range(count):
        name = t.unique_name("bulk")
        outcome = actions.create_delivery_stream(t, name, bucket=bucket, encryption=encryption)
        assert outcome.ok, f"creating stream {i + 1} of {count}: {outcome.describe()}"
    actions.wait_stream_status(t, name, "ACTIVE")


@given(step_text('{count:d} DirectPut delivery streams created with encryption using key "{key}"'))
# OWN: 500 streams per key is the quota checked (API-02): no other scenario's streams may count.
@declares(keys={"key": KeyUse.OWN}, creates={Kind.DELIVERY_STREAM: "count", Kind.S3_BUCKET: 1})
def many_streams_on_key(t: Target, world: World, count: int, key: str) -> None:
    _many_streams(t, count, actions.encryption_input(world.key(key)))


@given(step_text("{count:d} DirectPut delivery streams"))
@declares(creates={Kind.DELIVERY_STREAM: "count", Kind.S3_BUCKET: 1})
def many_streams(t: Target, count: int) -> None:
    _many_streams(t, count, None)


# ---- Modelled errors: streams that do not exist, names that cannot be ----------------------------
def _stream_named(args: Mapping[str, Any]) -> dict[Kind, int]:
    """CreateDeliveryStream with a name makes a bucket for it (and a stream, if accepted)."""
    made = 1 if args.get("operation") == "CreateDeliveryStream" else 0
    return {Kind.S3_BUCKET: made, Kind.DELIVERY_STREAM: made}


_CALLS_ON_A_NAME: dict[str, tuple[str, dict[str, Any]]] = {
    "StartDeliveryStreamEncryption": ("start_delivery_stream_encryption", {}),
    "StopDeliveryStreamEncryption": ("stop_delivery_stream_encryption", {}),
    "DescribeDeliveryStream": ("describe_delivery_stream", {}),
    "DeleteDeliveryStream": ("delete_delivery_stream", {}),
    "PutRecord": ("put_record", {"Record": {"Data": b"fsc"}}),
    "PutRecordBatch": ("put_record_batch", {"Records": [{"Data": b"fsc"}]}),
}


@when(step_text("I call Firehose {operation:w} on a delivery stream that does not exist"))
def call_on_missing_stream(t: Target, world: World, operation: str) -> None:
    method, params = _CALLS_ON_A_NAME[operation]
    name = f"fsc-missing-{uuid.uuid4().hex[:12]}"
    world.calls.record(t.call("firehose", method, DeliveryStreamName=name, **params))


@when(step_text("I call Firehose {operation:w} with the delivery stream name {name:StreamName}"))
@declares(creates=_stream_named)
def call_with_stream_name(t: Target, world: World, operation: str, name: str) -> None:
    if operation == "CreateDeliveryStream":
        bucket = actions.create_bucket(t)
        world.calls.record(actions.create_delivery_stream(t, name, bucket=bucket, validate=False))
        return
    method, params = _CALLS_ON_A_NAME[operation]
    world.calls.record(
        t.call("firehose", method, validate=False, DeliveryStreamName=name, **params)
    )


# ---- Throttling ----------------------------------------------------------------------------------
# API-08 (DG-LIM): "The following operations can provide up to five invocations per second (this
# is a hard limit)": a capacity. Five calls in a second are served; more may be throttled, and a
# throttled call is served after back-off. That excess calls must be refused is a stance (API-13).
def _burst(t: Target, world: World, stream: str, count: int) -> float:
    """``count`` Describe calls as fast as they go, each answer kept with when it came; starts
    a second after the scenario's last call, so no earlier call shares the window. Returns how
    long the burst took (target time)."""
    name = world.calls.burst_target = world.stream(stream).name
    world.calls.burst.clear()
    t.sleep(1)
    started = t.now()
    for _ in range(count):
        outcome = t.call(
            "firehose", "describe_delivery_stream", retry_throttling=False, DeliveryStreamName=name
        )
        world.calls.burst.append((t.now(), outcome))
    return t.now() - started


@when(step_text('I describe "{stream}" {count:d} times at once without retrying'))
def describe_burst(t: Target, world: World, stream: str, count: int) -> None:
    _burst(t, world, stream, count)


@when(step_text('I describe "{stream}" {count:d} times within one second without retrying'))
def describe_within_a_second(t: Target, world: World, stream: str, count: int) -> None:
    took = _burst(t, world, stream, count)
    if took >= 1:
        world.not_exercised(
            ["API-08"],
            f"the {count} calls took {took:.2f} s, more than one second, so they did not test "
            "the five-per-second capacity",
        )


@then("none of those calls was throttled")
def none_throttled(world: World) -> None:
    failed = [outcome.describe() for _, outcome in world.calls.burst if not outcome.ok]
    assert not failed, f"{len(failed)} of {len(world.calls.burst)} calls failed: {failed[0]}"


@then(step_text('every one of those calls was served or throttled with one of "{expected:OneOf}"'))
def served_or_throttled(world: World, expected: OneOf) -> None:
    wrong = [
        o.describe() for _, o in world.calls.burst if not o.ok and o.error_code not in expected
    ]
    assert not wrong, f"{len(wrong)} calls failed otherwise: {wrong[0]}"


@then("every throttled one is served after back-off")
def throttled_served_after_back_off(t: Target, world: World) -> None:
    """Each throttled call again, with the back-off AWS SDKs use (Target.invoke): served."""
    for outcome in [o for _, o in world.calls.burst if not o.ok]:
        again = t.call(
            "firehose", "describe_delivery_stream", DeliveryStreamName=world.calls.burst_target
        )
        assert again.ok, f"after {outcome.error_code} and back-off: {again.describe()}"


@then(step_text("at most {limit:d} of those calls succeeded within any one second"))
def at_most_per_second(world: World, limit: int) -> None:
    times = [at for at, outcome in world.calls.burst if outcome.ok]
    busiest = max((sum(1 for x in times if start <= x < start + 1) for start in times), default=0)
    assert busiest <= limit, f"{busiest} calls succeeded within one second (limit {limit})"


@then(step_text('every other one failed with one of "{expected:OneOf}"'))
def others_throttled(world: World, expected: OneOf) -> None:
    failures = [outcome for _, outcome in world.calls.burst if not outcome.ok]
    assert failures, "no call was throttled"
    wrong = [f.describe() for f in failures if f.error_code not in expected]
    assert not wrong, f"{len(wrong)} calls failed otherwise: {wrong[0]}"


# ---- CloudTrail ----------------------------------------------------------------------------------
@then(
    step_text(
        "CloudTrail eventually shows StartDeliveryStreamEncryption and "
        'StopDeliveryStreamEncryption for "{stream}"'
    )
)
def cloudtrail_shows(t: Target, world: World, stream: str) -> None:
    wanted = ["StartDeliveryStreamEncryption", "StopDeliveryStreamEncryption"]
    t.poll(
        lambda: sorted(set(t.cloudtrail_events(wanted, world.stream(stream).name))),
        lambda seen: seen == wanted,
        timeout=t.profile.metric_timeout,
        what="both events in CloudTrail",
    )
