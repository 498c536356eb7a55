"""Deviants and conforming variants of the four KMSKey* metrics: name, namespace, dimension,
counting, retention (MET)."""

from __future__ import annotations

from typing import Any

import reference_impl.cloudwatch.model
import reference_impl.firehose.model
from reference_impl.cloudwatch.model import CloudWatchModel
from reference_impl.firehose import kms_crosswalk
from reference_impl.firehose.model import FirehoseModel
from reference_impl.variants.patching import Patcher
from reference_impl.variants.registry import conforming, deviant

DAY = 86400.0
NOT_COUNTED = ">= 1 for S"  # "KMSKeyDisabled >= 1 for S (Sum over the last hour) not reached"


@deviant("metric-misnamed", "MET-01", "MET-04", evidence=NOT_COUNTED)
def metric_misnamed(p: Patcher) -> None:
    """DisabledException is counted under the metric name KMSKeyDisable (a typo)."""
    p.entry(kms_crosswalk.METRICS, "DisabledException", "KMSKeyDisable")


@deviant("metric-in-the-wrong-namespace", "MET-02", evidence=NOT_COUNTED)
def metric_in_the_wrong_namespace(p: Patcher) -> None:
    """The KMSKey* metrics are published in namespace "Firehose" instead of "AWS/Firehose"."""
    p.replace(reference_impl.firehose.model, "METRIC_NAMESPACE", "Firehose")


@deviant("access-denied-counted-as-disabled", "MET-03", evidence=NOT_COUNTED)
def access_denied_counted_as_disabled(p: Patcher) -> None:
    """A KMS AccessDeniedException is counted under KMSKeyDisabled, not KMSKeyAccessDenied."""
    p.entry(kms_crosswalk.METRICS, "AccessDeniedException", "KMSKeyDisabled")


@deviant("disabled-not-counted", "MET-04", evidence=NOT_COUNTED)
def disabled_not_counted(p: Patcher) -> None:
    """A KMS DisabledException is not counted at all."""
    p.entry(kms_crosswalk.METRICS, "DisabledException")


@deviant("invalid-state-not-counted", "MET-05", evidence=NOT_COUNTED)
def invalid_state_not_counted(p: Patcher) -> None:
    """A KMSInvalidStateException (a key pending deletion) is not counted at all."""
    p.entry(kms_crosswalk.METRICS, "KMSInvalidStateException")


@deviant("not-found-counted-as-invalid-state", "MET-06", evidence=NOT_COUNTED)
def not_found_counted_as_invalid_state(p: Patcher) -> None:
    """A KMS NotFoundException is counted under KMSKeyInvalidState, not KMSKeyNotFound."""
    p.entry(kms_crosswalk.METRICS, "NotFoundException", "KMSKeyInvalidState")


@deviant("metric-under-the-wrong-dimension", "MET-07", evidence=NOT_COUNTED)
def metric_under_the_wrong_dimension(p: Patcher) -> None:
    """The metrics carry the dimension StreamName instead of DeliveryStreamName."""

    @p.around(CloudWatchModel, "publish")
    def publish(
        original: Any, self: CloudWatchModel, namespace: str, name: str, dims: Any, *a, **k
    ):
        if "DeliveryStreamName" in dims:
            dims = {"StreamName": dims["DeliveryStreamName"]}
        return original(self, namespace, name, dims, *a, **k)


@deviant("metric-counted-on-every-stream", "MET-07", evidence="which met no KMS failure")
def metric_counted_on_every_stream(p: Patcher) -> None:
    """A KMS failure of one stream is counted under every delivery stream of the account."""

    @p.around(FirehoseModel, "_count_kms_failure")
    def count(original: Any, self: FirehoseModel, stream_name: str, error: Any) -> None:
        for name in list(self.streams):
            original(self, name, error)


@deviant("metrics-kept-one-week", "MET-08", evidence="over the last 14 days")
def metrics_kept_one_week(p: Patcher) -> None:
    """CloudWatch keeps the data points for one week instead of two."""
    p.replace(reference_impl.cloudwatch.model, "RETENTION_SECONDS", 7 * DAY)


@deviant("cloudwatch-any-period", "MET-09", evidence="succeeded; expected")
def cloudwatch_any_period(p: Patcher) -> None:
    """GetMetricStatistics takes any Period, not only multiples of 60 seconds."""
    p.replace(reference_impl.cloudwatch.model, "check_period", lambda *args, **kwargs: None)


# ---- conforming variants -------------------------------------------------------------------------
PUSH_EVERY = 300.0  # DG-MON: "pushed to CloudWatch every five minutes"


@conforming(
    "metrics-pushed-every-five-minutes",
    "MET-01",
    "MET-02",
    "MET-03",
    "MET-04",
    "MET-05",
    "MET-06",
    "MET-07",
    "MET-08",
    allowed_by="MET-08, DG-MON: metrics are 'automatically collected and pushed to CloudWatch "
    "every five minutes' (BC-FH says 'in one minute intervals'; AMB-16 leaves the cadence open)",
)
def metrics_pushed_every_five_minutes(p: Patcher) -> None:
    """A KMSKey* data point reaches CloudWatch at the next five-minute push after the failure
    (stamped with the failure's time), where the reference publishes it at once."""

    @p.around(FirehoseModel, "_count_kms_failure")
    def count(original: Any, self: FirehoseModel, stream_name: str, error: Any) -> None:
        metric = kms_crosswalk.metric_for(error.code)
        if metric is None:
            return
        happened = self.clock.now()
        push = (happened // PUSH_EVERY + 1) * PUSH_EVERY
        self.clock.call_at(
            push,
            lambda: self.cloudwatch.publish(
                reference_impl.firehose.model.METRIC_NAMESPACE,
                metric,
                {"DeliveryStreamName": stream_name},
                1.0,
                "Count",
                timestamp=happened,
            ),
            label="firehose pushes metrics",
        )
