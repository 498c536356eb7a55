"""Who may use a key: the key policy first, then grants (KMS authorization, without IAM).

1. A Deny statement of the key policy that matches the caller and ``kms:<Operation>`` refuses the
   call, whatever else allows it ("... with an explicit deny in a resource-based policy").
2. Otherwise an Allow statement that matches the caller allows it. A principal naming an account
   (its id or ``arn:aws:iam::<acct>:root``) matches every IAM principal of that account; the
   reference has no IAM policies, so such principals are treated as allowed by their IAM policy.
   Service principals ("firehose.amazonaws.com") are never IAM principals of an account.
3. Otherwise an active grant whose GranteePrincipal (or GranteeServicePrincipal) is the caller
   and whose Operations list the operation allows it (grant constraints checked against the
   encryption context; no request carries an aws:SourceArn, see grant.py).
4. Otherwise "... because no resource-based policy allows the kms:<Operation> action".
"""

from __future__ import annotations

from collections.abc import Iterable

from reference_impl.kms import faults
from reference_impl.kms.grant import Grant
from reference_impl.kms.key import Key
from reference_impl.kms.policy import Decision, caller_account

SERVICE_SUFFIX = ".amazonaws.com"


def request_context(caller: str, key: Key) -> dict[str, str]:
    """Values of the condition keys the reference supports (lower-case names).

    An IAM caller has its account and ARN. A service principal stands for the service acting for
    the key's account (as AWS services do with forward access sessions), so its kms:CallerAccount
    is the key's account and its kms:ViaService is "<service>.<region>.amazonaws.com".
    """
    account = caller_account(caller)
    if account is not None:
        return {
            "kms:calleraccount": account,
            "aws:principalaccount": account,
            "aws:principalarn": caller,
        }
    if caller.endswith(SERVICE_SUFFIX):
        service = caller.removesuffix(SERVICE_SUFFIX)
        return {
            "kms:calleraccount": key.account_id,
            "kms:viaservice": f"{service}.{key.region}{SERVICE_SUFFIX}",
            "aws:principalservicename": caller,
        }
    return {}


def is_service_principal(caller: str) -> bool:
    """ "firehose.amazonaws.com", as opposed to an IAM principal's ARN."""
    return caller_account(caller) is None and caller.endswith(SERVICE_SUFFIX)


def policy_decision(key: Key, caller: str, operation: str) -> Decision:
    return key.policy.decide(caller, f"kms:{operation}", request_context(caller, key))


def authorize(
    key: Key,
    caller: str,
    operation: str,
    grants: Iterable[Grant],
    encryption_context: dict[str, str] | None = None,
) -> Grant | None:
    """Raise AccessDeniedException unless ``caller`` may perform ``operation`` on ``key``.

    Returns the grant that authorised the call, or None when the key policy did.
    """
    decision = policy_decision(key, caller, operation)
    if decision is Decision.DENY:
        raise faults.access_denied(caller, operation, key.arn, explicit=True)
    if decision is Decision.ALLOW:
        return None
    for grant in grants:
        if grant.grantee == caller and grant.permits(operation, encryption_context):
            return grant
    raise faults.access_denied(caller, operation, key.arn, explicit=False)


def authorize_retire(key: Key, grant: Grant, caller: str) -> None:
    """RetireGrant: "the retiring principal, the grantee principal if the grant allows the
    RetireGrant operation, and the Amazon Web Services account in which the grant is created"."""
    if grant.retirable_by(caller):
        return
    if caller == grant.grantee and "RetireGrant" in grant.operations:
        return
    if caller_account(caller) == grant.issuing_account_id:
        return
    raise faults.access_denied(caller, "RetireGrant", key.arn, explicit=False)
