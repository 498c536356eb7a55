"""CloudWatch metrics: what services publish, what customers put, and the statistics of both."""

from __future__ import annotations

from dataclasses import dataclass

from reference_impl.clock import VirtualClock
from reference_impl.cloudwatch.datums import ParsedDatum, check_namespace
from reference_impl.cloudwatch.metrics import (
    STANDARD_UNITS,
    Metric,
    MetricKey,
    Sample,
    Statistic,
    dimension_key,
)
from reference_impl.cloudwatch.statistics import (
    Aggregate,
    aggregate,
    align_start,
    check_datapoint_limit,
    check_period,
    check_range,
)
from reference_impl.errors import AwsError

DAY = 86400.0
# MET-08 / DG-MON: "Metrics are archived for two weeks"; BC-CW: one-minute data points "are
# available for 15 days". The reference keeps every data point 15 days, then drops it.
RETENTION_SECONDS = 15 * DAY
RECENTLY_ACTIVE_SECONDS = 3 * 3600.0
RESERVED_PREFIX = "AWS/"


@dataclass(frozen=True)
class DimensionFilter:
    name: str
    value: str | None = None

    def matches(self, dimensions: dict[str, str]) -> bool:
        if self.name not in dimensions:
            return False
        return self.value is None or dimensions[self.name] == self.value


class CloudWatchModel:
    """Metrics by (namespace, name, dimension set), each a list of samples on the virtual clock."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.metrics: dict[MetricKey, Metric] = {}

    # -- writing -------------------------------------------------------------------------

    def publish(
        self,
        namespace: str,
        metric_name: str,
        dimensions: dict[str, str],
        value: float,
        unit: str,
        timestamp: float | None = None,
    ) -> None:
        """How AWS services (Firehose) publish: any namespace, including ``AWS/...``."""
        if unit not in STANDARD_UNITS:
            raise ValueError(f"{unit!r} is not a CloudWatch StandardUnit")
        when = self.clock.now() if timestamp is None else timestamp
        key = MetricKey(namespace, metric_name, dimension_key(dimensions))
        self._record(key, [Sample.of_value(when, float(value), unit)], high_resolution=False)

    def put_metric_data(self, namespace: str, data: list[ParsedDatum]) -> None:
        """PutMetricData: customers may not write into the namespaces AWS services own."""
        check_namespace(namespace)
        if namespace.startswith(RESERVED_PREFIX):
            # CloudWatch refuses AWS/ namespaces to callers, so no one can fake the metrics
            # Firehose publishes (MET-02..06); only ``publish`` writes there.
            raise AwsError(
                "InvalidParameterValue",
                f"The value {namespace} for parameter Namespace is invalid.",
            )
        for datum in data:
            key = MetricKey(namespace, datum.name, datum.dimensions)
            self._record(key, datum.samples, high_resolution=datum.high_resolution)

    def _record(self, key: MetricKey, samples: list[Sample], *, high_resolution: bool) -> None:
        metric = self.metrics.get(key)
        if metric is None:
            metric = self.metrics[key] = Metric(key)
        metric.samples.extend(samples)
        metric.high_resolution = metric.high_resolution or high_resolution
        metric.last_received = self.clock.now()

    def _expire(self) -> None:
        """Drop data points past retention, and metrics left with none."""
        horizon = self.clock.now() - RETENTION_SECONDS
        for key in list(self.metrics):
            metric = self.metrics[key]
            metric.samples = [s for s in metric.samples if s.timestamp >= horizon]
            if not metric.samples:
                del self.metrics[key]

    # -- reading -------------------------------------------------------------------------

    def list_metrics(
        self,
        *,
        namespace: str | None = None,
        metric_name: str | None = None,
        filters: list[DimensionFilter] | None = None,
        recently_active: bool = False,
    ) -> list[MetricKey]:
        """Metrics with data in the past two weeks matching every filter, in a stable order."""
        self._expire()
        now = self.clock.now()
        found = []
        for key, metric in self.metrics.items():
            if namespace is not None and key.namespace != namespace:
                continue
            if metric_name is not None and key.name != metric_name:
                continue
            dims = dict(key.dimensions)
            if not all(f.matches(dims) for f in filters or []):
                continue
            if recently_active and metric.last_received < now - RECENTLY_ACTIVE_SECONDS:
                continue
            found.append(key)
        return sorted(found)

    def statistics(
        self,
        key: MetricKey,
        *,
        start: float,
        end: float,
        period: int,
        unit: str | None,
        by_unit: bool,
        parameter: str = "Period",
        limit_datapoints: bool = True,
    ) -> list[Aggregate]:
        """Per-period aggregates of one metric (exact dimension set); [] if it has no data.

        Raises InvalidParameterValue for a bad range or period, and (GetMetricStatistics only,
        ``limit_datapoints``) InvalidParameterCombination when over 1,440 data points are asked.
        """
        self._expire()
        check_range(start, end)
        metric = self.metrics.get(key)
        check_period(
            period, high_resolution=bool(metric and metric.high_resolution), parameter=parameter
        )
        aligned = align_start(start, period, self.clock.now())
        if limit_datapoints:
            check_datapoint_limit(aligned, end, period)
        if metric is None:
            return []
        return aggregate(
            metric.samples, start=aligned, end=end, period=period, unit=unit, by_unit=by_unit
        )


__all__ = ["CloudWatchModel", "DimensionFilter", "MetricKey", "Statistic"]
