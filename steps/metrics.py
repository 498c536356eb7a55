"""The KMSKey* metrics, read only as the implementation published them (never written by us)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_bdd import parsers, then, when

from firehose_conformance.targets.base import Target
from firehose_conformance.world import World
from steps.common import quoted

NAMESPACE = "AWS/Firehose"
DIMENSION = "DeliveryStreamName"
PERIOD = 300  # AMB-16: Sum over 5-minute periods


def _names(text: str) -> list[str]:
    """'"A" or "B"' -> ['A', 'B']: AMB-13 allows either metric for a pending-deletion key."""
    return re.findall(r'"([^"]+)"', text)


def _sum(t: Target, metric: str, stream: str, window: float, unit: str | None = None) -> float:
    end = datetime.fromtimestamp(t.now(), tz=UTC) + timedelta(minutes=5)
    params: dict[str, Any] = {
        "Namespace": NAMESPACE,
        "MetricName": metric,
        "Dimensions": [{"Name": DIMENSION, "Value": stream}],
        "StartTime": end - timedelta(seconds=window),
        "EndTime": end,
        "Period": _period(window),
        "Statistics": ["Sum"],
    }
    points = t.cloudwatch.get_metric_statistics(**params)["Datapoints"]
    if unit is not None:
        units = {p.get("Unit") for p in points}
        assert units <= {unit}, f"{metric} data points carry units {units}, expected {unit}"
    return sum(p.get("Sum", 0.0) for p in points)  # AMB-16: absent data counts as 0


def _period(window: float) -> int:
    """5-minute periods (AMB-16), widened in whole multiples so a query asks for at most 1,440
    data points, the CloudWatch limit (MET-09)."""
    return PERIOD * max(1, math.ceil(window / (PERIOD * 1440)))


def _best(t: Target, names: list[str], stream: str, window: float, unit: str | None = None):
    return max(_sum(t, name, stream, window, unit) for name in names)


@then(
    parsers.re(
        r"metric (?P<metric>.+) of \"(?P<alias>[^\"]+)\" eventually counts at least (?P<n>\d+) "
        r"in namespace \"AWS/Firehose\" with unit \"(?P<unit>[A-Za-z]+)\""
    )
)
def metric_eventually_counts(
    t: Target, world: World, metric: str, alias: str, n: str, unit: str
) -> None:
    names = _names(metric)
    stream = world.stream(alias).name
    t.poll(
        lambda: _best(t, names, stream, 3600, unit),
        lambda total: total >= int(n),
        timeout=t.profile.metric_timeout,
        what=f"{' or '.join(names)} >= {n} for {alias} (Sum over the last hour)",
    )


@then(
    parsers.re(
        r"ListMetrics lists (?P<metric>.+) for \"(?P<alias>[^\"]+)\" in namespace "
        r"\"AWS/Firehose\" with dimension \"DeliveryStreamName\""
    )
)
def metric_listed(t: Target, world: World, metric: str, alias: str) -> None:
    stream = world.stream(alias).name
    found = []
    for name in _names(metric):
        found += t.cloudwatch.list_metrics(
            Namespace=NAMESPACE,
            MetricName=name,
            Dimensions=[{"Name": DIMENSION, "Value": stream}],
        )["Metrics"]
    assert found, f"ListMetrics shows none of {metric} for {alias} in {NAMESPACE}"


@then(quoted('metric "{metric}" of "{alias}" counts nothing'))
def metric_counts_nothing(t: Target, world: World, metric: str, alias: str) -> None:
    total = _sum(t, metric, world.stream(alias).name, 3600)
    assert total == 0, f"{metric} counts {total} for {alias}, which met no KMS failure"


@then(quoted('metric "{metric}" of "{alias}" counts at least {n:d} within {minutes:d} minutes'))
def metric_within(t: Target, world: World, metric: str, alias: str, n: int, minutes: int) -> None:
    stream = world.stream(alias).name
    t.poll(
        lambda: _sum(t, metric, stream, 3600),
        lambda total: total >= n,
        timeout=minutes * 60,
        what=f"{metric} >= {n} for {alias}",
    )


@then(
    quoted('metric "{metric}" of "{alias}" still counts at least {n:d} over the last {days:d} days')
)
def metric_kept(t: Target, world: World, metric: str, alias: str, n: int, days: int) -> None:
    total = _sum(t, metric, world.stream(alias).name, days * 86400)
    assert total >= n, f"{metric} counts {total} for {alias} over the last {days} days"


_BAD_QUERIES = {
    "a period of 61 seconds": {"Period": 61},
    'the statistic "Median"': {"Statistics": ["Median"]},
    'the unit "Bananas"': {"Unit": "Bananas"},
    "a 1025-character dimension value": {"Dimensions": [{"Name": DIMENSION, "Value": "x" * 1025}]},
}


@when(quoted('I query metric "{metric}" of "{alias}" with {problem}'))
def query_metric_badly(t: Target, world: World, metric: str, alias: str, problem: str) -> None:
    end = datetime.fromtimestamp(t.now(), tz=UTC)
    params: dict[str, Any] = {
        "Namespace": NAMESPACE,
        "MetricName": metric,
        "Dimensions": [{"Name": DIMENSION, "Value": world.stream(alias).name}],
        "StartTime": end - timedelta(hours=1),
        "EndTime": end,
        "Period": PERIOD,
        "Statistics": ["Sum"],
    }
    params.update(_BAD_QUERIES[problem])
    world.record(t.call("cloudwatch", "get_metric_statistics", validate=False, **params))
