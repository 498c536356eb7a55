"""Deviants and conforming variants of which keys Firehose takes and how they are named
(KEY-01..07)."""

from __future__ import annotations

import re
from typing import Any

import reference_impl.wire.json_protocol
import reference_impl.wire.validation
from reference_impl.aws_models import service_model
from reference_impl.errors import AwsError
from reference_impl.firehose import key_checks, kms_crosswalk
from reference_impl.firehose.grant_agent import GRANT_OPERATIONS, GrantAgent, GrantBook
from reference_impl.firehose.model import FirehoseModel
from reference_impl.firehose.sse_controller import SseController
from reference_impl.firehose.states import (
    AWS_OWNED,
    EncryptionStatus,
    FailureDescription,
    FailureType,
    KeyConfig,
    KeyType,
)
from reference_impl.firehose.streams import CreateRequest
from reference_impl.kms.specs import KeyClass
from reference_impl.principals import FIREHOSE_PRINCIPAL, account_root
from reference_impl.variants.patching import Patcher
from reference_impl.variants.registry import conforming, deviant
from reference_impl.variants.shared import ENCRYPTION_INPUT, enable_without_a_grant

ACCEPTED = "was accepted and the"  # "Start was accepted and the status became ENABLED"


def _accept_key_classes(p: Patcher, *accepted: KeyClass) -> None:
    """Firehose takes keys of this class as if they were symmetric encryption keys."""
    enable_without_a_grant(p, lambda key: key.key_class in accepted)


@deviant("asymmetric-key-accepted", "KEY-01", evidence=ACCEPTED)
def asymmetric_key_accepted(p: Patcher) -> None:
    """Asymmetric signing and key-agreement keys (RSA, ECC, ML-DSA) are taken and ENABLED."""
    _accept_key_classes(p, KeyClass.ASYMMETRIC_SIGNING, KeyClass.KEY_AGREEMENT)


@deviant("asymmetric-encryption-key-accepted", "KEY-01", evidence=ACCEPTED)
def asymmetric_encryption_key_accepted(p: Patcher) -> None:
    """RSA keys for ENCRYPT_DECRYPT pass for symmetric ones (both "encrypt") and are ENABLED."""
    _accept_key_classes(p, KeyClass.ASYMMETRIC_ENCRYPTION)


@deviant("ml-kem-key-accepted", "KEY-01", evidence=ACCEPTED)
def ml_kem_key_accepted(p: Patcher) -> None:
    """ML-KEM keys, new in the KMS model and unknown to the check, are taken and ENABLED."""
    enable_without_a_grant(p, lambda key: key.spec.startswith("ML_KEM_"))


@deviant("hmac-key-accepted", "KEY-02", evidence=ACCEPTED)
def hmac_key_accepted(p: Patcher) -> None:
    """HMAC keys, being "symmetric", are taken and encryption is ENABLED."""
    _accept_key_classes(p, KeyClass.HMAC)


@deviant("key-type-unchecked", "KEY-03", evidence="succeeded; expected")
def key_type_unchecked(p: Patcher) -> None:
    """KeyType is not validated: a missing or unknown KeyType means AWS_OWNED_CMK."""

    @p.around(reference_impl.wire.json_protocol, "validate_input")
    def validate(original: Any, shape: Any, params: Any) -> dict[str, Any]:
        raw = params.get(ENCRYPTION_INPUT) if isinstance(params, dict) else None
        if not isinstance(raw, dict):
            return original(shape, params)
        checked = original(shape, {k: v for k, v in params.items() if k != ENCRYPTION_INPUT})
        return {**checked, ENCRYPTION_INPUT: raw}

    @p.around(key_checks, "parse_key_request")
    def parse(original: Any, params: dict[str, Any] | None) -> KeyConfig:
        if params is not None and params.get("KeyType") not in {k.value for k in KeyType}:
            return AWS_OWNED
        return original(params)


@deviant("cmk-without-arn-uses-aws-owned-key", "KEY-04", evidence="succeeded; expected")
def cmk_without_arn_uses_aws_owned_key(p: Patcher) -> None:
    """CUSTOMER_MANAGED_CMK without a KeyARN quietly falls back to AWS_OWNED_CMK."""

    @p.around(key_checks, "parse_key_request")
    def parse(original: Any, params: dict[str, Any] | None) -> KeyConfig:
        if params and params.get("KeyType") == "CUSTOMER_MANAGED_CMK" and not params.get("KeyARN"):
            return AWS_OWNED
        return original(params)


@deviant("aws-owned-key-borrows-a-customer-key", "KEY-05", evidence="grant(s)")
def aws_owned_key_borrows_a_customer_key(p: Patcher) -> None:
    """AWS_OWNED_CMK is emulated with the account's first customer managed key (and its grant)."""

    @p.around(SseController, "_finish_enable")
    def finish(original: Any, self: SseController, stream: Any, attempt: int) -> None:
        original(self, stream, attempt)
        encryption = stream.encryption
        if encryption.status is not EncryptionStatus.ENABLED or encryption.current.is_cmk:
            return
        customer_keys = self.kms.keys()  # KmsModel.keys(): every key, oldest first
        for key in customer_keys:
            if key.is_symmetric_encryption and str(key.manager) == "CUSTOMER":
                self.kms.create_grant(
                    key.arn,
                    caller=account_root(self.account_id),
                    grantee_principal=FIREHOSE_PRINCIPAL,
                    operations=list(GRANT_OPERATIONS),
                )
                return


