"""Delivery streams and their SSE: create, start, stop, and what Describe shows."""

from __future__ import annotations

import json
import re
from typing import Any

from pytest_bdd import given, parsers, then, when

from firehose_conformance import actions
from firehose_conformance.errors import PreconditionUnreachable
from firehose_conformance.targets.base import KeyRef, StreamRef, Target
from firehose_conformance.world import World
from steps.common import codes, quoted

KEY_PHRASE = r'(?P<key>key "[^"]+"|an AWS owned key)'
KMS_FAILURE_TYPES = {
    "RETIRE_KMS_GRANT_FAILED",
    "CREATE_KMS_GRANT_FAILED",
    "KMS_ACCESS_DENIED",
    "DISABLED_KMS_KEY",
    "INVALID_KMS_KEY",
    "KMS_KEY_NOT_FOUND",
    "KMS_OPT_IN_REQUIRED",
}
DOCUMENTED_STATUSES = {
    "ENABLED",
    "ENABLING",
    "ENABLING_FAILED",
    "DISABLED",
    "DISABLING",
    "DISABLING_FAILED",
}
DETAILS = re.compile(r"^(?!\s*$).+")


def key_choice(world: World, phrase: str) -> KeyRef | None:
    """'key "K"' -> the key K; 'an AWS owned key' -> None."""
    if phrase == "an AWS owned key":
        return None
    return world.key(phrase.removeprefix('key "').removesuffix('"'))


def _status(t: Target, world: World, alias: str) -> str:
    status = actions.encryption_status(t, world.stream(alias).name)
    # SSE-04: whatever the moment, a status shown is one of the six documented values.
    assert status.startswith("(") or status in DOCUMENTED_STATUSES, (
        f"undocumented status {status!r}"
    )
    return status


# ---- Given ---------------------------------------------------------------------------------------
@given(quoted('a DirectPut delivery stream "{alias}"'))
def delivery_stream(t: Target, world: World, alias: str) -> None:
    world.streams[alias] = actions.new_delivery_stream(t)


@given(quoted('a DirectPut delivery stream "{alias}" that buffers records for {seconds:d} seconds'))
def delivery_stream_buffering(t: Target, world: World, alias: str, seconds: int) -> None:
    world.streams[alias] = actions.new_delivery_stream(t, buffer_seconds=seconds)
    world.buffer_seconds[alias] = seconds


@given(
    parsers.re(
        r'a DirectPut delivery stream "(?P<alias>[^"]+)" '
        r'(?P<how>with encryption started|created with encryption) with key "(?P<key>[^"]+)"'
    )
)
def delivery_stream_with_sse(t: Target, world: World, alias: str, how: str, key: str) -> None:
    encryption = actions.encryption_input(world.key(key))
    if how == "created with encryption":
        world.streams[alias] = actions.new_delivery_stream(t, encryption=encryption)
    else:
        world.streams[alias] = actions.new_delivery_stream(t)
        _enable(t, world, alias, encryption)
    actions.wait_encryption_status(t, world.stream(alias).name, "ENABLED")


def _enable(t: Target, world: World, alias: str, encryption: dict[str, Any] | None) -> None:
    outcome = actions.start_encryption(t, world.stream(alias).name, encryption)
    assert outcome.ok, outcome.describe()
    actions.wait_encryption_status(t, world.stream(alias).name, "ENABLED")


@given(parsers.re(rf'encryption is enabled on "(?P<alias>[^"]+)" with {KEY_PHRASE}'))
def encryption_enabled(t: Target, world: World, alias: str, key: str) -> None:
    _enable(t, world, alias, actions.encryption_input(key_choice(world, key)))


