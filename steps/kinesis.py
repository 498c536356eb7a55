"""Kinesis Data Streams as a source, and the data stream's own SSE."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from firehose_conformance import actions
from firehose_conformance.targets.base import StreamRef, Target
from firehose_conformance.world import World
from steps.common import quoted


def _new_data_stream(t: Target, world: World, alias: str, retention_hours: int = 24) -> str:
    name = actions.create_data_stream(t, retention_hours)
    world.data_streams[alias] = name
    return name


def _encrypt(t: Target, name: str, key_id: str) -> None:
    t.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key_id)
    actions.wait_data_stream_active(t, name)


@given(quoted('a Kinesis data stream "{alias}"'))
def data_stream(t: Target, world: World, alias: str) -> None:
    _new_data_stream(t, world, alias)


@given(quoted('a Kinesis data stream "{alias}" encrypted with key "{key}"'))
def data_stream_encrypted(t: Target, world: World, alias: str, key: str) -> None:
    name = _new_data_stream(t, world, alias)
    _encrypt(t, name, world.key(key).arn)


@given(quoted('a Kinesis data stream "{alias}" with a retention period of {hours:d} hours'))
def data_stream_with_retention(t: Target, world: World, alias: str, hours: int) -> None:
    _new_data_stream(t, world, alias, hours)


@given(quoted('a delivery stream "{alias}" reading from Kinesis data stream "{source}"'))
def kinesis_sourced_stream(t: Target, world: World, alias: str, source: str) -> None:
    arn = _data_stream_arn(t, world, source)
    world.streams[alias] = actions.new_delivery_stream(t, kinesis_stream_arn=arn)


def _data_stream_arn(t: Target, world: World, alias: str) -> str:
    return actions.data_stream_summary(t, world.data_streams[alias])["StreamARN"]


@when(
    quoted(
        'I create a delivery stream "{alias}" reading from Kinesis data stream "{source}" '
        'with encryption using key "{key}"'
    )
)
def create_kinesis_sourced_with_sse(
    t: Target, world: World, alias: str, source: str, key: str
) -> None:
    name = t.unique_name("fh")
    bucket = actions.create_bucket(t)
    world.streams[alias] = StreamRef(name, actions.stream_arn(t, name), bucket)
    outcome = actions.create_delivery_stream(
        t,
        name,
        bucket=bucket,
        kinesis_stream_arn=_data_stream_arn(t, world, source),
        encryption=actions.encryption_input(world.key(key)),
    )
    world.record(outcome)


@then(
    quoted(
        'the call fails with "InvalidArgumentException" or the stream "{alias}" becomes ACTIVE '
        "without encryption"
    )
)
def kinesis_sourced_without_sse_or_refused(t: Target, world: World, alias: str) -> None:
    last = world.last
    if not last.ok:
        assert last.error_code == "InvalidArgumentException", last.describe()
        return
    actions.wait_stream_status(t, world.stream(alias).name, "ACTIVE")
    config = actions.encryption_config(t, world.stream(alias).name)
    # AMB-04 (b) / AMB-09: no configuration (real AWS, EV-LS-KDS), or one whose documented
    # status says SSE is not on. A configuration echoing the key without a status is neither.
    assert config is None or config.get("Status") in ("DISABLED", "ENABLING_FAILED"), (
        f"a Kinesis-sourced stream created with an encryption input shows {config}"
    )


@when(
    parsers.re(r'I put (?P<count>\d+) (?:more )?records? to Kinesis data stream "(?P<alias>[^"]+)"')
)
def put_to_data_stream(t: Target, world: World, count: str, alias: str) -> None:
    name = world.data_streams[alias]
    for record in actions.make_records(int(count)):
        outcome = world.record(
            t.call("kinesis", "put_record", StreamName=name, Data=record, PartitionKey="fsc")
        )
        assert outcome.ok, outcome.describe()
        world.data_records.setdefault(alias, []).append(record)
        world.data_puts.setdefault(alias, []).append(outcome)


@then(quoted('every put to Kinesis data stream "{alias}" reports encryption type "{kind}"'))
def puts_report_type(world: World, alias: str, kind: str) -> None:
    seen = [(o.response or {}).get("EncryptionType") for o in world.data_puts[alias]]
    assert seen and all(s == kind for s in seen), f"PutRecord EncryptionType values: {seen}"


@then(
    quoted(
        'reading Kinesis data stream "{alias}" from the start returns the {count:d} records '
        'decrypted with encryption type "{kind}"'
    )
)
def read_returns(t: Target, world: World, alias: str, count: int, kind: str) -> None:
    records = actions.read_data_stream(t, world.data_streams[alias])
    assert [r["Data"] for r in records] == world.data_records[alias][:count], (
        f"read {len(records)} records that differ from the {count} put"
    )
    types = [r.get("EncryptionType") for r in records]
    assert all(k == kind for k in types), f"GetRecords EncryptionType values: {types}"


@then(
    quoted(
        'reading Kinesis data stream "{alias}" from the start returns the first {first:d} records '
        'with encryption type "{early}" and the last {last:d} with "{late}"'
    )
)
def read_mixed(
    t: Target, world: World, alias: str, first: int, early: str, last: int, late: str
) -> None:
    records = actions.read_data_stream(t, world.data_streams[alias])
    assert [r["Data"] for r in records] == world.data_records[alias], "records read differ"
    types = [r.get("EncryptionType") for r in records]
    assert types == [early] * first + [late] * last, f"GetRecords EncryptionType values: {types}"


@when(
    quoted('I start encryption of Kinesis data stream "{alias}" with key "{key}" given as {form}')
)
def start_data_stream_encryption(t: Target, world: World, alias: str, key: str, form: str) -> None:
    ref = world.key(key)
    if form == "key id":
        key_id = ref.key_id
    elif form == "key ARN":
        key_id = ref.arn
    elif form == "alias name":
        key_id = actions.create_alias(t, ref)
    elif form == "alias ARN":
        key_id = actions.alias_arn(t, actions.create_alias(t, ref))
    else:
        raise AssertionError(f"suite defect: unknown key form {form!r}")
    world.record(
        t.call(
            "kinesis",
            "start_stream_encryption",
            StreamName=world.data_streams[alias],
            EncryptionType="KMS",
            KeyId=key_id,
        )
    )


@when(
    quoted(
        'I start encryption of Kinesis data stream "{alias}" with encryption type "{kind}" '
        'and key "{key}"'
    )
)
def start_data_stream_encryption_type(
    t: Target, world: World, alias: str, kind: str, key: str
) -> None:
    world.record(
        t.call(
            "kinesis",
            "start_stream_encryption",
            validate=False,
            StreamName=world.data_streams[alias],
            EncryptionType=kind,
            KeyId=world.key(key).arn,
        )
    )


@when(quoted('I enable encryption of Kinesis data stream "{alias}" with key "{key}"'))
def enable_data_stream_encryption(t: Target, world: World, alias: str, key: str) -> None:
    _encrypt(t, world.data_streams[alias], world.key(key).arn)


@then(
    quoted(
        'Kinesis data stream "{alias}" is "UPDATING" or "ACTIVE" and eventually "ACTIVE" with '
        'encryption type "{kind}"'
    )
)
def data_stream_eventually_encrypted(t: Target, world: World, alias: str, kind: str) -> None:
    name = world.data_streams[alias]
    first = actions.data_stream_summary(t, name)["StreamStatus"]
    assert first in ("UPDATING", "ACTIVE"), f"stream status right after the call: {first}"
    summary = actions.wait_data_stream_active(t, name)
    assert summary.get("EncryptionType") == kind, f"EncryptionType {summary.get('EncryptionType')}"


@then(quoted('Kinesis data stream "{alias}" reports encryption type "{kind}"'))
def data_stream_reports_type(t: Target, world: World, alias: str, kind: str) -> None:
    summary = actions.data_stream_summary(t, world.data_streams[alias])
    assert summary.get("EncryptionType", "NONE") == kind, f"EncryptionType {summary}"