def _key_arn_shape() -> str:
    """The name of KeyARN's shape in the snapshot (AWSKMSKeyARNForSSE since botocore 1.43.29)."""
    shape = service_model("firehose").shape_for(ENCRYPTION_INPUT)
    return shape.members["KeyARN"].name


# What KeyARN admitted through botocore 1.43.28 (shape AWSKMSKeyARN): key ARNs and alias ARNs.
OLD_KEY_ARN_PATTERN = re.compile(
    r"arn:.*:kms:[a-zA-Z0-9\-]+:\d{12}:(key|alias)/[a-zA-Z_0-9+=,.@\-_/]+"
)


@deviant("key-arn-pattern-unchecked", "KEY-06", evidence="succeeded; expected")
def key_arn_pattern_unchecked(p: Patcher) -> None:
    """KeyARN's pattern and length are not checked: a bare key id or alias name is taken."""
    key_arn = _key_arn_shape()

    @p.around(reference_impl.wire.validation, "_value")
    def value(original: Any, shape: Any, given: Any, path: str, collector: Any) -> Any:
        if shape.name == key_arn and isinstance(given, str):
            return given
        return original(shape, given, path, collector)


@deviant("alias-arns-accepted", "KEY-06", evidence="succeeded; expected")
def alias_arns_accepted(p: Patcher) -> None:
    """KeyARN is checked against the pre-1.43.29 pattern, so an alias ARN is taken and ENABLED."""
    key_arn = _key_arn_shape()

    @p.around(reference_impl.wire.validation, "_value")
    def value(original: Any, shape: Any, given: Any, path: str, collector: Any) -> Any:
        old_rule = isinstance(given, str) and 1 <= len(given) <= 512
        if shape.name == key_arn and old_rule and OLD_KEY_ARN_PATTERN.fullmatch(given):
            return given
        return original(shape, given, path, collector)

    @p.around(key_checks, "parse_key_request")
    def parse(original: Any, params: dict[str, Any] | None) -> KeyConfig:
        arn = (params or {}).get("KeyARN") or ""
        if (params or {}).get("KeyType") == KeyType.CUSTOMER_MANAGED_CMK and ":alias/" in arn:
            return KeyConfig(KeyType.CUSTOMER_MANAGED_CMK, arn, arn)  # as the old pattern allowed
        return original(params)


@deviant("key-usability-unchecked", "KEY-07", evidence="status became ENABLED")
def key_usability_unchecked(p: Patcher) -> None:
    """Start checks only that the CMK exists: disabled, pending-deletion or denied keys get ENABLED.

    A grant that cannot be made is ignored.
    """

    def verify(kms: Any, account_id: str, requested: KeyConfig) -> KeyConfig:
        arn = requested.shown_arn or ""
        try:
            key = kms.resolve(arn)
        except AwsError as error:
            raise kms_crosswalk.invalid_kms_resource(f"Firehose cannot use {arn}", error) from None
        return KeyConfig(KeyType.CUSTOMER_MANAGED_CMK, key.arn, arn)

    p.replace(key_checks, "verify_cmk", verify)

    @p.around(GrantAgent, "acquire")
    def acquire(original: Any, self: GrantAgent, book: Any, config: Any, stream_name: str) -> Any:
        failure = original(self, book, config, stream_name)
        if failure is not None and failure.type is not FailureType.INVALID_KMS_KEY:
            return None
        return failure


# ---- conforming variants: the other documented ways to refuse a key ------------------------------
def _not_for_data(kms: Any, key_arn: str) -> str | None:
    """Why a CMK cannot protect data (it is not a symmetric encryption key), or None."""
    key = kms.resolve(key_arn)
    if key.is_symmetric_encryption:
        return None
    return (
        f"KMS key {key.arn} has KeySpec {key.spec} and KeyUsage {key.usage}; Firehose supports "
        "only symmetric encryption CMKs."
    )


@conforming(
    "asymmetric-key-refused-with-invalid-argument",
    "KEY-01",
    "KEY-02",
    "SSE-03",
    "SSE-11",
    "SSE-12",
    "SSE-13",
    "SSE-18",
    "SSE-19",
    "API-09",
    allowed_by="AMB-01 (a) (and AMB-22 for HMAC keys): a synchronous InvalidArgumentException, "
    "'if the implementation checks DescribeKey.KeySpec first'; KEY-01 only requires that "
    "encryption never becomes ENABLED with such a key",
)
def asymmetric_key_refused_with_invalid_argument(p: Patcher) -> None:
    """Start and Create refuse an asymmetric or HMAC key at once with InvalidArgumentException.

    Only the key's kind moves to the call: a key that breaks while ENABLING still ends in
    ENABLING_FAILED, so no requirement loses every documented path (nothing is unobservable).
    """

    @p.around(SseController, "resolve_request")
    def resolve(original: Any, self: SseController, params: Any, stream: Any) -> KeyConfig:
        requested = original(self, params, stream)
        why = _not_for_data(self.kms, requested.key_arn) if requested.is_cmk else None
        if why is not None:
            raise AwsError("InvalidArgumentException", why)
        return requested


