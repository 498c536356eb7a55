"""Whether CloudWatch alarms watch the four KMSKey* metrics of a DirectPut stream (MET-01..07).

When Firehose cannot use the CMK, it keeps records up to 24 hours and then discards them
(RET-01, RET-02); these metrics (namespace ``AWS/Firehose``, MET-02) are how anyone learns of
it in time. A missing alarm is a ``warn``, never ``failed``; alarms that cannot be read are an
``error`` (the audit cannot say there is one). An alarm counts when it watches the
metric in ``AWS/Firehose`` with the dimension ``DeliveryStreamName`` = the stream (MET-07), and
notifies someone (actions enabled and at least one AlarmAction). The dimension is checked here
as well, since some emulators (moto) ignore it in DescribeAlarmsForMetric.

For other sources the metrics do not apply: they track Firehose's own SSE, which only DirectPut
streams have (SRC-08).
"""

from __future__ import annotations

from typing import Any

from firehose_conformance.audit.findings import COULD_NOT_READ, Finding
from firehose_conformance.audit.guard import ReadOnlyClient
from firehose_conformance.audit.reads import Unreadable, read
from firehose_conformance.spec_facts import KMS_METRICS, METRIC_DIMENSION, METRIC_NAMESPACE
from firehose_conformance.verdicts import Verdict


def check_alarms(cloudwatch: ReadOnlyClient, stream_name: str) -> list[Finding]:
    return [
        _check_metric(cloudwatch, stream_name, metric, rid) for metric, rid in KMS_METRICS.items()
    ]


def alarms_not_applicable(source_type: str) -> Finding:
    return Finding(
        "kms-alarms",
        Verdict.NOT_APPLICABLE,
        ("MET-01", "SRC-08"),
        f"the KMSKey* metrics track Firehose's own SSE, which a {source_type} stream does not "
        "have (SRC-08)",
        {"DeliveryStreamType": source_type},
    )


def _check_metric(cloudwatch: ReadOnlyClient, stream: str, metric: str, rid: str) -> Finding:
    finding_id = f"alarm-{metric}"
    grounds = ("MET-01", rid, "MET-07")
    asked = {
        "Namespace": METRIC_NAMESPACE,
        "MetricName": metric,
        f"Dimensions.{METRIC_DIMENSION}": stream,
    }
    answer = read(
        cloudwatch,
        "describe_alarms_for_metric",
        MetricName=metric,
        Namespace=METRIC_NAMESPACE,
        Dimensions=[{"Name": METRIC_DIMENSION, "Value": stream}],
    )
    if isinstance(answer, Unreadable):
        return Finding(
            finding_id,
            Verdict.ERROR,
            grounds,
            f"{COULD_NOT_READ} the alarms on {metric}: {answer.describe()}",
            {**asked, **answer.evidence()},
        )
    watching = [a for a in answer.get("MetricAlarms", []) if _watches(a, metric, stream)]
    notifying = [a for a in watching if _notifies(a)]
    evidence = {
        **asked,
        "MetricAlarms[].AlarmName": [str(a.get("AlarmName")) for a in watching],
        "MetricAlarms[].ActionsEnabled": [a.get("ActionsEnabled") for a in watching],
    }
    if notifying:
        names = ", ".join(str(a.get("AlarmName")) for a in notifying)
        return Finding(finding_id, Verdict.PASSED, grounds, f"watched by {names}", evidence)
    if watching:
        names = ", ".join(str(a.get("AlarmName")) for a in watching)
        return Finding(
            finding_id,
            Verdict.WARN,
            grounds,
            f"alarm(s) {names} watch {metric} but notify no one (actions disabled or none set)",
            evidence,
        )
    return Finding(
        finding_id,
        Verdict.WARN,
        grounds,
        f"no alarm watches {metric} for this stream (a KMS failure would go unnoticed until "
        "records are discarded)",
        evidence,
    )


def _watches(alarm: dict[str, Any], metric: str, stream: str) -> bool:
    dimensions = alarm.get("Dimensions") or []
    return (
        alarm.get("Namespace") == METRIC_NAMESPACE
        and alarm.get("MetricName") == metric
        and {"Name": METRIC_DIMENSION, "Value": stream} in dimensions
    )


def _notifies(alarm: dict[str, Any]) -> bool:
    return bool(alarm.get("ActionsEnabled", True)) and bool(alarm.get("AlarmActions"))
