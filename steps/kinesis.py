"""Kinesis Data Streams as a source, and the data stream's own SSE."""

from __future__ import annotations

from pytest_bdd import given, then, when

from firehose_conformance import actions
from firehose_conformance.actions import KeyIdForm
from firehose_conformance.resources import KeyUse, Kind, declares
from firehose_conformance.targets.base import Target
from firehose_conformance.world import Put, World

from .keys import alias_of_form
from .phrases import RecordRun, step_text


def _new_data_stream(t: Target, world: World, data_stream: str, retention_hours: int = 24) -> str:
    name = actions.create_data_stream(t, retention_hours)
    world.resources.data_streams[data_stream] = name
    return name


def _read_from_start(
    t: Target, world: World, data_stream: str
) -> tuple[list[bytes], list[str | None]]:
    """The data and the EncryptionType of every record GetRecords returns, oldest first (read
    until caught up with every record the scenario put there)."""
    expected = len(world.records_put_to(data_stream))
    records = actions.read_data_stream(t, world.data_stream(data_stream), expected)
    return [r["Data"] for r in records], [r.get("EncryptionType") for r in records]


def _arn(t: Target, world: World, data_stream: str) -> str:
    return actions.data_stream_summary(t, world.data_stream(data_stream))["StreamARN"]


# ---- Given ---------------------------------------------------------------------------------------
@given(step_text('a Kinesis data stream "{data_stream}"'))
@declares(creates={Kind.KINESIS_STREAM: 1})
def kinesis_data_stream(t: Target, world: World, data_stream: str) -> None:
    _new_data_stream(t, world, data_stream)


@given(step_text('a Kinesis data stream "{data_stream}" encrypted with key "{key}"'))
@declares(keys={"key": KeyUse.USE}, creates={Kind.KINESIS_STREAM: 1})
def data_stream_encrypted(t: Target, world: World, data_stream: str, key: str) -> None:
    name = _new_data_stream(t, world, data_stream)
    actions.encrypt_data_stream(t, name, world.key(key).arn)


@given(
    step_text('a Kinesis data stream "{data_stream}" with a retention period of {hours:d} hours')
)
@declares(creates={Kind.KINESIS_STREAM: 1})
def data_stream_with_retention(t: Target, world: World, data_stream: str, hours: int) -> None:
    _new_data_stream(t, world, data_stream, hours)


@given(step_text('a delivery stream "{stream}" reading from Kinesis data stream "{data_stream}"'))
@declares(creates={Kind.DELIVERY_STREAM: 1, Kind.S3_BUCKET: 1})
def kinesis_sourced_stream(t: Target, world: World, stream: str, data_stream: str) -> None:
    source = _arn(t, world, data_stream)
    world.resources.streams[stream] = actions.new_delivery_stream(t, kinesis_stream_arn=source)


@given(step_text('a delivery stream reading from Kinesis data stream "{data_stream}" can be made'))
@declares(creates={Kind.DELIVERY_STREAM: 1, Kind.S3_BUCKET: 1})
def kinesis_sourced_stream_can_be_made(t: Target, world: World, data_stream: str) -> None:
    """A control: the same stream without an encryption input becomes ACTIVE, so what happens
    to one with it is the encryption input's doing, not the source's (a target that cannot read
    Kinesis at all, say)."""
    actions.new_delivery_stream(t, kinesis_stream_arn=_arn(t, world, data_stream))


# ---- When ----------------------------------------------------------------------------------------
@when(
    step_text(
        'I create a delivery stream "{stream}" reading from Kinesis data stream "{data_stream}" '
        'with encryption using key "{key}"'
    )
)
@declares(keys={"key": KeyUse.USE}, creates={Kind.DELIVERY_STREAM: 1, Kind.S3_BUCKET: 1})
def create_kinesis_sourced_stream_with_sse(
    t: Target, world: World, stream: str, data_stream: str, key: str
) -> None:
    made, outcome = actions.attempt_delivery_stream(
        t,
        kinesis_stream_arn=_arn(t, world, data_stream),
        encryption=actions.encryption_input(world.key(key)),
    )
    world.resources.streams[stream] = made
    world.calls.record(outcome)


@when(step_text('I put {count:Records} to Kinesis data stream "{data_stream}"'))
@when(step_text('I put {count:d} more records to Kinesis data stream "{data_stream}"'))
def put_to_data_stream(t: Target, world: World, count: int, data_stream: str) -> None:
    name = world.data_stream(data_stream)
    for record in actions.make_records(count):
        outcome = world.calls.record(actions.put_to_data_stream(t, name, record))
        assert outcome.ok, outcome.describe()
        world.sent.data_puts.append(Put(data_stream, [record], outcome))


@when(
    step_text(
        'I start encryption of Kinesis data stream "{data_stream}" with key "{key}" given as '
        "{form:KeyForm}"
    )
)
@declares(keys={"key": KeyUse.USE}, creates=alias_of_form)
def start_data_stream_encryption(
    t: Target, world: World, data_stream: str, key: str, form: KeyIdForm
) -> None:
    key_id = actions.key_identifier(t, world.key(key), form)
    world.calls.record(
        actions.start_data_stream_encryption(t, world.data_stream(data_stream), key_id)
    )