@conforming(
    "unusable-key-refused-at-the-call",
    "KEY-01",
    "KEY-02",
    "KEY-07",
    "GRT-01",
    "SSE-03",
    "SSE-11",
    "SSE-12",
    "SSE-13",
    "SSE-18",
    "SSE-19",
    "API-09",
    unobservable=("SSE-03", "SSE-11", "SSE-12", "SSE-13", "API-09"),
    allowed_by="AMB-01 (b): a synchronous InvalidKMSResourceException for an asymmetric or HMAC "
    "key (AMB-22); AMB-02 (a): a synchronous InvalidKMSResourceException for a disabled, missing, "
    "denied or pending-deletion CMK (EV-SDKEX catches it from Start); GRT-01 only says Firehose "
    "'invokes the Amazon KMS operation CreateGrant', not when",
)
def unusable_key_refused_at_the_call(p: Patcher) -> None:
    """Start and Create do all their KMS work while answering (the key's kind, CreateGrant, its
    usability) and refuse any problem with InvalidKMSResourceException; ENABLING and CREATING
    then only propagate the setting, so neither can fail on KMS.

    ENABLING_FAILED and CREATING_FAILED never arise: what SSE-03, SSE-11 (a failed key change is
    ENABLING_FAILED), SSE-12 (Start from ENABLING_FAILED), SSE-13 (the failed status reports the
    last attempt; DISABLING_FAILED has no trigger in the reference either) and API-09
    (CREATING_FAILED is terminal) state cannot be observed. SSE-18/SSE-19 stay observable
    through DELETING_FAILED (a grant that cannot be retired).
    """

    def refusal(self: SseController, book: GrantBook, config: KeyConfig, name: str) -> None:
        """Acquire the grant now; a failure is the call's InvalidKMSResourceException."""
        failure = self.grants.acquire(book, config, name)
        if failure is not None:
            raise AwsError(
                "InvalidKMSResourceException",
                f"{failure.details} (Firehose failure type {failure.type.value})",
            )
        book.__dict__["settled_at_call"] = config.key_arn

    @p.around(SseController, "start")
    def start(original: Any, self: SseController, stream: Any, params: Any) -> None:
        self._common_checks(stream)  # the call's own checks, in the reference's order
        requested = self.resolve_request(params, stream)
        if requested.is_cmk:
            refusal(self, stream.grants, requested, stream.name)
        original(self, stream, params)

    @p.around(FirehoseModel, "create")
    def create(original: Any, self: FirehoseModel, request: CreateRequest) -> str:
        arn = original(self, request)
        stream = self.streams[request.name]
        requested = stream.encryption.pending if stream.encryption is not None else None
        if requested is not None and requested.is_cmk:
            try:
                refusal(self.sse, stream.grants, requested, stream.name)
            except AwsError:
                stream.cancel_timers()  # the call fails: no stream was created
                del self.streams[request.name]
                raise
        return arn

    @p.around(GrantAgent, "acquire")
    def acquire(
        original: Any, self: GrantAgent, book: GrantBook, config: KeyConfig, stream_name: str
    ) -> Any:
        settled = book.__dict__.pop("settled_at_call", None)
        if settled is not None and settled == config.key_arn:
            return None  # done while answering the call: the asynchronous step uses KMS no more
        return original(self, book, config, stream_name)


@conforming(
    "asymmetric-key-fails-as-a-grant-failure",
    "KEY-01",
    "KEY-02",
    "SSE-03",
    "SSE-18",
    "SSE-19",
    "API-09",
    allowed_by="AMB-01 (c): Start returns 200, then ENABLING -> ENABLING_FAILED 'with "
    "FailureDescription.Type INVALID_KMS_KEY or CREATE_KMS_GRANT_FAILED' (KMS-DG grants.md: a "
    "grant allowing data-key operations on an asymmetric key fails with ValidationError)",
)
def asymmetric_key_fails_as_a_grant_failure(p: Patcher) -> None:
    """An asymmetric or HMAC key fails asynchronously with failure type CREATE_KMS_GRANT_FAILED
    (the grant KMS refuses), where the reference says INVALID_KMS_KEY."""

    @p.around(GrantAgent, "acquire")
    def acquire(
        original: Any, self: GrantAgent, book: Any, config: KeyConfig, stream_name: str
    ) -> Any:
        failure = original(self, book, config, stream_name)
        if failure is not None and failure.type is FailureType.INVALID_KMS_KEY:
            return FailureDescription(
                FailureType.CREATE_KMS_GRANT_FAILED,
                f"KMS refused CreateGrant for Firehose: {failure.details}",
            )
        return failure
