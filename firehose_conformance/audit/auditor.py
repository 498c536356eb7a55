"""The audit: every delivery stream of every region, each checked by its source type.

Clients come in as ``RegionClients`` of ``ReadOnlyClient``s, so nothing here can write; the
CLI builds them from the credential chain (``clients.open_regions``), tests from moto or the
reference cloud.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from firehose_conformance.audit.directput import STUCK_AFTER, check_direct_put
from firehose_conformance.audit.findings import (
    COULD_NOT_READ,
    MISSING,
    AuditReport,
    Finding,
    StreamAudit,
)
from firehose_conformance.audit.guard import ReadOnlyClient
from firehose_conformance.audit.monitoring import alarms_not_applicable, check_alarms
from firehose_conformance.audit.progress import AuditProgress
from firehose_conformance.audit.reads import AuditAborted, Patience, Unreadable, read
from firehose_conformance.audit.sources import KINESIS, check_kinesis_source, sse_not_applicable
from firehose_conformance.spec_facts import STREAM_STATUSES
from firehose_conformance.verdicts import Verdict

DIRECT_PUT = "DirectPut"
LIST_PAGE = 100
FAILED_STREAM = tuple(s for s in STREAM_STATUSES if s.endswith("_FAILED"))


@dataclass(frozen=True)
class RegionClients:
    """The read-only clients of one region (and endpoint)."""

    region: str
    firehose: ReadOnlyClient
    kinesis: ReadOnlyClient
    kms: ReadOnlyClient
    cloudwatch: ReadOnlyClient

    @classmethod
    def wrap(
        cls, region: str, make: Callable[[str], Any], patience: Patience | None = None
    ) -> RegionClients:
        """``make(service)`` returns a boto3 client; each is wrapped read-only, its reads
        waiting out throttling as ``patience`` allows (one ``Patience`` per audit; by
        default one for these clients)."""
        patience = patience or Patience()
        return cls(
            region,
            *(
                ReadOnlyClient(make(service), patience)
                for service in ("firehose", "kinesis", "kms", "cloudwatch")
            ),
        )


def audit(
    regions: Sequence[RegionClients],
    *,
    streams: Sequence[str] = (),
    now: datetime | None = None,
    stuck_after: timedelta = STUCK_AFTER,
    endpoint_url: str | None = None,
    caller_account: str | None = None,
    allow_partial: bool = False,
    progress: AuditProgress | None = None,
) -> AuditReport:
    """Audit every stream (or only those named in ``streams``) of each region.

    ``now`` is the instant ``LastUpdateTimestamp`` is measured against (default: this machine's
    clock). ``caller_account`` is the credentials' account, for the summary; ``allow_partial``
    lets findings that could not be evaluated not decide the exit code; ``progress`` hears of
    each stream. Raises ``AuditAborted`` when nothing can be audited: a stream named in
    ``streams`` that no region has, or a region whose streams cannot be listed.
    """
    now = now or datetime.now(UTC)
    progress = progress or AuditProgress.silent()
    audited: list[StreamAudit] = []
    found: set[str] = set()
    for clients in regions:
        names = list(streams) if streams else list_streams(clients.firehose)
        progress.listed(clients.region, len(names))
        for index, name in enumerate(names, 1):
            result = audit_stream(clients, name, now=now, stuck_after=stuck_after)
            if result is not None:
                audited.append(result)
                found.add(name)
                progress.stream_done(index, len(names), result)
    missing = [name for name in streams if name not in found]
    if missing:
        where = ", ".join(c.region for c in regions)
        raise AuditAborted(f"no delivery stream named {', '.join(missing)} in {where}")
    return AuditReport(
        generated_at=now,
        regions=tuple(c.region for c in regions),
        endpoint_url=endpoint_url,
        streams=audited,
        caller_account=caller_account,
        allow_partial=allow_partial,
    )


def list_streams(firehose: ReadOnlyClient) -> list[str]:
    """Every delivery stream name of the region (ListDeliveryStreams pages by the last name)."""
    names: list[str] = []
    params: dict[str, Any] = {"Limit": LIST_PAGE}
    while True:
        page = read(firehose, "list_delivery_streams", **params)
        if isinstance(page, Unreadable):
            raise AuditAborted(
                f"cannot list the delivery streams in {firehose.region}: {page.describe()}"
            )
        batch = [str(n) for n in page.get("DeliveryStreamNames", [])]
        names += batch
        if not page.get("HasMoreDeliveryStreams") or not batch:
            return names
        params["ExclusiveStartDeliveryStreamName"] = batch[-1]


def audit_stream(
    clients: RegionClients,
    name: str,
    *,
    now: datetime,
    stuck_after: timedelta = STUCK_AFTER,
) -> StreamAudit | None:
    """The findings on one stream; None when it does not exist (any more)."""
    answer = read(clients.firehose, "describe_delivery_stream", DeliveryStreamName=name)
    if isinstance(answer, Unreadable):
        if answer.not_found:
            return None
        return StreamAudit(
            clients.region,
            name,
            None,
            None,
            [
                Finding(
                    "describe",
                    Verdict.ERROR,
                    ("SSE-04",),
                    f"{COULD_NOT_READ}: {answer.describe()}: nothing about this stream's data "
                    "protection is known",
                    answer.evidence(),
                )
            ],
        )
    description: dict[str, Any] = answer.get("DeliveryStreamDescription", {})
    source_type = str(description.get("DeliveryStreamType") or DIRECT_PUT)
    result = StreamAudit(
        clients.region, name, description.get("DeliveryStreamARN"), source_type, []
    )
    status_finding = stream_status(description)
    if status_finding is not None:
        result.findings.append(status_finding)
    if source_type == DIRECT_PUT:
        result.findings += check_direct_put(
            description, clients.kms, now=now, stuck_after=stuck_after
        )
        result.findings += check_alarms(clients.cloudwatch, name)
    else:
        result.findings.append(sse_not_applicable(description))
        if source_type == KINESIS:
            result.findings += check_kinesis_source(description, clients.kinesis, clients.kms)
        result.findings.append(alarms_not_applicable(source_type))
    return result


def stream_status(description: dict[str, Any]) -> Finding | None:
    """``stream-status``, only for a stream that failed to be created or deleted: its
    FailureDescription may be KMS's doing (SSE-18)."""
    status = description.get("DeliveryStreamStatus")
    if status not in FAILED_STREAM:
        return None
    failure = description.get("FailureDescription") or {}
    cause = (
        f"{failure.get('Type', MISSING)}: {failure.get('Details', MISSING)}"
        if failure
        else "no FailureDescription given"
    )
    grounds = ("SSE-18", "API-09") if status == "CREATING_FAILED" else ("SSE-18", "GRT-05")
    return Finding(
        "stream-status",
        Verdict.FAILED,
        grounds,
        f"the stream is {status}: {cause}",
        {
            "DeliveryStreamStatus": status,
            "FailureDescription.Type": failure.get("Type", MISSING),
            "FailureDescription.Details": failure.get("Details", MISSING),
        },
    )
