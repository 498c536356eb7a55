"""The KMSKey* metrics, read only as the implementation published them (never written by us)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_bdd import then, when

from firehose_conformance.spec_facts import KMS_METRICS, METRIC_DIMENSION, METRIC_NAMESPACE
from firehose_conformance.targets.base import Target
from firehose_conformance.world import World

from .phrases import MetricSeries, OneOf, step_text

PERIOD = 300  # AMB-16: Sum over 5-minute periods
HOUR = 3600


def _query(metric: str, stream: str, end: datetime, window: float, period: int) -> dict[str, Any]:
    """GetMetricStatistics parameters: the Sum of one stream's metric over ``window`` seconds."""
    return {
        "Namespace": METRIC_NAMESPACE,
        "MetricName": metric,
        "Dimensions": [{"Name": METRIC_DIMENSION, "Value": stream}],
        "StartTime": end - timedelta(seconds=window),
        "EndTime": end,
        "Period": period,
        "Statistics": ["Sum"],
    }


def _sum(t: Target, metric: str, stream: str, window: float, unit: str | None = None) -> float:
    end = datetime.fromtimestamp(t.now(), tz=UTC) + timedelta(minutes=5)
    query = _query(metric, stream, end, window, _period(window))
    points = t.cloudwatch.get_metric_statistics(**query)["Datapoints"]
    if unit is not None:
        units = {p.get("Unit") for p in points}
        assert units <= {unit}, f"{metric} data points carry units {units}, expected {unit}"
    return sum(p.get("Sum", 0.0) for p in points)  # AMB-16: absent data counts as 0


def _period(window: float) -> int:
    """5-minute periods (AMB-16), widened in whole multiples so a query asks for at most 1,440
    data points, the CloudWatch limit (MET-09)."""
    return PERIOD * max(1, math.ceil(window / (PERIOD * 1440)))


def _count(
    t: Target, world: World, series: MetricSeries, window: float, unit: str | None = None
) -> float:
    """The series' Sum over ``window``: the largest among its names (AMB-13 allows either)."""
    stream = world.stream(series.stream).name
    return max(_sum(t, name, stream, window, unit) for name in series.names.items)


# ---- Then ----------------------------------------------------------------------------------------
@then(
    step_text(
        "metric {series:Series} eventually counts at least {n:d} in namespace "
        '"AWS/Firehose" with unit "{unit}"'
    )
)
def metric_eventually_counts(
    t: Target, world: World, series: MetricSeries, n: int, unit: str
) -> None:
    """Polls within the metric bound (DG-MON: "pushed to CloudWatch every five minutes").

    Where either of two metrics is accepted (AMB-13: a key pending deletion raises
    DisabledException or KMSInvalidStateException, as KMS decides), only the requirement of the
    metric that counted is observed; the other one's situation did not arise.
    """
    t.poll(
        lambda: _count(t, world, series, HOUR, unit),
        lambda total: total >= n,
        timeout=t.profile.metric_timeout,
        what=f"{series.names.spoken()} >= {n} for {series.stream} (Sum over the last hour)",
    )
    if len(series.names.items) > 1:
        stream = world.stream(series.stream).name
        for name in series.names.items:
            if _sum(t, name, stream, HOUR) < n:
                world.not_exercised(
                    [KMS_METRICS[name]],
                    f"the KMS failure was counted as another of {series.names.spoken()} "
                    "(AMB-13: which exception KMS raises is KMS's choice)",
                )


@then(
    step_text(
        'ListMetrics lists {metrics:Metrics} for "{stream}" in namespace "AWS/Firehose" with '
        'dimension "DeliveryStreamName"'
    )
)
def metric_listed(t: Target, world: World, metrics: OneOf, stream: str) -> None:
    name = world.stream(stream).name
    found = []
    for metric in metrics.items:
        found += t.cloudwatch.list_metrics(
            Namespace=METRIC_NAMESPACE,
            MetricName=metric,
            Dimensions=[{"Name": METRIC_DIMENSION, "Value": name}],
        )["Metrics"]
    assert found, f"ListMetrics shows none of {metrics} for {stream} in {METRIC_NAMESPACE}"


@then(step_text("metric {series:Series} counts nothing"))
def metric_counts_nothing(t: Target, world: World, series: MetricSeries) -> None:
    total = _count(t, world, series, HOUR)
    assert total == 0, (
        f"{series.names.spoken()} counts {total} for {series.stream}, which met no KMS failure"
    )


@then(step_text("metric {series:Series} counts at least {n:d} within {minutes:d} minutes"))
def metric_counts_within(
    t: Target, world: World, series: MetricSeries, n: int, minutes: int
) -> None:
    t.poll(
        lambda: _count(t, world, series, HOUR),
        lambda total: total >= n,
        timeout=minutes * 60,
        what=f"{series.names.spoken()} >= {n} for {series.stream}",
    )


@then(step_text("metric {series:Series} still counts at least {n:d} over the last {days:d} days"))
def metric_kept(t: Target, world: World, series: MetricSeries, n: int, days: int) -> None:
    total = _count(t, world, series, days * 86400)
    assert total >= n, (
        f"{series.names.spoken()} counts {total} for {series.stream} over the last {days} days"
    )


# ---- When: a query CloudWatch must refuse (MET-09) -----------------------------------------------
_BAD_QUERIES: dict[str, dict[str, Any]] = {
    "a period of 61 seconds": {"Period": 61},
    'the statistic "Median"': {"Statistics": ["Median"]},
    'the unit "Bananas"': {"Unit": "Bananas"},
    "a 1025-character dimension value": {
        "Dimensions": [{"Name": METRIC_DIMENSION, "Value": "x" * 1025}]
    },
}


@when(step_text('I query metric "{metric}" of "{stream}" with {problem}'))
def query_metric_badly(t: Target, world: World, metric: str, stream: str, problem: str) -> None:
    end = datetime.fromtimestamp(t.now(), tz=UTC)
    query = _query(metric, world.stream(stream).name, end, HOUR, PERIOD) | _BAD_QUERIES[problem]
    world.calls.record(t.call("cloudwatch", "get_metric_statistics", validate=False, **query))