@given(quoted('encryption on "{alias}" has failed to enable'))
def encryption_failed_to_enable(t: Target, world: World, alias: str) -> None:
    """Reach ENABLING_FAILED through a key Firehose cannot use (AMB-01 (c) / AMB-22)."""
    name = world.stream(alias).name
    refusals = []
    for spec, usage in (("RSA_2048", "ENCRYPT_DECRYPT"), ("HMAC_256", "GENERATE_VERIFY_MAC")):
        key = actions.create_key(t, spec, usage)
        outcome = actions.start_encryption(t, name, actions.encryption_input(key))
        if not outcome.ok:
            refusals.append(f"{spec}: {outcome.error_code}")
            continue
        final = actions.settled_encryption_status(t, name)
        assert final == "ENABLING_FAILED", f"enabling with a {spec} key ended in {final}"
        return
    raise PreconditionUnreachable(
        "the target refuses unusable keys synchronously (AMB-01 (a)/(b): "
        + ", ".join(refusals)
        + "), so ENABLING_FAILED never arises on it"
    )


@given(quoted('a delivery stream "{alias}" whose creation failed'))
def create_failed_stream(t: Target, world: World, alias: str) -> None:
    key = actions.create_key(t, "RSA_2048", "ENCRYPT_DECRYPT")
    name = t.unique_name("fh")
    bucket = actions.create_bucket(t)
    outcome = actions.create_delivery_stream(
        t, name, bucket=bucket, encryption=actions.encryption_input(key)
    )
    if not outcome.ok:
        raise PreconditionUnreachable(
            f"the target refuses an asymmetric key at creation ({outcome.error_code}), "
            "so CREATING_FAILED never arises on it (AMB-01 (a)/(b))"
        )
    world.streams[alias] = StreamRef(name, actions.stream_arn(t, name), bucket)
    final = actions.settled_stream_status(t, name)
    assert final == "CREATING_FAILED", f"a stream created with an asymmetric key became {final}"


# ---- When ----------------------------------------------------------------------------------------
@when(parsers.re(rf'I start encryption on "(?P<alias>[^"]+)" with {KEY_PHRASE}$'))
def start_encryption(t: Target, world: World, alias: str, key: str) -> None:
    encryption = actions.encryption_input(key_choice(world, key))
    world.record(actions.start_encryption(t, world.stream(alias).name, encryption))


@when(quoted('I start encryption on "{alias}" without an encryption input'))
def start_without_input(t: Target, world: World, alias: str) -> None:
    world.record(actions.start_encryption(t, world.stream(alias).name, None))


@when(quoted('I stop encryption on "{alias}"'))
def stop_encryption(t: Target, world: World, alias: str) -> None:
    world.record(actions.stop_encryption(t, world.stream(alias).name))


@when(
    parsers.re(
        rf'I create a DirectPut delivery stream "(?P<alias>[^"]+)" with encryption using {KEY_PHRASE}'
    )
)
def create_stream_with_encryption(t: Target, world: World, alias: str, key: str) -> None:
    _create(t, world, alias, actions.encryption_input(key_choice(world, key)))


@when(quoted('I create a DirectPut delivery stream "{alias}" without an encryption input'))
def create_stream_without_encryption(t: Target, world: World, alias: str) -> None:
    _create(t, world, alias, None)


def _create(t: Target, world: World, alias: str, encryption: dict[str, Any] | None, **kw) -> None:
    name = t.unique_name("fh")
    bucket = actions.create_bucket(t)
    world.streams[alias] = StreamRef(name, actions.stream_arn(t, name), bucket)
    world.record(
        actions.create_delivery_stream(t, name, bucket=bucket, encryption=encryption, **kw)
    )


@when(parsers.re(r"I (?P<call>.+) with the raw encryption input (?P<raw>\{.*\})"))
def raw_encryption_input(t: Target, world: World, call: str, raw: str) -> None:
    encryption = json.loads(raw)
    start = re.fullmatch(r'start encryption on "([^"]+)"', call)
    create = re.fullmatch(r'create a DirectPut stream "([^"]+)"', call)
    if start:
        world.record(
            actions.start_encryption(t, world.stream(start[1]).name, encryption, validate=False)
        )
    elif create:
        _create(t, world, create[1], encryption, validate=False)
    else:
        raise AssertionError(f"suite defect: unknown call {call!r}")


