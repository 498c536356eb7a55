"""Deviants and conforming variants of PutRecord / PutRecordBatch: the Encrypted flag and KMS
refusals at ingest (PUT)."""

from __future__ import annotations

from typing import Any

from reference_impl.errors import AwsError
from reference_impl.firehose.api import FirehoseApi
from reference_impl.firehose.model import FirehoseModel, PutResult
from reference_impl.firehose.sse_controller import SseController
from reference_impl.firehose.states import EncryptionStatus, StreamStatus
from reference_impl.firehose.storage import EnvelopeStore
from reference_impl.variants.patching import Patcher
from reference_impl.variants.registry import conforming, deviant
from reference_impl.variants.shared import drop_puts_to


@deviant("encrypted-always-false", "SSE-06", "PUT-01", evidence="expected all true")
def encrypted_always_false(p: Patcher) -> None:
    """Puts always answer Encrypted false, even with SSE in effect."""

    @p.around(FirehoseModel, "put_records")
    def put(original: Any, self: FirehoseModel, name: str, records: list[bytes]) -> PutResult:
        return PutResult(original(self, name, records).record_ids, False)


@deviant("encrypted-always-true", "PUT-01", evidence="Encrypted flags were [True")
def encrypted_always_true(p: Patcher) -> None:
    """Puts always answer Encrypted true, even on a stream without SSE."""

    @p.around(FirehoseModel, "put_records")
    def put(original: Any, self: FirehoseModel, name: str, records: list[bytes]) -> PutResult:
        return PutResult(original(self, name, records).record_ids, True)


@deviant(
    "kms-failure-on-put-is-a-500",
    "PUT-02",
    evidence="KMS refused the data key",
    caught_as="error",
)
def kms_failure_on_put_is_a_500(p: Patcher) -> None:
    """A put that KMS refuses is answered HTTP 500 InternalFailure, not InvalidKMSResource."""
    p.replace(
        FirehoseModel,
        "_put_failure",
        lambda self, stream, in_effect, error: AwsError(
            "InternalFailure", "KMS refused the data key.", 500
        ),
    )


@deviant("put-falls-back-to-plaintext", "PUT-02", "RET-05", evidence="succeeded; expected")
def put_falls_back_to_plaintext(p: Patcher) -> None:
    """When KMS refuses the data key, the put is accepted and its records kept unencrypted."""

    @p.around(EnvelopeStore, "seal")
    def seal(original: Any, self: EnvelopeStore, config: Any, records: Any, now: float) -> Any:
        try:
            return original(self, config, records, now)
        except AwsError:
            return original(self, None, records, now)


@deviant("puts-accepted-while-creating", "PUT-04", evidence="succeeded; expected an error")
def puts_accepted_while_creating(p: Patcher) -> None:
    """Puts to a stream that is still CREATING are answered with record ids (and dropped)."""
    drop_puts_to(p, lambda stream: stream.status is StreamStatus.CREATING)


# ---- conforming variants: the Encrypted flag where the documents leave it open -------------------
@conforming(
    "unencrypted-from-stop",
    "SSE-07",
    "SSE-08",
    "SSE-09",
    "PUT-01",
    "GRT-03",
    allowed_by="AMB-23: during DISABLING the Encrypted flag 'is not stated (inference: true)'; "
    "SSE-08 says only that writes continue while DISABLING, and SSE-09 bounds the other end "
    "('up to 5 seconds after the encryption status changes to DISABLED')",
)
def unencrypted_from_stop(p: Patcher) -> None:
    """Stop takes the key out of effect at once: records put while DISABLING are not encrypted
    (Encrypted false), where the reference keeps the old key until DISABLED + its lag."""

    @p.around(SseController, "stop")
    def stop(original: Any, self: SseController, stream: Any) -> None:
        original(self, stream)
        encryption = stream.encryption
        if encryption is not None and encryption.status is EncryptionStatus.DISABLING:
            encryption.timeline.switch(self.clock.now(), None)


@conforming(
    "encrypted-flag-omitted-when-false",
    "PUT-01",
    "SSE-05",
    "SSE-09",
    allowed_by="PUT-01 / AMB-23: Encrypted is an optional BooleanObject, and 'whether it is left "
    "out or false on streams without SSE is not stated'",
)
def encrypted_flag_omitted_when_false(p: Patcher) -> None:
    """PutRecord and PutRecordBatch leave Encrypted out of the response when SSE was not in
    effect (the member is optional), instead of answering false."""

    def omit_false(answer: dict[str, Any]) -> dict[str, Any]:
        if answer.get("Encrypted") is False:
            del answer["Encrypted"]
        return answer

    @p.around(FirehoseApi, "put_record")
    def put_record(original: Any, self: FirehoseApi, params: dict[str, Any]) -> dict[str, Any]:
        return omit_false(original(self, params))

    @p.around(FirehoseApi, "put_record_batch")
    def put_batch(original: Any, self: FirehoseApi, params: dict[str, Any]) -> dict[str, Any]:
        return omit_false(original(self, params))
