"""The API's own rules: call limits, per-key and per-Region quotas, names, modelled errors."""

from __future__ import annotations

import uuid
from typing import Any

from pytest_bdd import given, then, when

from firehose_conformance import actions
from firehose_conformance.targets.base import Target
from firehose_conformance.world import World
from steps.common import codes, quoted


@when(
    quoted(
        'I start and stop encryption on "{alias}" alternately {count:d} times, waiting for each to '
        "settle"
    )
)
def alternate_start_stop(t: Target, world: World, alias: str, count: int) -> None:
    name = world.stream(alias).name
    key = next(iter(world.keys.values()))
    for i in range(count):
        if i % 2 == 0:
            outcome = actions.start_encryption(t, name, actions.encryption_input(key))
            settled = "ENABLED"
        else:
            outcome = actions.stop_encryption(t, name)
            settled = "DISABLED"
        world.record(outcome)
        assert outcome.ok, f"call {i + 1} of {count}: {outcome.describe()}"
        actions.wait_encryption_status(t, name, settled)


@then("every one of those calls succeeded")
def every_call_succeeded(world: World) -> None:
    failed = [o.describe() for o in world.outcomes if not o.ok]
    assert not failed, f"{len(failed)} calls failed: {failed[0]}"


@given(quoted('{count:d} DirectPut delivery streams created with encryption using key "{key}"'))
def many_streams_on_key(t: Target, world: World, count: int, key: str) -> None:
    _many(t, count, actions.encryption_input(world.key(key)))


@given(quoted("{count:d} DirectPut delivery streams"))
def many_streams(t: Target, count: int) -> None:
    _many(t, count, None)


def _many(t: Target, count: int, encryption: dict[str, Any] | None) -> None:
    """Create ``count`` streams. Streams count toward a quota from creation on, so only the last
    one is waited for (waiting for each would cost one Describe per stream)."""
    bucket = actions.create_bucket(t)
    name = ""
    for i in range(count):
        name = t.unique_name("bulk")
        outcome = actions.create_delivery_stream(t, name, bucket=bucket, encryption=encryption)
        assert outcome.ok, f"creating stream {i + 1} of {count}: {outcome.describe()}"
    actions.wait_stream_status(t, name, "ACTIVE")


_MISSING_STREAM_CALLS = {
    "StartDeliveryStreamEncryption": ("start_delivery_stream_encryption", {}),
    "StopDeliveryStreamEncryption": ("stop_delivery_stream_encryption", {}),
    "DescribeDeliveryStream": ("describe_delivery_stream", {}),
    "DeleteDeliveryStream": ("delete_delivery_stream", {}),
    "PutRecord": ("put_record", {"Record": {"Data": b"fsc"}}),
    "PutRecordBatch": ("put_record_batch", {"Records": [{"Data": b"fsc"}]}),
}


@when(quoted("I call Firehose {operation} on a delivery stream that does not exist"))
def missing_stream_call(t: Target, world: World, operation: str) -> None:
    method, params = _MISSING_STREAM_CALLS[operation]
    name = f"fsc-missing-{uuid.uuid4().hex[:12]}"
    world.record(t.call("firehose", method, DeliveryStreamName=name, **params))


@when(quoted('I create a DirectPut delivery stream with the same name as "{alias}"'))
def create_same_name(t: Target, world: World, alias: str) -> None:
    stream = world.stream(alias)
    world.record(actions.create_delivery_stream(t, stream.name, bucket=stream.bucket))


_NAMES = {
    '"bad name!"': "bad name!",
    "of 65 characters": "a" * 65,
    '""': "",
    '"bad/name"': "bad/name",
}


@when(quoted("I call Firehose {operation} with the delivery stream name {name}"))
def bad_name_call(t: Target, world: World, operation: str, name: str) -> None:
    value = _NAMES[name]
    if operation == "CreateDeliveryStream":
        bucket = actions.create_bucket(t)
        world.record(actions.create_delivery_stream(t, value, bucket=bucket, validate=False))
        return
    method, params = _MISSING_STREAM_CALLS[operation]
    world.record(t.call("firehose", method, validate=False, DeliveryStreamName=value, **params))


