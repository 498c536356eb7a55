"""The suite has teeth: each scenario below fails on a reference broken the way it guards against.

Each case applies one plausible emulator bug to the reference (by patching it for the duration of
the test), runs the scenarios of one requirement through the real CLI, and checks that the
scenario meant to catch the bug fails, for the right reason. The untouched reference passes the
same selection (test_reference_passes_every_selection), so a failure here is the bug's doing.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import reference_impl.cloud
from firehose_conformance.cli import main
from reference_impl.errors import AwsError
from reference_impl.firehose import describe, kms_errors
from reference_impl.firehose.grants import GrantAgent
from reference_impl.firehose.model import FirehoseModel, PutResult
from reference_impl.firehose.settings import FirehoseSettings
from reference_impl.firehose.sse import SseController
from reference_impl.firehose.states import StreamType
from reference_impl.firehose.storage import EnvelopeStore

Patch = Callable[[pytest.MonkeyPatch], None]


@dataclass(frozen=True)
class Deviant:
    name: str
    patch: Patch
    select: tuple[str, ...]  # pytest arguments choosing the scenarios of the requirement
    scenario: str  # a fragment of the name of the scenario that must catch it
    reason: str  # a fragment of the reason it must give
    verdict: str = "failed"


def _settings(mp: pytest.MonkeyPatch, **changes: Any) -> None:
    mp.setattr(
        reference_impl.cloud, "FirehoseSettings", functools.partial(FirehoseSettings, **changes)
    )


def _enabled_at_once(mp: pytest.MonkeyPatch) -> None:
    """The status jumps to ENABLED synchronously (moto's behaviour)."""
    original = SseController.start

    def start(self: SseController, stream: Any, params: Any) -> None:
        original(self, stream, params)
        self._finish_enable(stream, stream.encryption.attempt)

    mp.setattr(SseController, "start", start)


def _asymmetric_accepted(mp: pytest.MonkeyPatch) -> None:
    """Any key is taken: asymmetric and HMAC keys end ENABLED."""
    original = GrantAgent.acquire

    def acquire(self: GrantAgent, book: Any, config: Any, stream_name: str) -> Any:
        if not self.kms.resolve(config.key_arn).is_symmetric_encryption:
            return None
        return original(self, book, config, stream_name)

    mp.setattr(GrantAgent, "acquire", acquire)


def _kinesis_source_puts_accepted(mp: pytest.MonkeyPatch) -> None:
    """Puts to a Kinesis-sourced stream are answered with record ids (and dropped)."""
    original = FirehoseModel.put_records

    def put_records(self: FirehoseModel, name: str, records: list[bytes]) -> PutResult:
        if self.get(name).stream_type is StreamType.KINESIS:
            return PutResult([self._record_id() for _ in records], False)
        return original(self, name, records)

    mp.setattr(FirehoseModel, "put_records", put_records)


def _encrypted_always_false(mp: pytest.MonkeyPatch) -> None:
    original = FirehoseModel.put_records

    def put_records(self: FirehoseModel, name: str, records: list[bytes]) -> PutResult:
        return PutResult(original(self, name, records).record_ids, False)

    mp.setattr(FirehoseModel, "put_records", put_records)


def _metric_misnamed(mp: pytest.MonkeyPatch) -> None:
    mp.setitem(kms_errors.METRICS, "DisabledException", "KMSKeyDisable")


def _grant_never_retired(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(GrantAgent, "retire", lambda self, book, key_arn: None)


def _put_failure_is_500(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(
        FirehoseModel,
        "_put_failure",
        lambda self, stream, in_effect, error: AwsError("InternalFailure", "boom", 500),
    )


def _plaintext_copy_at_rest(mp: pytest.MonkeyPatch) -> None:
    """A debugging spool keeps each record's plaintext beside its ciphertext."""
    original_seal, original_at_rest = EnvelopeStore.seal, EnvelopeStore.at_rest

    def seal(self: EnvelopeStore, config: Any, records: list[tuple[str, bytes]], now: float):
        self.__dict__.setdefault("spool", []).extend(data for _, data in records)
        return original_seal(self, config, records, now)

    def at_rest(self: EnvelopeStore) -> list[bytes]:
        return original_at_rest(self) + self.__dict__.get("spool", [])

    mp.setattr(EnvelopeStore, "seal", seal)
    mp.setattr(EnvelopeStore, "at_rest", at_rest)


def _kinesis_source_spooled_at_rest(mp: pytest.MonkeyPatch) -> None:
    """A Kinesis-sourced stream writes what it reads to disk before delivering it."""
    original = FirehoseModel.at_rest

    def at_rest(self: FirehoseModel) -> dict[str, list[bytes]]:
        held = original(self)
        for stream in self.streams.values():
            if stream.stream_type is StreamType.KINESIS:
                held[stream.arn] = [b"spooled"]
        return held

    mp.setattr(FirehoseModel, "at_rest", at_rest)


def _key_arn_for_aws_owned(mp: pytest.MonkeyPatch) -> None:
    original = describe.encryption_view

    def encryption_view(encryption: Any) -> dict[str, Any]:
        view = original(encryption)
        if view.get("KeyType") == "AWS_OWNED_CMK":
            view["KeyARN"] = "arn:aws:kms:us-east-1:111111111111:key/firehose-owned"
        return view

    mp.setattr(describe, "encryption_view", encryption_view)


def _encryption_config_omitted_when_disabled(mp: pytest.MonkeyPatch) -> None:
    """moto's shape: no DeliveryStreamEncryptionConfiguration for a stream without SSE."""
    original = describe.encryption_view
    mp.setattr(
        describe, "encryption_view", lambda e: {} if e.status.value == "DISABLED" else original(e)
    )


DEVIANTS = [
    Deviant(
        "enabled-at-once",
        _enabled_at_once,
        ("-m", "SSE-02"),
        "the status is ENABLING until time passes",
        "is ENABLED, expected ENABLING",
    ),
    Deviant(
        "asymmetric-key-accepted",
        _asymmetric_accepted,
        ("-m", "KEY-01", "-k", "RSA_2048 and Start"),
        "Start never enables encryption with an asymmetric or HMAC key",
        "Start was accepted and the status became ENABLED",
    ),
    Deviant(
        "kinesis-source-puts-accepted",
        _kinesis_source_puts_accepted,
        ("-m", "SRC-10"),
        "Direct puts to a Kinesis-sourced delivery stream are refused",
        "succeeded; expected InvalidArgumentException",
    ),
    Deviant(
        "encrypted-always-false",
        _encrypted_always_false,
        ("-m", "SSE-06"),
        "Records written 5 seconds after ENABLED are encrypted",
        "expected all true",
    ),
    Deviant(
        "key-arn-for-aws-owned-key",
        _key_arn_for_aws_owned,
        ("-m", "SSE-16", "-k", "AWS_owned"),
        "An AWS owned key shows no key ARN",
        "shows a KeyARN",
    ),
    Deviant(
        "no-encryption-config-when-disabled",
        _encryption_config_omitted_when_disabled,
        ("-m", "SSE-02", "-k", "through_ENABLING"),
        "Start moves the status through ENABLING to ENABLED",
        "is (no Status in {}), expected DISABLED",
    ),
    Deviant(
        "records-discarded-at-12-hours",
        functools.partial(_settings, retention_seconds=12 * 3600.0),
        ("-m", "RET-01"),
        "Records wait while the key cannot be used",
        "records missing",
    ),
    Deviant(
        "records-never-discarded",
        functools.partial(_settings, retention_seconds=10.0**9),
        ("-m", "RET-02", "-k", "even_once"),
        "Records past the retention period are discarded",
        "were delivered",
    ),
    Deviant(
        "no-limit-at-the-26th-call",
        functools.partial(_settings, start_stop_limit=26),
        ("-m", "API-01", "-k", "26th"),
        "The 26th Start or Stop within 24 hours is refused",
        "succeeded; expected LimitExceededException",
    ),
    Deviant(
        "limit-already-at-the-25th-call",
        functools.partial(_settings, start_stop_limit=24),
        ("-m", "API-01", "-k", "26th"),
        "The 26th Start or Stop within 24 hours is refused",
        "call 25 of 25",
    ),
    Deviant(
        "metric-under-the-wrong-name",
        _metric_misnamed,
        ("-m", "MET-04", "-k", "Disabled and delivering"),
        "A KMS failure while delivering is counted",
        "KMSKeyDisabled >= 1",
    ),
    Deviant(
        "grant-never-retired",
        _grant_never_retired,
        ("-m", "GRT-02"),
        "Changing the key retires the grant on the old key",
        "no grants left on key K",
    ),
    Deviant(
        "kms-failure-on-put-is-a-500",
        _put_failure_is_500,
        ("-m", "PUT-02", "-k", "kms_refuses and disabled and not Batch"),
        "A put fails with InvalidKMSResourceException when KMS refuses",
        "HTTP 500 InternalFailure",
        verdict="error",
    ),
    Deviant(
        "plaintext-copy-at-rest",
        _plaintext_copy_at_rest,
        ("-m", "SRC-11"),
        "Direct PUT data held in interim storage is encrypted even without SSE",
        "16-byte runs of record plaintext found at rest",
    ),
    Deviant(
        "kinesis-source-spooled-at-rest",
        _kinesis_source_spooled_at_rest,
        ("-m", "SRC-01"),
        "A Kinesis-sourced delivery stream buffers in memory and holds nothing at rest",
        "holds 1 blob(s) at rest",
    ),
]


def _run(tmp_path: Path, select: tuple[str, ...]) -> list[dict[str, Any]]:
    results = tmp_path / "results.json"
    argv = ["run", "--results", str(results), "--junit", str(tmp_path / "junit.xml"), "--", *select]
    assert main(argv) in (0, 1)
    scenarios = json.loads(results.read_text())["scenarios"]
    assert scenarios, f"the selection {select} chose no scenario"
    return scenarios


@pytest.mark.parametrize("deviant", DEVIANTS, ids=lambda d: d.name)
def test_deviant_is_caught_by_its_scenario(
    deviant: Deviant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deviant.patch(monkeypatch)
    scenarios = _run(tmp_path, deviant.select)
    catching = [s for s in scenarios if deviant.scenario in s["name"]]
    assert catching, (
        f"no scenario named like {deviant.scenario!r} ran: {[s['name'] for s in scenarios]}"
    )
    caught = [
        s for s in catching if s["verdict"] == deviant.verdict and deviant.reason in s["reason"]
    ]
    assert caught, "not caught as expected: " + "; ".join(
        f"{s['name']}: {s['verdict']}: {s['reason']}" for s in catching
    )


def test_reference_passes_every_selection(tmp_path: Path) -> None:
    """Without the bugs, the same selections pass: what fails above fails because of the bug."""
    selections = sorted({d.select for d in DEVIANTS})
    for i, select in enumerate(selections):
        scenarios = _run(tmp_path / str(i), select) if (tmp_path / str(i)).mkdir() is None else []
        bad = [
            f"{s['name']}: {s['verdict']}: {s['reason']}"
            for s in scenarios
            if s["verdict"] != "passed"
        ]
        assert not bad, f"{select}: {bad}"
