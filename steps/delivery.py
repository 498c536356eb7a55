"""Puts, the Encrypted flag, what reaches the destination, and what is held at rest."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from firehose_conformance import actions
from firehose_conformance.targets.base import Target
from firehose_conformance.world import Put, World
from steps.common import quoted


def _put(t: Target, world: World, alias: str, count: int, operation: str) -> list[bytes]:
    name = world.stream(alias).name
    records = actions.make_records(count)
    if operation == "PutRecord":
        for record in records:
            outcome = world.record(actions.put(t, name, [record], operation))
            world.puts.append(Put(alias, [record], outcome))
    else:
        outcome = world.record(actions.put(t, name, records, operation))
        world.puts.append(Put(alias, records, outcome))
    return records


@when(
    parsers.re(
        r'I put (?P<count>\d+) records? to "(?P<alias>[^"]+)" with (?P<operation>PutRecord|PutRecordBatch)$'
    )
)
def put_records(t: Target, world: World, count: str, alias: str, operation: str) -> None:
    _put(t, world, alias, int(count), operation)


@when(
    parsers.re(
        r'I put (?P<count>\d+) records? to "(?P<alias>[^"]+)" with (?P<operation>PutRecord|PutRecordBatch) '
        r'as batch "(?P<batch>[^"]+)"'
    )
)
def put_records_as_batch(
    t: Target, world: World, count: str, alias: str, operation: str, batch: str
) -> None:
    world.batches[batch] = _put(t, world, alias, int(count), operation)


@then(quoted('every put to "{alias}" succeeded'))
def every_put_succeeded(world: World, alias: str) -> None:
    puts = [p for p in world.puts if p.stream == alias]
    assert puts, "suite defect: no puts were made"
    failed = [p.outcome.describe() for p in puts if not p.outcome.ok]
    assert not failed, f"{len(failed)} of {len(puts)} puts failed: {failed[0]}"


@then(parsers.re(r'every put to "(?P<alias>[^"]+)" reports Encrypted (?P<flag>true|false)'))
def every_put_encrypted(world: World, alias: str, flag: str) -> None:
    every_put_succeeded(world, alias)
    flags = [p.encrypted for p in world.puts if p.stream == alias]
    if flag == "true":
        assert all(f is True for f in flags), f"Encrypted flags were {flags}, expected all true"
    else:  # AMB-23: when SSE is not in effect, the optional flag may be left out
        assert all(f in (False, None) for f in flags), f"Encrypted flags were {flags}"


def _records(world: World, alias: str) -> list[bytes]:
    if alias in world.data_streams:
        return world.data_records.get(alias, [])
    return world.records_put_to(alias)


def _missing(t: Target, world: World, alias: str, records: list[bytes]) -> list[bytes]:
    delivered = actions.destination_bytes(t, world.stream(alias).bucket)
    return [r for r in records if r not in delivered]


def _wait_delivered(t: Target, world: World, alias: str, records: list[bytes], what: str) -> None:
    assert records, "suite defect: no records to look for"
    t.poll(
        lambda: len(_missing(t, world, alias, records)),
        lambda missing: missing == 0,
        timeout=t.profile.delivery_timeout,
        what=f"all {len(records)} {what} at the destination of {alias} (records missing)",
    )


@then(quoted('the destination of "{alias}" eventually holds every record put to "{source}"'))
def destination_holds_all(t: Target, world: World, alias: str, source: str) -> None:
    _wait_delivered(t, world, alias, _records(world, source), f"records put to {source}")


@then(quoted('the destination of "{alias}" eventually holds every record of batch "{batch}"'))
def destination_holds_batch(t: Target, world: World, alias: str, batch: str) -> None:
    _wait_delivered(t, world, alias, world.batches[batch], f"records of batch {batch}")


@then(quoted('the destination of "{alias}" holds none of the records put to "{source}"'))
def destination_holds_none(t: Target, world: World, alias: str, source: str) -> None:
    records = _records(world, source)
    arrived = len(records) - len(_missing(t, world, alias, records))
    assert arrived == 0, f"{arrived} of {len(records)} records put to {source} were delivered"


@then(quoted('the destination of "{alias}" holds none of the records of batch "{batch}"'))
def destination_holds_none_of_batch(t: Target, world: World, alias: str, batch: str) -> None:
    records = world.batches[batch]
    arrived = len(records) - len(_missing(t, world, alias, records))
    assert arrived == 0, f"{arrived} of {len(records)} records of batch {batch} were delivered"


@then(quoted('the destination of "{alias}" stays empty for {minutes:d} minutes'))
def destination_stays_empty(t: Target, world: World, alias: str, minutes: int) -> None:
    t.holds_for(
        lambda: len(actions.destination_bytes(t, world.stream(alias).bucket)),
        lambda size: size == 0,
        duration=minutes * 60,
        what=f"the destination of {alias} received data (bytes)",
    )


@given(quoted('the destination bucket of "{alias}" is deleted'))
@when(quoted('the destination bucket of "{alias}" is deleted'))
def bucket_deleted(t: Target, world: World, alias: str) -> None:
    actions.delete_bucket(t, world.stream(alias).bucket)


@when(quoted('the destination bucket of "{alias}" is created again'))
def bucket_created_again(t: Target, world: World, alias: str) -> None:
    actions.create_bucket(t, world.stream(alias).bucket)


@when(quoted('the buffering interval of "{alias}" passes'))
def buffering_interval_passes(t: Target, world: World, alias: str) -> None:
    t.sleep(world.buffer_seconds.get(alias, actions.DEFAULT_BUFFER_SECONDS) + 1)


def _plaintext_windows(records: list[bytes], width: int = 16) -> set[bytes]:
    return {r[i : i + width] for r in records for i in range(0, max(1, len(r) - width + 1))}


@then(quoted('no plaintext of the records put to "{alias}" is held at rest'))
def no_plaintext_at_rest(t: Target, world: World, alias: str) -> None:
    records = _records(world, alias)
    assert records, "suite defect: no records were put"
    held = [blob for blobs in t.at_rest().values() for blob in blobs]
    assert held, "nothing is held at rest at all, so the check would prove nothing"
    windows = _plaintext_windows(records)
    leaks = sum(1 for blob in held for w in windows if w in blob)
    assert leaks == 0, f"{leaks} 16-byte runs of record plaintext found at rest"


@then(quoted('Firehose holds nothing at rest for delivery stream "{alias}"'))
def nothing_at_rest(t: Target, world: World, alias: str) -> None:
    held = t.at_rest().get(world.stream(alias).arn, [])
    assert not held, f"Firehose holds {len(held)} blob(s) at rest for {alias}"


@given(quoted('a caller without KMS permissions on key "{key}"'))
def restricted_caller(t: Target, world: World, key: str) -> None:
    world.other_client = t.restricted_caller(world.key(key))


@when(quoted('that caller puts 1 record to "{alias}" with PutRecord'))
def restricted_caller_puts(t: Target, world: World, alias: str) -> None:
    name = world.stream(alias).name
    outcome = t.call(
        "firehose",
        "put_record",
        client=world.other_client,
        DeliveryStreamName=name,
        Record={"Data": b"fsc"},
    )
    world.record(outcome)


@when(
    quoted(
        'I put 1 record to "{alias}" with PutRecord every second for {seconds:d} seconds from when '
        'its encryption status is "{status}"'
    )
)
def put_every_second_from(t: Target, world: World, alias: str, seconds: int, status: str) -> None:
    """Watch the status each second (no puts meanwhile), then put once a second."""
    name = world.stream(alias).name
    _watch(t, name, status, alias)
    for _ in range(seconds):
        _put(t, world, alias, 1, "PutRecord")
        t.sleep(1)


def _watch(t: Target, name: str, status: str, alias: str) -> None:
    for _ in range(int(t.profile.transition_timeout)):
        if actions.encryption_status(t, name) == status:
            return
        t.sleep(1)
    raise AssertionError(f"the encryption status of {alias} never became {status}")
