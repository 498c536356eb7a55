"""Key policies: PutKeyPolicy, GetKeyPolicy, and the lockout check CreateKey shares."""

from __future__ import annotations

from dataclasses import dataclass

from reference_impl.kms import faults
from reference_impl.kms.access import policy_decision
from reference_impl.kms.key import Key
from reference_impl.kms.key_registry import KeyRegistry
from reference_impl.kms.policy import Decision, KeyPolicy
from reference_impl.kms.specs import ENCRYPT_DECRYPT, SYMMETRIC_DEFAULT


def require_no_lockout(policy: KeyPolicy, caller: str) -> None:
    """CreateKey/PutKeyPolicy: "The key policy must allow the calling principal to make a
    subsequent PutKeyPolicy request on the KMS key" unless BypassPolicyLockoutSafetyCheck."""
    probe = Key(
        key_id="",
        arn="",
        account_id="",
        region="",
        spec=SYMMETRIC_DEFAULT,
        usage=ENCRYPT_DECRYPT,
        policy=policy,
        creation_date=0.0,
        seq=0,
    )
    if policy_decision(probe, caller, "PutKeyPolicy") is not Decision.ALLOW:
        raise faults.malformed_policy(
            "The new key policy will not allow you to update the key policy in the future."
        )


@dataclass
class PolicyService:
    registry: KeyRegistry

    def put_key_policy(
        self,
        key_id: str,
        policy: str,
        *,
        caller: str,
        bypass_policy_lockout_safety_check: bool = False,
    ) -> None:
        key = self.registry.resolve(key_id)
        self.registry.authorize(key, caller, "PutKeyPolicy")
        parsed = KeyPolicy.parse(policy)
        if not bypass_policy_lockout_safety_check:
            require_no_lockout(parsed, caller)
        key.policy = parsed

    def get_key_policy(self, key_id: str, *, caller: str) -> str:
        key = self.registry.resolve(key_id)
        self.registry.authorize(key, caller, "GetKeyPolicy")
        return key.policy.text
