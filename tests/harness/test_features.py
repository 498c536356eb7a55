"""The feature reader: scenario texts cut from the files are complete, valid Gherkin, tagged as
the catalog, and the runnable units derived from them cover the same scenarios."""

from __future__ import annotations

from gherkin.parser import Parser
from gherkin.token_scanner import TokenScanner

from firehose_conformance.catalog import load_catalog
from firehose_conformance.features import (
    load_all_scenario_texts,
    load_features,
    scenarios_by_requirement,
)


def test_every_requirement_has_scenario_texts_that_are_valid_gherkin_naming_it() -> None:
    by_requirement = scenarios_by_requirement(load_all_scenario_texts())
    for rid in load_catalog():
        assert by_requirement.get(rid), f"{rid} has no scenario text"
        for scenario in by_requirement[rid]:
            text = scenario.text_for(rid)
            document = Parser().parse(TokenScanner(text))  # raises if it is not Gherkin
            assert document["feature"]["name"] == scenario.feature
            assert f"@{rid}" in text, f"{rid}: its tag is missing from\n{text}"


def test_the_runnable_units_are_the_same_scenarios_with_the_same_requirements() -> None:
    texts = load_all_scenario_texts()
    specs = load_features()
    assert {(t.file, t.name) for t in texts} == {(s.path.name, s.name) for s in specs}
    mine = sorted((t.file, rid) for t in texts for rid in t.requirements())
    theirs = sorted({(s.path.name, rid) for s in specs for rid in s.requirements})
    assert sorted(set(mine)) == theirs


def test_an_outline_keeps_only_the_examples_that_check_the_requirement() -> None:
    by_requirement = scenarios_by_requirement(load_all_scenario_texts())
    outline = next(s for s in by_requirement["MET-04"] if len(s.examples) > 1)
    text = outline.text_for("MET-04")
    assert "@MET-04" in text and "@MET-03" not in text
    everything = outline.text_for(None)
    assert "@MET-04" in everything and "@MET-03" in everything
    # The Background of the feature comes first, and comments with AMB notes are kept.
    assert text.index("Background:") < text.index("Scenario Outline:")
    assert "AMB-13" in text
