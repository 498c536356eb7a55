"""CloudWatch of the reference implementation: Firehose's publish path and the read APIs."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from client_errors import error_of

from reference_impl.cloud import ReferenceCloud
from reference_impl.wire.http import Request

NS = "AWS/Firehose"
STREAM_DIM = [{"Name": "DeliveryStreamName", "Value": "orders"}]


@pytest.fixture
def cw(cloud: ReferenceCloud):
    return cloud.client("cloudwatch")


def publish_failures(cloud: ReferenceCloud, stream: str, metric: str, times: int) -> None:
    for _ in range(times):
        cloud.cloudwatch.publish(NS, metric, {"DeliveryStreamName": stream}, 1.0, "Count")
        cloud.advance(60)


def window(cloud: ReferenceCloud, hours: float = 1.0) -> dict:
    return {
        "StartTime": cloud.now() - timedelta(hours=hours),
        "EndTime": cloud.now() + timedelta(minutes=5),
    }


# -- the Firehose metrics (MET-01..08) -------------------------------------------------------


def test_published_metric_is_listed_with_its_dimension(cloud: ReferenceCloud, cw) -> None:
    publish_failures(cloud, "orders", "KMSKeyDisabled", 1)
    publish_failures(cloud, "other", "KMSKeyNotFound", 1)
    metrics = cw.list_metrics(Namespace=NS, MetricName="KMSKeyDisabled")["Metrics"]
    assert metrics == [{"Namespace": NS, "MetricName": "KMSKeyDisabled", "Dimensions": STREAM_DIM}]
    by_name = cw.list_metrics(Dimensions=[{"Name": "DeliveryStreamName"}])["Metrics"]
    assert {m["MetricName"] for m in by_name} == {"KMSKeyDisabled", "KMSKeyNotFound"}
    by_value = cw.list_metrics(Dimensions=[{"Name": "DeliveryStreamName", "Value": "other"}])
    assert [m["MetricName"] for m in by_value["Metrics"]] == ["KMSKeyNotFound"]
    assert cw.list_metrics(Namespace="AWS/Kinesis")["Metrics"] == []


def test_sum_per_five_minutes_with_unit_count(cloud: ReferenceCloud, cw) -> None:
    """MET-03..07: GetMetricStatistics(Sum, 300 s, DeliveryStreamName) -> Unit Count."""
    start = cloud.now()
    publish_failures(cloud, "orders", "KMSKeyAccessDenied", 7)  # one a minute, 7 minutes
    result = cw.get_metric_statistics(
        Namespace=NS,
        MetricName="KMSKeyAccessDenied",
        Dimensions=STREAM_DIM,
        StartTime=start,
        EndTime=start + timedelta(minutes=10),
        Period=300,
        Statistics=["Sum", "SampleCount", "Maximum"],
    )
    assert result["Label"] == "KMSKeyAccessDenied"
    points = sorted(result["Datapoints"], key=lambda p: p["Timestamp"])
    assert [p["Sum"] for p in points] == [5.0, 2.0]
    assert [p["Timestamp"] for p in points] == [start, start + timedelta(minutes=5)]
    assert all(p["Unit"] == "Count" and p["Maximum"] == 1.0 for p in points)
    assert "Average" not in points[0]


def test_dimensions_must_match_exactly(cloud: ReferenceCloud, cw) -> None:
    publish_failures(cloud, "orders", "KMSKeyInvalidState", 2)
    common = {"Namespace": NS, "MetricName": "KMSKeyInvalidState", "Period": 300}
    common |= {"Statistics": ["Sum"], **window(cloud)}
    other = [{"Name": "DeliveryStreamName", "Value": "someone-else"}]
    assert cw.get_metric_statistics(Dimensions=other, **common)["Datapoints"] == []
    assert cw.get_metric_statistics(**common)["Datapoints"] == []  # no dimensions: another metric
    assert cw.get_metric_statistics(Dimensions=STREAM_DIM, **common)["Datapoints"][0]["Sum"] == 2


def test_unit_filter(cloud: ReferenceCloud, cw) -> None:
    publish_failures(cloud, "orders", "KMSKeyNotFound", 3)
    common = {"Namespace": NS, "MetricName": "KMSKeyNotFound", "Dimensions": STREAM_DIM}
    common |= {"Period": 3600, "Statistics": ["Sum"], **window(cloud, 2)}
    assert cw.get_metric_statistics(Unit="Count", **common)["Datapoints"][0]["Sum"] == 3
    assert cw.get_metric_statistics(Unit="Seconds", **common)["Datapoints"] == []


def test_get_metric_data(cloud: ReferenceCloud, cw) -> None:
    start = cloud.now()
    publish_failures(cloud, "orders", "KMSKeyDisabled", 3)
    query = {
        "Id": "disabled",
        "MetricStat": {
            "Metric": {"Namespace": NS, "MetricName": "KMSKeyDisabled", "Dimensions": STREAM_DIM},
            "Period": 60,
            "Stat": "Sum",
        },
    }
    result = cw.get_metric_data(
        MetricDataQueries=[query], StartTime=start, EndTime=start + timedelta(minutes=10)
    )
    (series,) = result["MetricDataResults"]
    assert series["Id"] == "disabled"
    assert series["Label"] == "KMSKeyDisabled"
    assert series["StatusCode"] == "Complete"
    assert series["Values"] == [1.0, 1.0, 1.0]
    assert series["Timestamps"][0] > series["Timestamps"][-1]  # newest first by default
    paged = {
        "MetricDataQueries": [query],
        "StartTime": start,
        "EndTime": start + timedelta(minutes=10),
        "ScanBy": "TimestampAscending",
        "MaxDatapoints": 2,
    }
    ascending = cw.get_metric_data(**paged)
    first = ascending["MetricDataResults"][0]
    assert (first["Timestamps"][0], first["StatusCode"]) == (start, "PartialData")
    rest = cw.get_metric_data(**paged, NextToken=ascending["NextToken"])
    assert rest["MetricDataResults"][0]["Values"] == [1.0]
    assert "NextToken" not in rest


def test_data_points_are_kept_two_weeks(cloud: ReferenceCloud, cw) -> None:
    publish_failures(cloud, "orders", "KMSKeyDisabled", 1)
    cloud.advance(hours=14 * 24)
    assert len(cw.list_metrics(Namespace=NS)["Metrics"]) == 1
    assert cw.list_metrics(Namespace=NS, RecentlyActive="PT3H")["Metrics"] == []
    cloud.advance(hours=24 + 1)
    assert cw.list_metrics(Namespace=NS)["Metrics"] == []


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("period", [90, 45, 1, 301])
def test_bad_period_is_invalid_parameter_value(cloud: ReferenceCloud, cw, period: int) -> None:
    code = error_of(
        cw.get_metric_statistics,
        Namespace=NS,
        MetricName="KMSKeyDisabled",
        Period=period,
        Statistics=["Sum"],
        **window(cloud),
    )
    assert code == ("InvalidParameterValue", 400)


def test_statistics_request_errors(cloud: ReferenceCloud, cw) -> None:
    base = {"Namespace": NS, "MetricName": "KMSKeyDisabled", "Period": 60}
    now = cloud.now()
    assert error_of(
        cw.get_metric_statistics, StartTime=now, EndTime=now, Statistics=["Sum"], **base
    ) == ("InvalidParameterValue", 400)
    assert error_of(cw.get_metric_statistics, **window(cloud), **base) == (
        "InvalidParameterCombination",
        400,
    )
    assert error_of(
        cw.get_metric_statistics,
        Statistics=["Sum"],
        ExtendedStatistics=["p99"],
        **window(cloud),
        **base,
    ) == ("InvalidParameterCombination", 400)
    assert error_of(
        cw.get_metric_statistics, ExtendedStatistics=["p99"], **window(cloud), **base
    ) == ("InvalidParameterValue", 400)
    assert error_of(cw.get_metric_statistics, Statistics=["Sum"], **window(cloud, 48), **base) == (
        "InvalidParameterCombination",
        400,
    )  # 2,880 data points > 1,440
    _, status = error_of(cw.get_metric_statistics, Statistics=["Median"], **window(cloud), **base)
    assert status == 400


def test_get_metric_data_errors(cloud: ReferenceCloud, cw) -> None:
    stat = {"Metric": {"Namespace": NS, "MetricName": "m"}, "Period": 60, "Stat": "Sum"}
    bad = [
        [{"Id": "q", "Expression": "SUM(METRICS())"}],
        [{"Id": "Upper", "MetricStat": stat}],
        [{"Id": "q", "MetricStat": stat}, {"Id": "q", "MetricStat": stat}],
        [{"Id": "q", "MetricStat": {**stat, "Stat": "p99"}}],
        [{"Id": "q", "MetricStat": {**stat, "Period": 90}}],
    ]
    for queries in bad:
        assert error_of(cw.get_metric_data, MetricDataQueries=queries, **window(cloud)) == (
            "InvalidParameterValue",
            400,
        )
    now = cloud.now()
    assert error_of(
        cw.get_metric_data,
        MetricDataQueries=[{"Id": "q", "MetricStat": stat}],
        StartTime=now,
        EndTime=now - timedelta(minutes=1),
    ) == ("InvalidParameterValue", 400)
    assert error_of(
        cw.get_metric_data,
        MetricDataQueries=[{"Id": "q", "MetricStat": stat}],
        NextToken="???",
        **window(cloud),
    ) == ("InvalidNextToken", 400)


# -- PutMetricData ---------------------------------------------------------------------------


def test_put_metric_data_to_aws_namespace_is_refused(cw) -> None:
    """A caller can never fake the Firehose KMSKey* metrics."""
    code = error_of(
        cw.put_metric_data,
        Namespace="AWS/Firehose",
        MetricData=[{"MetricName": "KMSKeyDisabled", "Value": 1.0, "Dimensions": STREAM_DIM}],
    )
    assert code == ("InvalidParameterValue", 400)
    assert cw.list_metrics(Namespace="AWS/Firehose")["Metrics"] == []


def test_put_metric_data_custom_namespace(cloud: ReferenceCloud, cw) -> None:
    cw.put_metric_data(
        Namespace="MyApp",
        MetricData=[
            {"MetricName": "Latency", "Value": 10.0, "Unit": "Milliseconds"},
            {"MetricName": "Latency", "Values": [20.0, 30.0], "Counts": [1.0, 2.0]},
            {
                "MetricName": "Latency",
                "StatisticValues": {"SampleCount": 2, "Sum": 4, "Minimum": 1, "Maximum": 3},
                "Unit": "Milliseconds",
            },
        ],
    )
    (point,) = cw.get_metric_statistics(
        Namespace="MyApp",
        MetricName="Latency",
        Period=60,
        Statistics=["SampleCount", "Sum", "Minimum", "Maximum", "Average"],
        Unit="Milliseconds",
        **window(cloud),
    )["Datapoints"]
    assert point == {
        "Timestamp": point["Timestamp"],
        "SampleCount": 3.0,
        "Sum": 14.0,
        "Minimum": 1.0,
        "Maximum": 10.0,
        "Average": 14.0 / 3,
        "Unit": "Milliseconds",
    }
    all_units = cw.get_metric_statistics(
        Namespace="MyApp", MetricName="Latency", Period=60, Statistics=["Sum"], **window(cloud)
    )["Datapoints"]
    assert sorted(p["Unit"] for p in all_units) == ["Milliseconds", "None"]


@pytest.mark.parametrize(
    "datum",
    [
        {"MetricName": "m", "Value": 1.0, "StatisticValues": {
            "SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}},
        {"MetricName": "m"},
        {"MetricName": "m", "Value": 1.0, "StorageResolution": 30},
        {"MetricName": "m", "Value": 1.0, "Dimensions": [
            {"Name": "a", "Value": "1"}, {"Name": "a", "Value": "2"}]},
        {"MetricName": "m", "Value": 1.0, "Dimensions": [{"Name": "a", "Value": "tab\there"}]},
        {"MetricName": "m", "Values": [1.0, 2.0], "Counts": [1.0]},
        {"MetricName": "m", "Value": 2.0**400},
        {"MetricName": "m", "StatisticValues": {
            "SampleCount": 1, "Sum": 1, "Minimum": 3, "Maximum": 1}},
    ],
)  # fmt: skip
def test_put_metric_data_rejects_bad_datums(cw, datum: dict) -> None:
    code, status = error_of(cw.put_metric_data, Namespace="MyApp", MetricData=[datum])
    assert status == 400
    assert code in {"InvalidParameterValue", "InvalidParameterCombination", "MissingParameter"}


def test_put_metric_data_timestamps_window(cloud: ReferenceCloud, cw) -> None:
    for when in (cloud.now() - timedelta(days=15), cloud.now() + timedelta(hours=3)):
        datum = {"MetricName": "m", "Value": 1.0, "Timestamp": when}
        assert error_of(cw.put_metric_data, Namespace="MyApp", MetricData=[datum]) == (
            "InvalidParameterValue",
            400,
        )


def test_high_resolution_metrics_allow_sub_minute_periods(cloud: ReferenceCloud, cw) -> None:
    cw.put_metric_data(
        Namespace="MyApp", MetricData=[{"MetricName": "fast", "Value": 1.0, "StorageResolution": 1}]
    )
    result = cw.get_metric_statistics(
        Namespace="MyApp", MetricName="fast", Period=10, Statistics=["Sum"], **window(cloud)
    )
    assert result["Datapoints"][0]["Sum"] == 1.0


def test_wrong_types_and_enums_answer_4xx(cw) -> None:
    stat = {"Metric": {"Namespace": NS, "MetricName": "m"}, "Period": 60, "Stat": "Sum"}
    calls = [
        lambda: cw.list_metrics(RecentlyActive="PT1H"),
        lambda: cw.get_metric_data(
            MetricDataQueries=[{"Id": "q", "MetricStat": stat}],
            StartTime=0,
            EndTime=60,
            ScanBy="Sideways",
        ),
        lambda: cw.put_metric_data(
            Namespace="MyApp", MetricData=[{"MetricName": "m", "Value": 1.0, "Unit": "Furlongs"}]
        ),
    ]
    for call in calls:
        with pytest.raises(ClientError) as caught:
            call()
        assert 400 <= caught.value.response["ResponseMetadata"]["HTTPStatusCode"] < 500


def test_list_metrics_pagination(cloud: ReferenceCloud, cw) -> None:
    for i in range(501):
        cloud.cloudwatch.publish("MyApp", f"m{i:03d}", {}, 1.0, "Count")
    first = cw.list_metrics(Namespace="MyApp")
    assert len(first["Metrics"]) == 500
    second = cw.list_metrics(Namespace="MyApp", NextToken=first["NextToken"])
    assert [m["MetricName"] for m in second["Metrics"]] == ["m500"]
    assert "NextToken" not in second
    assert error_of(cw.list_metrics, NextToken="nonsense") == ("InvalidParameterValue", 400)


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("GetMetricStatistics", {"Namespace": "n", "MetricName": "m", "StartTime": 0,
                                 "EndTime": 60, "Period": "sixty", "Statistics": ["Sum"]}),
        ("GetMetricStatistics", {"Namespace": "n", "MetricName": "m", "StartTime": "yesterday",
                                 "EndTime": 60, "Period": 60, "Statistics": ["Sum"]}),
        ("GetMetricStatistics", {"Namespace": "n", "MetricName": "m", "StartTime": 0,
                                 "EndTime": 60, "Period": 60, "Statistics": ["Median"]}),
        ("GetMetricStatistics", {"Namespace": "n", "StartTime": 0, "EndTime": 60, "Period": 60,
                                 "Statistics": ["Sum"]}),
        ("PutMetricData", {"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": "1"}]}),
        ("PutMetricData", {"Namespace": "n", "MetricData": {"MetricName": "m"}}),
        ("ListMetrics", {"Dimensions": [{"Value": "v"}]}),
        ("GetMetricData", {"MetricDataQueries": [], "StartTime": 0, "EndTime": 60}),
        ("PutMetricAlarm", {}),
    ],
)  # fmt: skip
def test_malformed_requests_answer_4xx(cloud: ReferenceCloud, operation: str, body: dict) -> None:
    response = cloud.app.handle(
        Request(
            "POST",
            "/",
            "",
            {
                "x-amz-target": f"GraniteServiceVersion20100801.{operation}",
                "content-type": "application/x-amz-json-1.0",
            },
            json.dumps(body).encode(),
        )
    )
    assert 400 <= response.status < 500, response.body
    assert response.headers["x-amzn-query-error"].endswith(";Sender")
