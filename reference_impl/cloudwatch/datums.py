"""PutMetricData's MetricDatum, checked as CloudWatch checks it and turned into samples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reference_impl.cloudwatch.metrics import Sample, dimension_key
from reference_impl.errors import AwsError

# BC-CW PutMetricData: "Values must be in the range of -2^360 to 2^360" (and, for non-zero
# values, at least 2^-260 in magnitude, as the CloudWatch User Guide states).
MAX_MAGNITUDE = 2.0**360
MIN_MAGNITUDE = 2.0**-260
MAX_VALUES = 150
MAX_DIMENSIONS = 30
STORAGE_RESOLUTIONS = frozenset({1, 60})
TWO_WEEKS = 14 * 86400
TWO_HOURS = 2 * 3600


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message)


def combination(message: str) -> AwsError:
    return AwsError("InvalidParameterCombination", message)


@dataclass
class ParsedDatum:
    name: str
    dimensions: tuple[tuple[str, str], ...]
    samples: list[Sample]
    high_resolution: bool


def check_text(text: str, what: str) -> None:
    """Dimension names and values (and namespaces): ASCII, no control characters, not blank."""
    if not text.isascii() or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise invalid(f"The value {text!r} for {what} must contain only printable ASCII.")
    if not text.strip():
        raise invalid(f"The value for {what} must include at least one non-whitespace character.")


def check_namespace(namespace: str) -> None:
    check_text(namespace, "parameter Namespace")
    if namespace.startswith(":"):
        raise invalid(f"The value {namespace} for parameter Namespace is invalid.")


def parse_dimensions(raw: list[dict[str, str]], where: str) -> tuple[tuple[str, str], ...]:
    if len(raw) > MAX_DIMENSIONS:
        raise invalid(f"The collection {where}.Dimensions must not have more than 30 members.")
    seen: dict[str, str] = {}
    for index, entry in enumerate(raw, 1):
        name, value = entry["Name"], entry["Value"]
        check_text(name, f"{where}.Dimensions.member.{index}.Name")
        if name.startswith(":"):
            raise invalid(f"The dimension name {name} must not start with a colon.")
        check_text(value, f"{where}.Dimensions.member.{index}.Value")
        if name in seen:
            raise invalid("No Metric may specify the same dimension name twice.")
        seen[name] = value
    return dimension_key(seen)


def _check_value(value: float, where: str) -> None:
    magnitude = abs(value)
    if magnitude > MAX_MAGNITUDE or (magnitude and magnitude < MIN_MAGNITUDE):
        raise invalid(f"The value {value} for parameter {where} is out of range.")


def _timestamp(raw: dict[str, Any], where: str, now: float) -> float:
    timestamp = raw.get("Timestamp", now)
    if timestamp < now - TWO_WEEKS:
        raise invalid(
            f"The parameter {where}.Timestamp must specify a time no more than two weeks in "
            "the past."
        )
    if timestamp > now + TWO_HOURS:
        raise invalid(
            f"The parameter {where}.Timestamp must specify a time no more than two hours in "
            "the future."
        )
    return timestamp


def _samples(raw: dict[str, Any], where: str, timestamp: float, unit: str) -> list[Sample]:
    given = [name for name in ("Value", "StatisticValues", "Values") if name in raw]
    if len(given) > 1:
        raise combination(
            f"The parameters {where}.{given[0]} and {where}.{given[1]} are mutually exclusive "
            "and you have specified both."
        )
    if not given:
        raise AwsError(
            "MissingParameter",
            f"One of the parameters {where}.Value, {where}.StatisticValues or {where}.Values "
            "must be specified.",
        )
    if "Value" in raw:
        _check_value(raw["Value"], f"{where}.Value")
        return [Sample.of_value(timestamp, raw["Value"], unit)]
    if "StatisticValues" in raw:
        stats = raw["StatisticValues"]
        for name in ("SampleCount", "Sum", "Minimum", "Maximum"):
            _check_value(stats[name], f"{where}.StatisticValues.{name}")
        if stats["SampleCount"] <= 0:
            raise invalid(f"The parameter {where}.StatisticValues.SampleCount must be positive.")
        if stats["Minimum"] > stats["Maximum"]:
            raise invalid(
                f"The parameter {where}.StatisticValues.Minimum must not be greater than Maximum."
            )
        return [
            Sample(
                timestamp,
                unit,
                stats["SampleCount"],
                stats["Sum"],
                stats["Minimum"],
                stats["Maximum"],
            )
        ]
    values: list[float] = raw["Values"]
    counts: list[float] = raw.get("Counts", [1.0] * len(values))
    if len(values) > MAX_VALUES:
        raise invalid(f"The collection {where}.Values must not have more than 150 members.")
    if len(counts) != len(values):
        raise invalid(f"The parameters {where}.Values and {where}.Counts must be of the same size.")
    samples = []
    for value, count in zip(values, counts, strict=True):
        _check_value(value, f"{where}.Values")
        if count <= 0:
            raise invalid(f"The parameter {where}.Counts must contain only positive values.")
        samples.append(Sample.of_value(timestamp, value, unit, count))
    return samples


def parse_datum(raw: dict[str, Any], where: str, now: float) -> ParsedDatum:
    """One MetricDatum (validated against its shape already) -> samples, or an AwsError."""
    resolution = raw.get("StorageResolution", 60)
    if resolution not in STORAGE_RESOLUTIONS:
        raise invalid(f"The parameter {where}.StorageResolution must be either 1 or 60.")
    unit = raw.get("Unit", "None")
    timestamp = _timestamp(raw, where, now)
    return ParsedDatum(
        name=raw["MetricName"],
        dimensions=parse_dimensions(raw.get("Dimensions", []), where),
        samples=_samples(raw, where, timestamp, unit),
        high_resolution=resolution == 1,
    )