@when(
    step_text(
        'I start encryption of Kinesis data stream "{data_stream}" with encryption type '
        '"{encryption_type}" and key "{key}"'
    )
)
@declares(keys={"key": KeyUse.USE})
def start_data_stream_encryption_of_type(
    t: Target, world: World, data_stream: str, encryption_type: str, key: str
) -> None:
    name, key_arn = world.data_stream(data_stream), world.key(key).arn
    world.calls.record(
        actions.start_data_stream_encryption(t, name, key_arn, encryption_type, validate=False)
    )


@when(step_text('I enable encryption of Kinesis data stream "{data_stream}" with key "{key}"'))
@declares(keys={"key": KeyUse.USE})
def enable_data_stream_encryption(t: Target, world: World, data_stream: str, key: str) -> None:
    actions.encrypt_data_stream(t, world.data_stream(data_stream), world.key(key).arn)


# ---- Then ----------------------------------------------------------------------------------------
@then(
    step_text(
        'the call fails with "InvalidArgumentException", or the stream "{stream}" ends '
        "without encryption"
    )
)
def refused_or_ends_without_sse(t: Target, world: World, stream: str) -> None:
    """AMB-04, stance: refused at once (a), created without SSE (b), or CREATING_FAILED (c)."""
    last = world.calls.last
    if not last.ok:
        assert last.error_code == "InvalidArgumentException", last.describe()
        return
    name = world.stream(stream).name
    final = actions.settled_stream_status(t, name)
    if final == "CREATING_FAILED":
        return  # (c): the stream never takes data, let alone with SSE
    assert final == "ACTIVE", f"Create was accepted and the stream became {final}"
    actions.settled_encryption_status(t, name)
    config = actions.encryption_config(t, name)
    # AMB-04 (b) / AMB-09: no configuration (real AWS, EV-LS-KDS), or one whose documented
    # status says SSE is not on. A configuration echoing the key without a status is neither.
    assert config is None or config.get("Status") in ("DISABLED", "ENABLING_FAILED"), (
        f"a Kinesis-sourced stream created with an encryption input shows {config}"
    )


@then(
    step_text(
        'every put to Kinesis data stream "{data_stream}" reports encryption type '
        '"{encryption_type}"'
    )
)
def data_puts_report_type(world: World, data_stream: str, encryption_type: str) -> None:
    puts = world.sent.data_puts_to(data_stream)
    seen = [(p.outcome.response or {}).get("EncryptionType") for p in puts]
    assert seen and all(s == encryption_type for s in seen), (
        f"PutRecord EncryptionType values: {seen}"
    )


@then(
    step_text(
        'reading Kinesis data stream "{data_stream}" from the start returns the {count:d} records '
        'decrypted with encryption type "{encryption_type}"'
    )
)
def reading_returns_records(
    t: Target, world: World, data_stream: str, count: int, encryption_type: str
) -> None:
    data, types = _read_from_start(t, world, data_stream)
    assert data == world.records_put_to(data_stream)[:count], (
        f"read {len(data)} records that differ from the {count} put"
    )
    assert all(k == encryption_type for k in types), f"GetRecords EncryptionType values: {types}"


@then(
    step_text(
        'reading Kinesis data stream "{data_stream}" from the start returns the first '
        "{early:RecordRun} and the last {late:RecordRun}"
    )
)
def reading_returns_runs(
    t: Target, world: World, data_stream: str, early: RecordRun, late: RecordRun
) -> None:
    data, types = _read_from_start(t, world, data_stream)
    assert data == world.records_put_to(data_stream), "records read differ"
    expected = [early.encryption_type] * early.count + [late.encryption_type] * late.count
    assert types == expected, f"GetRecords EncryptionType values: {types}"


@then(
    step_text(
        'Kinesis data stream "{data_stream}" is "UPDATING" or "ACTIVE" and eventually "ACTIVE" '
        'with encryption type "{encryption_type}"'
    )
)
def data_stream_eventually_encrypted(
    t: Target, world: World, data_stream: str, encryption_type: str
) -> None:
    name = world.data_stream(data_stream)
    first = actions.data_stream_summary(t, name)["StreamStatus"]
    assert first in ("UPDATING", "ACTIVE"), f"stream status right after the call: {first}"
    actions.wait_data_stream_active(t, name, encryption_type=encryption_type)


@then(step_text('Kinesis data stream "{data_stream}" reports encryption type "{encryption_type}"'))
def data_stream_reports_type(
    t: Target, world: World, data_stream: str, encryption_type: str
) -> None:
    summary = actions.data_stream_summary(t, world.data_stream(data_stream))
    assert summary.get("EncryptionType", "NONE") == encryption_type, f"EncryptionType {summary}"
