"""Checks of one KMS key: it exists, is enabled (so not pending deletion), is a symmetric
encryption key, and its policy does not deny Firehose (KEY-01, KEY-02, KEY-07, KEY-08).

The same four checks serve the CMK of a DirectPut stream's SSE (finding ids ``sse-key-…``) and
the key of a Kinesis source stream (``source-key-…``); ``KeyUse`` says which, with the
requirements that ground each check for that use and the KMS operations Firehose needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from firehose_conformance.audit.findings import COULD_NOT_READ, COULD_NOT_TELL, MISSING, Finding
from firehose_conformance.audit.guard import ReadOnlyClient
from firehose_conformance.audit.policy import (
    SOURCE_ACTIONS,
    SSE_ACTIONS,
    PolicyUnreadable,
    Principal,
    read_policy,
)
from firehose_conformance.audit.reads import Unreadable, read
from firehose_conformance.verdicts import Verdict

SYMMETRIC = "SYMMETRIC_DEFAULT"
ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"


@dataclass(frozen=True)
class KeyUse:
    """What a key is used for: the finding-id prefix and the requirements of each check."""

    prefix: str
    key_field: str  # where the key reference was read, for the evidence
    actions: tuple[str, ...]
    exists: tuple[str, ...]
    state: tuple[str, ...]
    spec: tuple[str, ...]
    policy: tuple[str, ...]


SSE_KEY = KeyUse(
    prefix="sse-key",
    key_field="DeliveryStreamEncryptionConfiguration.KeyARN",
    actions=SSE_ACTIONS,
    exists=("KEY-07", "KEY-08"),
    state=("KEY-07", "KEY-08"),
    spec=("KEY-01", "KEY-02"),
    policy=("KEY-07", "GRT-01"),
)
SOURCE_KEY = KeyUse(
    prefix="source-key",
    key_field="StreamDescriptionSummary.KeyId",
    actions=SOURCE_ACTIONS,
    exists=("SRC-03", "SRC-06", "KEY-08"),
    state=("SRC-03", "SRC-04", "KEY-08"),
    spec=("SRC-03", "KEY-02"),
    policy=("SRC-06",),
)


def check_key(
    kms: ReadOnlyClient, key_id: str, use: KeyUse, principals: tuple[Principal, ...]
) -> list[Finding]:
    """The findings on the key ``key_id`` (an id, ARN, alias name or alias ARN)."""
    configured = {use.key_field: key_id}
    described = read(kms, "describe_key", KeyId=key_id)
    if isinstance(described, Unreadable):
        if described.not_found:
            return [
                Finding(
                    f"{use.prefix}-exists",
                    Verdict.FAILED,
                    use.exists,
                    f"the KMS key {key_id} does not exist (or is not visible to this account): "
                    "Firehose cannot use it",
                    {**configured, **described.evidence()},
                )
            ]
        return [_unreadable(f"{use.prefix}-exists", use.exists, described, configured)]
    metadata: dict[str, Any] = described.get("KeyMetadata", {})
    arn = str(metadata.get("Arn") or key_id)
    evidence = {**configured, "KeyMetadata.Arn": arn}
    return [
        Finding(
            f"{use.prefix}-exists",
            Verdict.PASSED,
            use.exists,
            f"the KMS key exists ({metadata.get('KeyManager', 'unknown')}-managed)",
            {**evidence, "KeyMetadata.KeyManager": metadata.get("KeyManager", MISSING)},
        ),
        _state(metadata, use, evidence),
        _spec(metadata, use, evidence),
        _policy(kms, arn, use, principals, evidence),
    ]


def _state(metadata: dict[str, Any], use: KeyUse, evidence: dict[str, Any]) -> Finding:
    state = metadata.get("KeyState")
    facts = {
        **evidence,
        "KeyMetadata.KeyState": state or MISSING,
        "KeyMetadata.Enabled": metadata.get("Enabled", MISSING),
    }
    finding_id = f"{use.prefix}-state"
    if state is None and metadata.get("Enabled") is not False:
        return Finding(
            finding_id,
            Verdict.ERROR,
            use.state,
            f"{COULD_NOT_TELL} whether the key is enabled: DescribeKey's answer has no KeyState",
            facts,
        )
    if state is None:
        return Finding(
            finding_id,
            Verdict.FAILED,
            use.state,
            "the key is not enabled (Enabled is false; no KeyState shown): KMS cannot use it "
            "(KEY-08)",
            facts,
        )
    if state == "Enabled":
        return Finding(finding_id, Verdict.PASSED, use.state, "the key is enabled", facts)
    if state == "PendingDeletion":
        when = metadata.get("DeletionDate")
        facts["KeyMetadata.DeletionDate"] = when or MISSING
        due = f" on {when.isoformat() if hasattr(when, 'isoformat') else when}" if when else ""
        return Finding(
            finding_id,
            Verdict.FAILED,
            use.state,
            f"the key is pending deletion{due}: KMS refuses to use it (KEY-08), and once it is "
            "deleted the data it protects cannot be decrypted; cancel the deletion",
            facts,
        )
    if state == "Disabled":
        return Finding(
            finding_id,
            Verdict.FAILED,
            use.state,
            "the key is disabled: KMS refuses to use it (DisabledException, KEY-08)",
            facts,
        )
    return Finding(
        finding_id,
        Verdict.FAILED,
        use.state,
        f"the key is in state {state}, not Enabled: KMS cannot use it (KEY-08)",
        facts,
    )


def _spec(metadata: dict[str, Any], use: KeyUse, evidence: dict[str, Any]) -> Finding:
    spec = metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec")
    usage = metadata.get("KeyUsage")
    facts = {
        **evidence,
        "KeyMetadata.KeySpec": spec or MISSING,
        "KeyMetadata.KeyUsage": usage or MISSING,
    }
    finding_id = f"{use.prefix}-spec"
    if spec == SYMMETRIC and usage == ENCRYPT_DECRYPT:
        return Finding(finding_id, Verdict.PASSED, use.spec, "a symmetric encryption key", facts)
    wrong = (spec is not None and spec != SYMMETRIC) or (
        usage is not None and usage != ENCRYPT_DECRYPT
    )
    if not wrong:  # what is shown is right, but not all of it is shown (moto omits KeyUsage)
        absent = " and ".join(
            name for name, value in (("KeySpec", spec), ("KeyUsage", usage)) if value is None
        )
        shown = f" (KeySpec {spec})" if spec else f" (KeyUsage {usage})" if usage else ""
        return Finding(
            finding_id,
            Verdict.ERROR,
            use.spec,
            f"{COULD_NOT_TELL} whether it is a symmetric encryption key: DescribeKey's answer "
            f"has no {absent}{shown}",
            facts,
        )
    return Finding(
        finding_id,
        Verdict.FAILED,
        use.spec,
        f"not a symmetric encryption key (KeySpec {spec or MISSING}, KeyUsage "
        f"{usage or MISSING}): only SYMMETRIC_DEFAULT keys for ENCRYPT_DECRYPT can protect the "
        "data",
        facts,
    )


def _policy(
    kms: ReadOnlyClient,
    arn: str,
    use: KeyUse,
    principals: tuple[Principal, ...],
    evidence: dict[str, Any],
) -> Finding:
    finding_id = f"{use.prefix}-policy"
    checked = {
        **evidence,
        "principals checked": [p.label for p in principals],
        "actions checked": list(use.actions),
    }
    answer = read(kms, "get_key_policy", KeyId=arn, PolicyName="default")
    if isinstance(answer, Unreadable):
        return _unreadable(finding_id, use.policy, answer, checked)
    try:
        reading = read_policy(str(answer.get("Policy", "")), principals, use.actions)
    except PolicyUnreadable as error:
        return Finding(
            finding_id,
            Verdict.ERROR,
            use.policy,
            f"{COULD_NOT_READ}: {error}",
            checked,
        )
    facts = {
        **checked,
        "Policy: Deny statements": reading.deny_statements,
        "Policy: Deny statements covering Firehose": [m.describe() for m in reading.matches],
    }
    if reading.unconditional:
        first = reading.unconditional[0]
        return Finding(
            finding_id,
            Verdict.FAILED,
            use.policy,
            f"the key policy explicitly denies Firehose: statement {first.describe()}",
            facts,
        )
    if reading.conditional:
        return Finding(
            finding_id,
            Verdict.WARN,
            use.policy,
            "a conditional Deny in the key policy may deny Firehose (conditions are not "
            f"evaluated): {reading.conditional[0].describe()}",
            facts,
        )
    return Finding(
        finding_id,
        Verdict.PASSED,
        use.policy,
        f"no Deny statement covers Firehose ({reading.deny_statements} Deny statement(s) read)",
        facts,
    )


def _unreadable(
    finding_id: str, grounds: tuple[str, ...], failure: Unreadable, evidence: dict[str, Any]
) -> Finding:
    return Finding(
        finding_id,
        Verdict.ERROR,
        grounds,
        f"{COULD_NOT_READ}: {failure.describe()}",
        {**evidence, **failure.evidence()},
    )