@when(quoted('I start encryption on "{alias}" with a customer managed key ARN given as {form}'))
def start_with_arn_form(t: Target, world: World, alias: str, form: str) -> None:
    world.record(
        actions.start_encryption(
            t,
            world.stream(alias).name,
            {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": _arn_form(t, world, form)},
        )
    )


def _arn_form(t: Target, world: World, form: str) -> str:
    quoted = re.search(r'"([^"]+)"', form)
    if form.startswith("the bare key id of"):
        return world.key(quoted[1]).key_id
    if form.startswith("the alias name of"):
        return actions.create_alias(t, world.key(quoted[1]))
    if form.startswith("the alias ARN of"):
        return actions.alias_arn(t, actions.create_alias(t, world.key(quoted[1])))
    if form == "a 513-character key ARN":
        prefix = f"arn:aws:kms:{t.region}:{t.account_id}:key/"
        return prefix + "a" * (513 - len(prefix))
    if form.startswith("the text"):
        return quoted[1]
    if form == "an S3 bucket ARN":
        return "arn:aws:s3:::fsc-not-a-key"
    raise AssertionError(f"suite defect: unknown ARN form {form!r}")


# ---- Then ----------------------------------------------------------------------------------------
@then(quoted('the encryption status of "{alias}" is "{status}"'))
def enc_status_is(t: Target, world: World, alias: str, status: str) -> None:
    seen = _status(t, world, alias)
    assert seen == status, f"the encryption status of {alias} is {seen}, expected {status}"


@then(quoted('the encryption status of "{alias}" stays "{status}"'))
def enc_status_stays(t: Target, world: World, alias: str, status: str) -> None:
    t.holds_for(
        lambda: _status(t, world, alias),
        lambda seen: seen == status,
        duration=t.profile.poll_max,
        what=f"the encryption status of {alias} did not stay {status}",
    )


@then(quoted('the encryption status of "{alias}" is one of "{statuses}"'))
def enc_status_one_of(t: Target, world: World, alias: str, statuses: str) -> None:
    seen = _status(t, world, alias)
    assert seen in codes(statuses), f"the encryption status of {alias} is {seen}, not {statuses}"


@then(quoted('the encryption status of "{alias}" becomes "{status}"'))
def enc_status_becomes(t: Target, world: World, alias: str, status: str) -> None:
    t.poll(
        lambda: _status(t, world, alias),
        lambda seen: seen == status,
        timeout=t.profile.transition_timeout,
        what=f"encryption status {status} of {alias}",
    )


@then(parsers.re(rf'the encryption of "(?P<alias>[^"]+)" uses {KEY_PHRASE}$'))
def enc_uses(t: Target, world: World, alias: str, key: str) -> None:
    config = actions.encryption_config(t, world.stream(alias).name) or {}
    expected = key_choice(world, key)
    if expected is None:  # SSE-16: "doesn't contain a value for KeyARN"
        assert config.get("KeyType") == "AWS_OWNED_CMK", f"encryption configuration: {config}"
        assert "KeyARN" not in config, f"an AWS owned key shows a KeyARN: {config}"
    else:
        assert config.get("KeyType") == "CUSTOMER_MANAGED_CMK", (
            f"encryption configuration: {config}"
        )
        assert config.get("KeyARN") == expected.arn, (
            f"KeyARN is {config.get('KeyARN')}, expected {expected.arn}"
        )


@then(
    parsers.re(
        r'the call fails with (?:one of )?"(?P<expected>[A-Za-z, ]+)" or the encryption status of '
        r'"(?P<alias>[^"]+)" becomes "ENABLING_FAILED"'
    )
)
def refused_or_enabling_failed(t: Target, world: World, expected: str, alias: str) -> None:
    last = world.last
    if not last.ok:
        assert last.error_code in codes(expected), f"{last.describe()}; expected {expected}"
        return
    final = actions.settled_encryption_status(t, world.stream(alias).name)
    assert final == "ENABLING_FAILED", f"Start was accepted and the status became {final}"


@then(quoted('the encryption of "{alias}" is never "ENABLED" with key "{key}"'))
def encryption_never_enabled_with(t: Target, world: World, alias: str, key: str) -> None:
    arn = world.key(key).arn

    def config() -> dict[str, Any]:
        return actions.encryption_config(t, world.stream(alias).name) or {}

    t.holds_for(
        config,
        lambda c: not (c.get("Status") == "ENABLED" and c.get("KeyARN") == arn),
        duration=t.profile.transition_timeout,
        what=f"encryption of {alias} became ENABLED with key {key}",
    )


@then(quoted('the encryption of "{alias}" is never "ENABLED" within the transition time'))
def encryption_never_enabled(t: Target, world: World, alias: str) -> None:
    t.holds_for(
        lambda: _status(t, world, alias),
        lambda s: s != "ENABLED",
        duration=t.profile.transition_timeout,
        what=f"encryption of {alias} became ENABLED",
    )


@then(
    quoted(
        'the encryption of "{alias}" shows key "{old}", or key "{new}" while key "{keeper}" keeps its grant'
    )
)
def encryption_shows_old_or_new(
    t: Target, world: World, alias: str, old: str, new: str, keeper: str
) -> None:
    config = actions.encryption_config(t, world.stream(alias).name) or {}
    shown = config.get("KeyARN")
    assert shown in (world.key(old).arn, world.key(new).arn), f"KeyARN is {shown}"
    if shown == world.key(new).arn:  # AMB-08: then the old key must still be usable by Firehose
        assert actions.grants(t, world.key(keeper)), f"key {keeper} lost its grant"


@then(quoted('the encryption of "{alias}" has no failure description'))
def no_failure_description(t: Target, world: World, alias: str) -> None:
    description = actions.describe(t, world.stream(alias).name)
    config = description.get("DeliveryStreamEncryptionConfiguration") or {}
    assert "FailureDescription" not in config, f"stale failure description: {config}"
    assert "FailureDescription" not in description, f"stale failure description: {description}"


def _assert_failure_description(description: dict[str, Any], where: str) -> None:
    """SSE-18 / SSE-19 / AMB-11: at least one FailureDescription, in either place, well formed."""
    config = description.get("DeliveryStreamEncryptionConfiguration") or {}
    found = [
        d for d in (config.get("FailureDescription"), description.get("FailureDescription")) if d
    ]
    assert found, f"{where} without any FailureDescription"
    for failure in found:
        assert failure.get("Type") in KMS_FAILURE_TYPES, f"failure type {failure.get('Type')!r}"
        details = failure.get("Details", "")
        assert isinstance(details, str) and DETAILS.match(details) and len(details) <= 1024, (
            f"failure details {details!r}"
        )


@then(
    quoted(
        'if the encryption status of "{alias}" is ENABLING_FAILED, a KMS-related failure description explains it'
    )
)
def failure_description_if_enabling_failed(t: Target, world: World, alias: str) -> None:
    description = actions.describe(t, world.stream(alias).name)
    if (description.get("DeliveryStreamEncryptionConfiguration") or {}).get("Status") == (
        "ENABLING_FAILED"
    ):
        _assert_failure_description(description, "ENABLING_FAILED")


@then(
    quoted(
        'if the delivery stream "{alias}" is CREATING_FAILED, a KMS-related failure description explains it'
    )
)
def failure_description_if_creating_failed(t: Target, world: World, alias: str) -> None:
    description = actions.describe_or_none(t, world.stream(alias).name)
    if description and description["DeliveryStreamStatus"] == "CREATING_FAILED":
        _assert_failure_description(description, "CREATING_FAILED")


@then(quoted('the delivery stream "{alias}" becomes "{status}"'))
def stream_becomes(t: Target, world: World, alias: str, status: str) -> None:
    actions.wait_stream_status(t, world.stream(alias).name, status)


@then(quoted('the delivery stream "{alias}" is "{status}"'))
def stream_is(t: Target, world: World, alias: str, status: str) -> None:
    seen = actions.stream_status(t, world.stream(alias).name)
    assert seen == status, f"delivery stream {alias} is {seen}, expected {status}"


@then(
    parsers.re(
        r'the call fails with one of "(?P<expected>[A-Za-z, ]+)" or the delivery stream '
        r'"(?P<alias>[^"]+)" becomes "CREATING_FAILED"'
    )
)
def created_or_refused(t: Target, world: World, expected: str, alias: str) -> None:
    last = world.last
    if not last.ok:
        assert last.error_code in codes(expected), f"{last.describe()}; expected {expected}"
        return
    final = actions.settled_stream_status(t, world.stream(alias).name)
    assert final == "CREATING_FAILED", f"Create was accepted and the stream became {final}"


@then(quoted('the delivery stream "{alias}" is never ACTIVE with encryption using key "{key}"'))
def stream_never_active_with_key(t: Target, world: World, alias: str, key: str) -> None:
    if world.last.ok is False and world.last.operation == "create_delivery_stream":
        return  # refused at once: no stream exists (AMB-01 (a)/(b))
    arn = world.key(key).arn

    def state() -> tuple[str | None, str | None, str | None]:
        found = actions.describe_or_none(t, world.stream(alias).name)
        if found is None:
            return None, None, None
        config = found.get("DeliveryStreamEncryptionConfiguration") or {}
        return found["DeliveryStreamStatus"], config.get("Status"), config.get("KeyARN")

    t.holds_for(
        state,
        lambda s: not (s[0] == "ACTIVE" and s[1] == "ENABLED" and s[2] == arn),
        duration=t.profile.transition_timeout,
        what=f"delivery stream {alias} became ACTIVE with SSE on key {key}",
    )


@then(
    quoted(
        'the encryption status of "{alias}" becomes "ENABLED" or becomes "ENABLING_FAILED" '
        'with failure type "{failure_type}"'
    )
)
def grant_creation_may_fail(t: Target, world: World, alias: str, failure_type: str) -> None:
    final = t.poll(
        lambda: _status(t, world, alias),
        lambda s: s in ("ENABLED", "ENABLING_FAILED"),
        timeout=t.profile.transition_timeout,
        what=f"the end of enabling {alias}",
    )
    if final == "ENABLING_FAILED":
        config = actions.encryption_config(t, world.stream(alias).name) or {}
        seen = (config.get("FailureDescription") or {}).get("Type")
        assert seen == failure_type, f"ENABLING_FAILED with failure type {seen}"


@given("session credentials older than 6 hours")
def aged_credentials(t: Target, world: World) -> None:
    world.other_client = t.aged_credentials_client()


@when(quoted('I start encryption on "{alias}" with key "{key}" using those credentials'))
def start_with_aged_credentials(t: Target, world: World, alias: str, key: str) -> None:
    params = {
        "DeliveryStreamName": world.stream(alias).name,
        "DeliveryStreamEncryptionConfigurationInput": actions.encryption_input(world.key(key)),
    }
    world.record(
        t.call("firehose", "start_delivery_stream_encryption", client=world.other_client, **params)
    )


@then(
    quoted(
        'the call fails with "{code}" and "{alias}" settles on key "{first}", or the call '
        'succeeds and "{alias2}" settles on key "{last}"'
    )
)
def refused_or_settles_on_last(
    t: Target, world: World, code: str, alias: str, first: str, alias2: str, last: str
) -> None:
    """AMB-05: refused as in use (the earlier call stands), or accepted (the last call wins)."""
    outcome = world.last
    if not outcome.ok:
        assert outcome.error_code == code, f"{outcome.describe()}; expected {code} or success"
    expected = world.key(first if not outcome.ok else last)
    name = world.stream(alias).name
    config = t.poll(
        lambda: actions.encryption_config(t, name) or {},
        lambda c: c.get("Status") not in ("ENABLING", None),
        timeout=t.profile.transition_timeout,
        what=f"the encryption of {alias} settling",
    )
    assert (config.get("Status"), config.get("KeyARN")) == ("ENABLED", expected.arn), (
        f"after {outcome.describe()}, the encryption of {alias} settled as {config}"
    )
