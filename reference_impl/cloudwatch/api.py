"""CloudWatch's AWS JSON 1.0 API (query-compatible error codes): params -> model -> output."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from reference_impl.cloudwatch.datums import parse_datum
from reference_impl.cloudwatch.metrics import MetricKey, Statistic, dimension_key
from reference_impl.cloudwatch.model import CloudWatchModel, DimensionFilter
from reference_impl.errors import AwsError

LIST_PAGE_SIZE = 500
MAX_METRICS_PER_PUT = 1000
MAX_QUERIES = 500
DEFAULT_MAX_DATAPOINTS = 100_800
METRIC_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message)


def _missing(parameter: str) -> AwsError:
    return AwsError("MissingParameter", f"The parameter {parameter} is required.")


def _encode_token(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode("ascii")


def _decode_token(token: str, code: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        payload = None
    if not isinstance(payload, dict):
        raise AwsError(code, "The NextToken provided is invalid.")
    return payload


def _key(metric: dict[str, Any], where: str) -> MetricKey:
    for name in ("Namespace", "MetricName"):
        if name not in metric:
            raise _missing(f"{where}.{name}")
    dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
    return MetricKey(metric["Namespace"], metric["MetricName"], dimension_key(dims))


class CloudWatchApi:
    def __init__(self, model: CloudWatchModel) -> None:
        self.model = model

    # -- PutMetricData -------------------------------------------------------------------

    def put_metric_data(self, params: dict[str, Any]) -> dict[str, Any]:
        raw = list(params.get("MetricData", []))
        for entity in params.get("EntityMetricData", []):
            raw.extend(entity.get("MetricData", []))  # entities are accepted and not kept
        if not raw:
            raise AwsError(
                "MissingParameter",
                "At least one of the parameters MetricData and EntityMetricData must be specified.",
            )
        if len(raw) > MAX_METRICS_PER_PUT:
            raise _invalid("The collection MetricData must not have more than 1000 members.")
        now = self.model.clock.now()
        data = [parse_datum(d, f"MetricData.member.{i}", now) for i, d in enumerate(raw, 1)]
        self.model.put_metric_data(params["Namespace"], data)
        return {}

    # -- ListMetrics ---------------------------------------------------------------------

    def list_metrics(self, params: dict[str, Any]) -> dict[str, Any]:
        filters = [DimensionFilter(f["Name"], f.get("Value")) for f in params.get("Dimensions", [])]
        keys = self.model.list_metrics(
            namespace=params.get("Namespace"),
            metric_name=params.get("MetricName"),
            filters=filters,
            recently_active=params.get("RecentlyActive") == "PT3H",
        )
        start = 0
        if "NextToken" in params:
            start = _decode_token(params["NextToken"], "InvalidParameterValue").get("start")
            if not isinstance(start, int) or start < 0:
                raise _invalid("The NextToken provided is invalid.")
        page = keys[start : start + LIST_PAGE_SIZE]
        result: dict[str, Any] = {"Metrics": [key.as_wire() for key in page]}
        if start + LIST_PAGE_SIZE < len(keys):
            result["NextToken"] = _encode_token({"start": start + LIST_PAGE_SIZE})
        return result

    # -- GetMetricStatistics -------------------------------------------------------------

    def get_metric_statistics(self, params: dict[str, Any]) -> dict[str, Any]:
        statistics = params.get("Statistics")
        extended = params.get("ExtendedStatistics")
        if statistics and extended:
            raise AwsError(
                "InvalidParameterCombination",
                "Parameters Statistics and ExtendedStatistics are mutually exclusive.",
            )
        if extended:
            raise _invalid(
                "ExtendedStatistics (percentiles) are not supported by the reference "
                "implementation."
            )
        if not statistics:
            raise AwsError(
                "InvalidParameterCombination",
                "Must specify either Statistics or ExtendedStatistics.",
            )
        key = _key(params, "request")
        wanted = [Statistic(name) for name in dict.fromkeys(statistics)]
        aggregates = self.model.statistics(
            key,
            start=params["StartTime"],
            end=params["EndTime"],
            period=params["Period"],
            unit=params.get("Unit"),
            by_unit=True,
        )
        datapoints = []
        for agg in aggregates:
            point: dict[str, Any] = {"Timestamp": agg.timestamp}
            for statistic in wanted:
                point[statistic.value] = agg.value(statistic)
            point["Unit"] = agg.unit
            datapoints.append(point)
        return {"Label": key.name, "Datapoints": datapoints}

    # -- GetMetricData -------------------------------------------------------------------

    def get_metric_data(self, params: dict[str, Any]) -> dict[str, Any]:
        queries = params["MetricDataQueries"]
        if not queries:
            raise _missing("MetricDataQueries")
        if len(queries) > MAX_QUERIES:
            raise _invalid("The collection MetricDataQueries must not have more than 500 members.")
        max_points = params.get("MaxDatapoints", DEFAULT_MAX_DATAPOINTS)
        if max_points < 1:
            raise _invalid("The parameter MaxDatapoints must be greater than 0.")
        offset = 0
        if "NextToken" in params:
            offset = _decode_token(params["NextToken"], "InvalidNextToken").get("offset")
            if not isinstance(offset, int) or offset < 0:
                raise AwsError("InvalidNextToken", "The NextToken provided is invalid.")
        descending = params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
        series = self._all_series(queries, params["StartTime"], params["EndTime"], descending)

        results, position, remaining = [], 0, max_points
        more = False
        for query_id, label, points in series:
            skip = max(0, min(len(points), offset - position))
            take = points[skip : skip + remaining]
            remaining -= len(take)
            position += len(points)
            partial = skip + len(take) < len(points)
            more = more or partial
            results.append(
                {
                    "Id": query_id,
                    "Label": label,
                    "Timestamps": [t for t, _ in take],
                    "Values": [v for _, v in take],
                    "StatusCode": "PartialData" if partial else "Complete",
                }
            )
        output: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
        if more:
            output["NextToken"] = _encode_token({"offset": offset + max_points})
        return output

    def _all_series(
        self, queries: list[dict[str, Any]], start: float, end: float, descending: bool
    ) -> list[tuple[str, str, list[tuple[float, float]]]]:
        seen: set[str] = set()
        series = []
        for index, query in enumerate(queries, 1):
            where = f"MetricDataQueries.member.{index}"
            query_id = query["Id"]
            if not METRIC_ID.fullmatch(query_id):
                raise _invalid(
                    f"The value {query_id} for parameter {where}.Id is invalid: it must start "
                    "with a lowercase letter and contain only letters, digits and underscores."
                )
            if query_id in seen:
                raise _invalid("The values for parameter id in MetricDataQueries are not unique.")
            seen.add(query_id)
            if "Expression" in query and "MetricStat" in query:
                raise _invalid(
                    f"{where}: you must specify either Expression or MetricStat but not both."
                )
            if "Expression" in query:
                raise _invalid(
                    f"{where}.Expression: metric math and Metrics Insights expressions are not "
                    "supported by the reference implementation."
                )
            if "MetricStat" not in query:
                raise _missing(f"{where}.MetricStat")
            points = self._series(query["MetricStat"], f"{where}.MetricStat", start, end)
            if descending:
                points.reverse()
            if query.get("ReturnData", True):
                label = query.get("Label") or query["MetricStat"]["Metric"].get("MetricName", "")
                series.append((query_id, label, points))
        return series

    def _series(
        self, stat: dict[str, Any], where: str, start: float, end: float
    ) -> list[tuple[float, float]]:
        key = _key(stat["Metric"], f"{where}.Metric")
        try:
            statistic = Statistic(stat["Stat"])
        except ValueError:
            raise _invalid(
                f"The statistic {stat['Stat']} in {where}.Stat is not supported by the "
                "reference implementation (only SampleCount, Average, Sum, Minimum, Maximum)."
            ) from None
        aggregates = self.model.statistics(
            key,
            start=start,
            end=end,
            period=stat["Period"],
            unit=stat.get("Unit"),
            by_unit=False,
            parameter=f"{where}.Period",
            limit_datapoints=False,
        )
        return [(agg.timestamp, agg.value(statistic)) for agg in aggregates]
