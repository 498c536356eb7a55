"""Samples -> statistics per period, with CloudWatch's rules for periods and start times."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from reference_impl.cloudwatch.metrics import Sample, Statistic
from reference_impl.errors import AwsError

MINUTE = 60
DAY = 86400
HIGH_RESOLUTION_PERIODS = frozenset({1, 5, 10, 20, 30})
MAX_DATAPOINTS = 1440


def invalid_value(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message)


def check_period(period: int, *, high_resolution: bool, parameter: str = "Period") -> None:
    """BC-CW Period: "For metrics with regular resolution, a period can be as short as one minute
    (60 seconds) and must be a multiple of 60. For high-resolution metrics ... the period can be
    1, 5, 10, 20, 30, 60, or any multiple of 60." (MET-09)"""
    if period % MINUTE == 0 and period > 0:
        return
    if high_resolution and period in HIGH_RESOLUTION_PERIODS:
        return
    raise invalid_value(f"The parameter {parameter} must be a multiple of 60.")


def check_range(start: float, end: float) -> None:
    if start >= end:
        raise invalid_value("The parameter StartTime must be less than the parameter EndTime.")


def align_start(start: float, period: int, now: float) -> float:
    """BC-CW StartTime: rounded down to the minute (< 15 days ago), to 5 minutes (15-63 days ago),
    to the hour (older); periods of 5, 10, 20 or 30 s round to that division of a minute.

    Data point buckets then run from the rounded start in steps of ``period`` (undocumented
    which origin AWS uses; with StartTime on a period boundary, as AMB-16's 5-minute queries
    usually are, this is the same as aligning buckets to multiples of the period).
    """
    age = now - start
    if period < MINUTE:
        unit = period
    elif age < 15 * DAY:
        unit = MINUTE
    elif age < 63 * DAY:
        unit = 5 * MINUTE
    else:
        unit = 3600
    return math.floor(start / unit) * unit


def check_datapoint_limit(start: float, end: float, period: int) -> None:
    requested = math.ceil((end - start) / period)
    if requested > MAX_DATAPOINTS:
        raise AwsError(
            "InvalidParameterCombination",
            f"You have requested up to {requested:,} datapoints, which exceeds the limit of "
            f"{MAX_DATAPOINTS:,}. You may reduce the datapoints requested by increasing Period, "
            "or decreasing the time range.",
        )


@dataclass
class Aggregate:
    """The statistics of one period bucket (of one unit, if the query groups by unit)."""

    timestamp: float
    unit: str
    sample_count: float = 0.0
    total: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf

    def add(self, sample: Sample) -> None:
        self.sample_count += sample.sample_count
        self.total += sample.total
        self.minimum = min(self.minimum, sample.minimum)
        self.maximum = max(self.maximum, sample.maximum)

    def value(self, statistic: Statistic) -> float:
        match statistic:
            case Statistic.SAMPLE_COUNT:
                return self.sample_count
            case Statistic.SUM:
                return self.total
            case Statistic.MINIMUM:
                return self.minimum
            case Statistic.MAXIMUM:
                return self.maximum
            case Statistic.AVERAGE:
                return self.total / self.sample_count if self.sample_count else 0.0


def aggregate(
    samples: Iterable[Sample],
    *,
    start: float,
    end: float,
    period: int,
    unit: str | None,
    by_unit: bool,
) -> list[Aggregate]:
    """Samples in [start, end) with ``unit`` (any if None), bucketed by period, oldest first.

    ``by_unit``: GetMetricStatistics answers one data point per bucket and unit; GetMetricData
    answers one value per bucket whatever the units.
    """
    buckets: dict[tuple[float, str], Aggregate] = {}
    for sample in samples:
        if not start <= sample.timestamp < end:
            continue
        if unit is not None and sample.unit != unit:
            continue
        bucket_start = start + math.floor((sample.timestamp - start) / period) * period
        shown_unit = sample.unit if by_unit or unit is not None else ""
        key = (bucket_start, shown_unit)
        found = buckets.get(key)
        if found is None:
            found = buckets[key] = Aggregate(bucket_start, sample.unit)
        found.add(sample)
    return [buckets[key] for key in sorted(buckets)]
