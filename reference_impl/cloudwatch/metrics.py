"""What CloudWatch stores: metrics (namespace, name, dimension set) and their data points."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

STANDARD_UNITS = frozenset(
    {
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
        "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
        "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
        "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second",
        "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
    }
)  # fmt: skip


class Statistic(StrEnum):
    SAMPLE_COUNT = "SampleCount"
    AVERAGE = "Average"
    SUM = "Sum"
    MINIMUM = "Minimum"
    MAXIMUM = "Maximum"


Dimensions = tuple[tuple[str, str], ...]


def dimension_key(dimensions: dict[str, str]) -> Dimensions:
    """A dimension set as CloudWatch compares them: order does not matter."""
    return tuple(sorted(dimensions.items()))


@dataclass(frozen=True, order=True)
class MetricKey:
    """CloudWatch treats each unique combination of dimensions as a separate metric."""

    namespace: str
    name: str
    dimensions: Dimensions = ()

    def as_wire(self) -> dict[str, object]:
        return {
            "Namespace": self.namespace,
            "MetricName": self.name,
            "Dimensions": [{"Name": n, "Value": v} for n, v in self.dimensions],
        }


@dataclass(frozen=True)
class Sample:
    """One published data point, kept as a statistic set (a single value has count 1)."""

    timestamp: float
    unit: str
    sample_count: float
    total: float
    minimum: float
    maximum: float

    @classmethod
    def of_value(cls, timestamp: float, value: float, unit: str, count: float = 1.0) -> Sample:
        return cls(timestamp, unit, count, value * count, value, value)


@dataclass
class Metric:
    key: MetricKey
    samples: list[Sample] = field(default_factory=list)
    # Stored with StorageResolution 1 at least once: sub-minute periods are then allowed.
    high_resolution: bool = False
    # When a data point was last received (RecentlyActive=PT3H looks at this).
    last_received: float = 0.0
