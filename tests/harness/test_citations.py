"""Everything the spec cites is in the repository: every AMB item it names is defined in
features/ambiguities.toml, every document tag in features/sources.toml, every file it names
exists here, and every stance is labelled both in the features and in the catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from firehose_conformance.catalog import (
    AMBIGUITIES,
    DEFAULT_CATALOG,
    FEATURES,
    load_ambiguities,
    load_catalog,
    load_sources,
)
from firehose_conformance.features import load_all_scenario_texts
from firehose_conformance.spec_facts import AMBIGUITY_ID, REQUIREMENT_ID

ROOT = FEATURES.parent
AMB = re.compile(r"\bAMB-\d{2}\b")
# A path-like token: a file name with one of the extensions a spec would cite. A token right
# after "owner/repo:" names a file of another repository, which is cited as such.
FILE = re.compile(r"(?<![\w/.:-])((?:[\w.-]+/)*[\w-]+\.(?:md|txt|toml|feature|py|json))\b")
# Phrases that cite documents outside the repository, which a reader of it cannot look up.
OUTSIDE = re.compile(r"reference catalog|requirements\.md|emulators\.md|shared/", re.IGNORECASE)
STANCE_COMMENT = re.compile(r"^\s*#\s*stance:", re.MULTILINE)


def _spec_texts() -> dict[str, str]:
    """The spec's own texts: the feature files, the catalog, the ambiguities and the state
    machines (sources.toml is where outside documents are located, so it is not scanned)."""
    paths = [*sorted(FEATURES.glob("*.feature")), DEFAULT_CATALOG, AMBIGUITIES]
    paths.append(FEATURES / "state_machines.md")
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in paths}


def test_every_cited_ambiguity_is_defined() -> None:
    defined = set(load_ambiguities())
    undefined = {
        (name, amb) for name, text in _spec_texts().items() for amb in AMB.findall(text)
    } - {(name, amb) for name, text in _spec_texts().items() for amb in defined}
    assert not undefined, f"AMB items cited but not defined: {sorted(undefined)}"
    for requirement in load_catalog().values():
        assert set(requirement.ambiguities) <= defined, requirement.id


def test_the_ambiguity_catalog_is_complete_and_each_item_has_a_stance() -> None:
    ambiguities = load_ambiguities()
    assert list(ambiguities) == [f"AMB-{n:02d}" for n in range(1, 30)]
    for amb in ambiguities.values():
        assert amb.title and amb.what_is_open and amb.stance and amb.why, amb.id
    assert "AWSKMSKeyARNForSSE" in ambiguities["AMB-20"].stance


def test_every_cited_document_tag_is_a_source() -> None:
    sources = load_sources()
    for requirement in load_catalog().values():
        assert set(requirement.source) <= set(sources), requirement.id
    cited = set(
        re.findall(
            r"\b(?:EV-[A-Z0-9-]+[A-Z0-9]|BC-[A-Z]+|DG-[A-Z-]+[A-Z]|SEED)\b",
            "".join(_spec_texts().values()),
        )
    )
    assert cited <= set(sources), (
        f"tags cited but not in sources.toml: {sorted(cited - set(sources))}"
    )
    seed = sources["SEED"].where
    assert "features/sources/data-protection-in-firehose.txt" in seed
    assert (FEATURES / "sources" / "data-protection-in-firehose.txt").is_file()
    assert "botocore 1.43.11" not in sources["BC-FH"].where


@pytest.mark.parametrize("name", sorted(_spec_texts()))
def test_no_citation_of_a_file_outside_the_repository(name: str) -> None:
    text = _spec_texts()[name]
    outside = OUTSIDE.findall(text)
    assert not outside, f"{name} cites documents outside the repository: {outside}"
    missing = []
    for token in FILE.findall(text):
        if "/" in token:
            found = (ROOT / token).exists() or (FEATURES / token).exists()
        else:
            found = any(ROOT.rglob(token))
        if not found:
            missing.append(token)
    assert not missing, f"{name} cites files that are not in the repository: {missing}"


def test_the_citation_check_catches_what_it_should() -> None:
    assert OUTSIDE.search("the status machine (requirements.md, section 3.1)")
    assert OUTSIDE.search("AMB-01 of the reference catalog")
    assert FILE.findall("see features/state_machines.md") == ["features/state_machines.md"]
    assert FILE.findall("`localstack/localstack:tests/aws/x.snapshot.json`") == []


def test_every_stance_is_labelled_in_the_features_and_in_the_catalog() -> None:
    """A scenario that takes a stance says so (a "# stance:" comment) and each of its
    requirements gives it in the catalog; a stance in the catalog has such a scenario."""
    catalog = load_catalog()
    backed: set[str] = set()
    for scenario in load_all_scenario_texts():
        text = scenario.text_for()
        if not STANCE_COMMENT.search(text):
            continue
        taking: set[str] = set()
        for comment in re.findall(r"#\s*stance:(.*)", text):
            named = re.findall(r"\b[A-Z]{3}-\d{2}\b", comment)
            assert named, f"{scenario.name}: a stance names no AMB item or requirement"
            for item in named:
                assert AMBIGUITY_ID.match(item) or item in catalog, (scenario.name, item)
            # A stance naming requirements is theirs; one naming only AMB items, the scenario's.
            taking |= (set(named) & scenario.requirements()) or scenario.requirements()
        for rid in taking:
            assert catalog[rid].stance, f"{rid} takes a stance in {scenario.name!r}, not given"
            backed.add(rid)
    unbacked = {rid for rid, r in catalog.items() if r.stance} - backed
    assert not unbacked, f"stances with no '# stance:' scenario: {sorted(unbacked)}"


def test_requirement_ids_in_checks_comments_are_tags_of_their_scenario() -> None:
    """A "# checks:" comment narrows a step to requirements its scenario checks."""
    for scenario in load_all_scenario_texts():
        for comment in re.findall(r"#\s*checks:(.*)", scenario.text_for()):
            named = set(re.findall(r"\b[A-Z]{3}-\d{2}\b", comment))
            assert named and all(REQUIREMENT_ID.match(r) for r in named), scenario.name
            assert named <= scenario.requirements(), (scenario.name, named)


def test_the_catalog_and_the_features_name_the_ambiguity_file_they_rely_on() -> None:
    assert Path(AMBIGUITIES).name == "ambiguities.toml"
    assert "features/state_machines.md" in (FEATURES / "sse_lifecycle.feature").read_text()
