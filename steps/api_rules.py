"""The API's own rules: quotas, throttling, stream names, modelled errors, and CloudTrail."""

from __future__ import annotations

import uuid
from typing import Any

from pytest_bdd import given, then, when

from firehose_conformance import actions
from firehose_conformance.targets.base import Target
from firehose_conformance.world import World
from steps.phrases import OneOf, step_text


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
def many_streams_on_key(t: Target, world: World, count: int, key: str) -> None:
    _many_streams(t, count, actions.encryption_input(world.key(key)))


@given(step_text("{count:d} DirectPut delivery streams"))
def many_streams(t: Target, count: int) -> None:
    _many_streams(t, count, None)


# ---- Modelled errors: streams that do not exist, names that cannot be ----------------------------
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
@when(step_text('I describe "{stream}" {count:d} times at once without retrying'))
def describe_burst(t: Target, world: World, stream: str, count: int) -> None:
    name = world.stream(stream).name
    world.calls.burst.clear()
    for _ in range(count):
        outcome = t.call(
            "firehose", "describe_delivery_stream", retry_throttling=False, DeliveryStreamName=name
        )
        world.calls.burst.append((t.now(), outcome))


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