@when(quoted('I delete the delivery stream "{alias}"'))
def delete_stream(t: Target, world: World, alias: str) -> None:
    world.record(
        t.call("firehose", "delete_delivery_stream", DeliveryStreamName=world.stream(alias).name)
    )


@when(quoted('I delete the delivery stream "{alias}" with AllowForceDelete'))
def delete_stream_force(t: Target, world: World, alias: str) -> None:
    world.record(
        t.call(
            "firehose",
            "delete_delivery_stream",
            DeliveryStreamName=world.stream(alias).name,
            AllowForceDelete=True,
        )
    )


@then(quoted('the delivery stream "{alias}" is eventually gone'))
def stream_gone(t: Target, world: World, alias: str) -> None:
    name = world.stream(alias).name
    t.poll(
        lambda: actions.stream_status(t, name),
        lambda status: status is None,
        timeout=t.profile.transition_timeout,
        what=f"delivery stream {alias} gone (status)",
    )


@then(
    quoted(
        'the delivery stream "{alias}" is eventually gone, or "DELETING_FAILED" and then gone '
        "after I delete it with AllowForceDelete"
    )
)
def stream_gone_or_force(t: Target, world: World, alias: str) -> None:
    assert world.last.ok, world.last.describe()
    name = world.stream(alias).name
    final = t.poll(
        lambda: actions.stream_status(t, name),
        lambda status: status in (None, "DELETING_FAILED"),
        timeout=t.profile.transition_timeout,
        what=f"delivery stream {alias} gone or DELETING_FAILED",
    )
    if final == "DELETING_FAILED":
        from steps.encryption import _assert_failure_description

        _assert_failure_description(actions.describe(t, name), "DELETING_FAILED")
        delete_stream_force(t, world, alias)
        assert world.last.ok, world.last.describe()
        stream_gone(t, world, alias)


@when(quoted('I describe "{alias}" {count:d} times at once without retrying'))
def describe_burst(t: Target, world: World, alias: str, count: int) -> None:
    name = world.stream(alias).name
    world.burst.clear()
    for _ in range(count):
        outcome = t.call(
            "firehose", "describe_delivery_stream", retry_throttling=False, DeliveryStreamName=name
        )
        world.burst.append((t.now(), outcome))


@then(quoted("at most {limit:d} of those calls succeeded within any one second"))
def at_most_per_second(world: World, limit: int) -> None:
    burst = world.burst
    times = [at for at, outcome in burst if outcome.ok]
    busiest = max((sum(1 for x in times if start <= x < start + 1) for start in times), default=0)
    assert busiest <= limit, f"{busiest} calls succeeded within one second (limit {limit})"


@then(quoted('every other one failed with one of "{expected}"'))
def others_throttled(world: World, expected: str) -> None:
    burst = world.burst
    failures = [outcome for _, outcome in burst if not outcome.ok]
    assert failures, "no call was throttled"
    wrong = [f.describe() for f in failures if f.error_code not in codes(expected)]
    assert not wrong, f"{len(wrong)} calls failed otherwise: {wrong[0]}"


@then(
    quoted(
        "CloudTrail eventually shows StartDeliveryStreamEncryption and "
        'StopDeliveryStreamEncryption for "{alias}"'
    )
)
def cloudtrail_shows(t: Target, world: World, alias: str) -> None:
    wanted = ["StartDeliveryStreamEncryption", "StopDeliveryStreamEncryption"]
    t.poll(
        lambda: sorted(set(t.cloudtrail_events(wanted, world.stream(alias).name))),
        lambda seen: seen == wanted,
        timeout=t.profile.metric_timeout,
        what="both events in CloudTrail",
    )
