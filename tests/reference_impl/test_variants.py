"""The reference's variants: their catalog, and ReferenceCloud(variant=...) running one."""

from __future__ import annotations

from typing import Any

import pytest
from firehose_env import BUCKET, TRANSITION, s3_destination

from reference_impl import ReferenceCloud, UnknownVariant, VariantKind, variant_catalog
from reference_impl.firehose.settings import FirehoseSettings
from reference_impl.variants import Patcher, conforming, registry, variant


def _put_flag(cloud: ReferenceCloud) -> bool:
    """The Encrypted flag of a put to a new stream without SSE."""
    cloud.client("s3").create_bucket(Bucket=BUCKET)
    firehose = cloud.client("firehose")
    firehose.create_delivery_stream(
        DeliveryStreamName="v", S3DestinationConfiguration=s3_destination()
    )
    cloud.advance(TRANSITION)
    return firehose.put_record(DeliveryStreamName="v", Record={"Data": b"x"})["Encrypted"]


def test_every_variant_says_what_it_is() -> None:
    catalog = variant_catalog()
    assert list(catalog) == [found.name for found in catalog.values()]
    for found in catalog.values():
        assert found.kind in VariantKind and found.description, found.name
        if found.kind is VariantKind.DEVIANT:
            assert found.violates and found.caught_as in ("failed", "error"), found.name
        else:
            assert not found.violates and not found.caught_as, found.name


def test_a_cloud_runs_its_variant_until_closed() -> None:
    with ReferenceCloud(variant="encrypted-always-true") as cloud:
        assert cloud.variant == "encrypted-always-true"
        assert _put_flag(cloud) is True
    assert _put_flag(ReferenceCloud()) is False


def test_a_variant_survives_reset_and_changes_the_settings_it_names() -> None:
    with ReferenceCloud(variant="records-discarded-at-12-hours") as cloud:
        cloud.reset()
        assert cloud.settings.retention_seconds == 12 * 3600.0
        assert _put_flag(cloud) is False
    assert ReferenceCloud().settings == FirehoseSettings()


def test_one_variant_at_a_time_and_no_unknown_one() -> None:
    with pytest.raises(UnknownVariant, match="unknown variant 'nope'"):
        ReferenceCloud(variant="nope")
    with (
        ReferenceCloud(variant="enabled-at-once"),
        pytest.raises(RuntimeError, match="'enabled-at-once' is active"),
    ):
        ReferenceCloud(variant="metric-misnamed")
    ReferenceCloud(variant="metric-misnamed").close()  # the first one is closed: fine now


def test_a_conforming_variant_violates_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_REGISTERED", {})

    def apply(p: Patcher) -> None:
        """A documented alternative."""

    conforming("fine", "SSE-02", "SSE-03", unobservable=("SSE-03",), allowed_by="AMB-01 (a)")(apply)
    found: Any = registry._REGISTERED["fine"]
    assert (found.kind, found.violates, found.description) == (
        VariantKind.CONFORMING,
        (),
        "A documented alternative.",
    )
    assert (found.touches, found.unobservable, found.selection) == (
        ("SSE-02", "SSE-03"),
        ("SSE-03",),
        ("SSE-02", "SSE-03"),
    )
    with pytest.raises(ValueError, match="violates nothing"):
        variant("not-fine", "SSE-02", kind=VariantKind.CONFORMING)(apply)
    with pytest.raises(ValueError, match="names no requirement it touches"):
        conforming("no-touch", allowed_by="AMB-01")(apply)
    with pytest.raises(ValueError, match="must be among the requirements it touches"):
        conforming("stray", "SSE-02", unobservable=("SSE-03",), allowed_by="AMB-01")(apply)
    with pytest.raises(ValueError, match="cites nothing"):
        conforming("uncited", "SSE-02", allowed_by=" ")(apply)
    with pytest.raises(ValueError, match="names no requirement"):
        variant("no-ids", kind=VariantKind.DEVIANT, caught_as="failed")(apply)
    with pytest.raises(ValueError, match="only conforming variants touch"):
        variant("mixed", "SSE-02", kind=VariantKind.DEVIANT, caught_as="failed", touches=("X",))(
            apply
        )


def test_each_conforming_variant_cites_what_allows_it_and_touches_what_it_hides() -> None:
    found = [v for v in variant_catalog().values() if v.kind is VariantKind.CONFORMING]
    assert len(found) >= 10
    for conformer in found:
        cited = conformer.allowed_by
        assert "AMB-" in cited or "'" in cited, f"{conformer.name}: quote a document or an AMB item"
        assert set(conformer.unobservable) <= set(conformer.touches), conformer.name
        assert conformer.description[0].isupper(), conformer.name
