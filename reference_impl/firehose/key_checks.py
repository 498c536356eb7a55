"""The synchronous checks of a requested SSE key, shared by Create and Start.

Order and outcomes (KEY-04, KEY-07, AMB-02, AMB-18, AMB-19):
- no ``DeliveryStreamEncryptionConfigurationInput`` on Start: AWS_OWNED_CMK (AMB-18, SSE-17);
- CUSTOMER_MANAGED_CMK without KeyARN: InvalidArgumentException (KEY-04);
- a KeyARN that names an alias: ValidationException. The model's AWSKMSKeyARNForSSE pattern admits
  key ARNs only, so the wire refuses alias ARNs before this; the check here covers the Python
  interface and the ARNs the pattern's ``arn:.*:kms:`` lets through that KMS reads as aliases
  (``arn:aws:kms:r:a:alias/x:kms:r:a:key/k``), so EncCfg.KeyARN is never an alias ARN;
- AWS_OWNED_CMK with a KeyARN: InvalidArgumentException (AMB-19, chosen: contradictory input is
  refused rather than silently ignored);
- a CMK that is missing, disabled, pending deletion, or denied to the caller or (explicitly) to
  Firehose: InvalidKMSResourceException naming the KMS error (AMB-02 (a); the exception's doc
  lists exactly AccessDenied, InvalidState, Disabled and NotFound).
A key of the wrong kind (asymmetric, HMAC) passes here and fails asynchronously (AMB-01 (c)).
"""

from __future__ import annotations

from typing import Any

from reference_impl.errors import AwsError
from reference_impl.firehose import kms_crosswalk
from reference_impl.firehose.states import AWS_OWNED, KeyConfig, KeyType
from reference_impl.kms import identifiers
from reference_impl.principals import FIREHOSE_PRINCIPAL, account_root

_REFUSING = frozenset(kms_crosswalk.METRICS)  # the four codes InvalidKMSResourceException covers
# KEY-07: "explicitly deny the permission for Firehose to invoke KMS encrypt and decrypt".
EXPLICIT_DENY_OPERATIONS = ("GenerateDataKey", "Decrypt")


def parse_key_request(params: dict[str, Any] | None) -> KeyConfig:
    """The requested key setting, not yet resolved against KMS."""
    if params is None:
        return AWS_OWNED  # AMB-18
    key_type = KeyType(params["KeyType"])
    arn = params.get("KeyARN")
    if key_type is KeyType.CUSTOMER_MANAGED_CMK and not arn:
        raise AwsError(
            "InvalidArgumentException",
            "KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK.",  # KEY-04
        )
    if key_type is KeyType.AWS_OWNED_CMK and arn:
        raise AwsError(
            "InvalidArgumentException",
            "KeyARN must not be specified when KeyType is AWS_OWNED_CMK.",  # AMB-19
        )
    if arn and identifiers.parse(arn).is_alias:
        raise AwsError(
            "ValidationException",
            f"KeyARN {arn} names a KMS alias; Firehose server-side encryption takes the ARN of a "
            "KMS key (arn:...:kms:<region>:<account>:key/<key id>).",
        )
    return KeyConfig(key_type, arn, arn)


def verify_cmk(kms: Any, account_id: str, requested: KeyConfig) -> KeyConfig:
    """Resolve a customer managed CMK and check it can be used; return it with its key ARN."""
    arn = requested.shown_arn or ""
    what = f"Firehose cannot use KMS key {arn}"
    try:
        key = kms.resolve(arn)
    except AwsError as error:
        raise kms_crosswalk.invalid_kms_resource(what, error) from None
    try:
        # The caller's own access: the grant is created with the caller's credentials (GRT-04).
        kms.check_usable(key.arn, caller=account_root(account_id), operation="CreateGrant")
    except AwsError as error:
        if kms_crosswalk.canonical(error.code) in _REFUSING:
            raise kms_crosswalk.invalid_kms_resource(what, error) from None
        # Any other KMS answer is left to the asynchronous step, which reports it (AMB-01).
    _refuse_explicit_deny(kms, key.arn, what)
    return KeyConfig(KeyType.CUSTOMER_MANAGED_CMK, key.arn, arn)


def _refuse_explicit_deny(kms: Any, key_arn: str, what: str) -> None:
    """KEY-07: "the key policy mustn't explicitly deny the permission for Firehose".

    Firehose has no grant yet, so only a denial that says it is explicit counts; a missing
    grant, or a key of the wrong kind, is left to the asynchronous step.
    """
    for operation in EXPLICIT_DENY_OPERATIONS:
        try:
            kms.check_usable(key_arn, caller=FIREHOSE_PRINCIPAL, operation=operation)
        except AwsError as error:
            denied = kms_crosswalk.canonical(error.code) == "AccessDeniedException"
            if denied and "explicit deny" in error.message.lower():
                raise kms_crosswalk.invalid_kms_resource(what, error) from None
