"""Read-only clients for the audit, from the usual credential chain (or ``--profile``).

``--endpoint-url`` audits an emulator: every service at that URL, and the dummy credentials
``testing`` when the chain finds none (as the ``endpoint`` target does). Against AWS, missing
credentials or an unknown profile end the audit with one line (exit 2). Each region is probed
once with a single-attempt ListDeliveryStreams, so that an endpoint that does not answer is
reported at once. Every client makes one attempt per call: ``reads.read`` waits out throttling
(Firehose allows five Describe/List calls per second, API-08) within the audit's ``Patience``,
and says so. STS GetCallerIdentity names the credentials' account for the report's summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ProfileNotFound

from firehose_conformance.audit.auditor import RegionClients
from firehose_conformance.audit.guard import ReadOnlyClient
from firehose_conformance.audit.reads import AuditAborted, Patience, Unreadable, read
from firehose_conformance.aws_clients import (
    AWS_TIMEOUTS,
    check_endpoint_url,
    client_config,
    make_client,
    or_dummy_credentials,
)
from reference_impl.aws_models import PinnedSession

EMULATOR_REGION = "us-east-1"
ATTEMPTS = 1  # retries are reads.read's, within the audit's Patience, and said


@dataclass(frozen=True)
class Opened:
    """The clients of each region, and whose credentials they use."""

    regions: list[RegionClients]
    account: str | None  # None when STS could not say
    account_note: str  # why it could not, else ""


def open_account(
    regions: Sequence[str],
    *,
    profile: str | None = None,
    endpoint_url: str | None = None,
    patience: Patience | None = None,
) -> Opened:
    """One ``RegionClients`` per region, each checked to answer (``AuditAborted`` if not), and
    the account of the credentials."""
    if endpoint_url is not None:
        try:
            check_endpoint_url(endpoint_url, "--endpoint-url")
        except ValueError as error:
            raise AuditAborted(str(error)) from None
    session = _session(profile, endpoint_url)
    chosen = list(dict.fromkeys(regions)) or [_default_region(session, endpoint_url)]
    opened = []
    for region in chosen:
        _probe(session, region, endpoint_url)
        opened.append(
            RegionClients.wrap(
                region,
                lambda service, r=region: _client(session, service, r, endpoint_url),
                patience,
            )
        )
    sts = ReadOnlyClient(_client(session, "sts", chosen[0], endpoint_url), patience)
    identity = read(sts, "get_caller_identity")
    if isinstance(identity, Unreadable):
        return Opened(opened, None, identity.describe())
    return Opened(opened, str(identity.get("Account") or "") or None, "")


def open_regions(
    regions: Sequence[str], *, profile: str | None = None, endpoint_url: str | None = None
) -> list[RegionClients]:
    """One ``RegionClients`` per region, each checked to answer; ``AuditAborted`` if not."""
    return open_account(regions, profile=profile, endpoint_url=endpoint_url).regions


def _session(profile: str | None, endpoint_url: str | None) -> PinnedSession:
    try:
        session = PinnedSession(profile_name=profile)
    except ProfileNotFound:
        raise AuditAborted(f"the AWS profile {profile!r} is not configured") from None
    if endpoint_url is not None:
        return or_dummy_credentials(session)
    if session.get_credentials() is None:
        raise AuditAborted("no AWS credentials found (environment, shared config or --profile)")
    return session


def _default_region(session: PinnedSession, endpoint_url: str | None) -> str:
    if session.region_name:
        return session.region_name
    if endpoint_url is not None:
        return EMULATOR_REGION
    raise AuditAborted("no region: pass --region (repeatable) or configure a default region")


def _client(
    session: PinnedSession,
    service: str,
    region: str,
    endpoint_url: str | None,
    *,
    attempts: int = ATTEMPTS,
) -> Any:
    config = client_config(region, attempts=attempts, timeouts=AWS_TIMEOUTS)
    return make_client(session, service, config, endpoint_url)


def _probe(session: PinnedSession, region: str, endpoint_url: str | None) -> None:
    """One attempt at a read: unreachable endpoints and refused credentials end the audit
    (``read`` raises); any other answer, even AccessDenied, shows the endpoint is there."""
    probe = ReadOnlyClient(
        _client(session, "firehose", region, endpoint_url, attempts=1), Patience.none()
    )
    read(probe, "list_delivery_streams", Limit=1)
