"""The catalog and the features must agree both ways, and every tag must mean something."""

from __future__ import annotations

from firehose_conformance.capabilities import CAPABILITY_TAGS
from firehose_conformance.catalog import load_catalog
from firehose_conformance.features import load_features
from firehose_conformance.plugin import OTHER_TAGS
from firehose_conformance.spec_facts import REQUIREMENT_ID


def test_every_requirement_has_a_scenario() -> None:
    covered = {rid for spec in load_features() for rid in spec.requirements}
    missing = sorted(set(load_catalog()) - covered)
    assert not missing, f"requirements without a scenario: {missing}"


def test_every_requirement_tag_names_a_catalog_requirement() -> None:
    catalog = load_catalog()
    unknown = {
        (spec.label, rid)
        for spec in load_features()
        for rid in spec.requirements
        if rid not in catalog
    }
    assert not unknown, f"scenarios naming unknown requirements: {sorted(unknown)}"


def test_every_tag_is_a_requirement_a_capability_or_a_known_marker() -> None:
    stray = {
        (spec.label, tag)
        for spec in load_features()
        for tag in spec.tags
        if not REQUIREMENT_ID.match(tag) and tag not in CAPABILITY_TAGS and tag not in OTHER_TAGS
    }
    assert not stray, f"tags with no meaning: {sorted(stray)}"


def test_every_scenario_checks_at_least_one_requirement() -> None:
    bare = [spec.label for spec in load_features() if not spec.requirements]
    assert not bare, f"scenarios that check no requirement: {bare}"


def test_white_box_and_slow_requirements_are_gated_by_a_capability() -> None:
    """A WB requirement can be checked only where the bytes at rest can be read; a BB-slow one
    only with a clock (SRC-07, RET-*), unless a black-box path exists too."""
    catalog = load_catalog()
    for spec in load_features():
        for rid in spec.requirements:
            if catalog[rid].check == "WB" and rid.startswith("SRC") and rid != "SRC-11":
                assert "needs-at-rest" in spec.tags or "needs-clock" in spec.tags, spec.label
