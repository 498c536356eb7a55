"""Read the feature files (with the maintained Gherkin parser) into scenario specs.

Used to list the catalog with its scenarios and to check coverage both ways, without running
anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gherkin.errors import CompositeParserException, ParserException
from gherkin.parser import Parser
from gherkin.token_scanner import TokenScanner

from firehose_conformance.capabilities import CAPABILITY_TAGS
from firehose_conformance.errors import UsageError

FEATURES_DIR = Path(__file__).resolve().parents[1] / "features"
REQUIREMENT_TAG = re.compile(r"^[A-Z]{3}-\d{2}$")


@dataclass(frozen=True)
class ScenarioSpec:
    """One scenario, or one Examples block of an outline (which may carry tags of its own)."""

    path: Path
    line: int
    feature: str
    name: str
    tags: frozenset[str]
    examples: str = ""
    rows: int = 1

    @property
    def requirements(self) -> list[str]:
        return sorted(t for t in self.tags if REQUIREMENT_TAG.match(t))

    @property
    def capabilities(self) -> list[str]:
        return sorted(t for t in self.tags if t in CAPABILITY_TAGS)

    @property
    def label(self) -> str:
        suffix = f" [{self.examples}]" if self.examples else ""
        return f"{self.feature}: {self.name}{suffix}"


def _tags(node: dict[str, Any]) -> set[str]:
    return {tag["name"].lstrip("@") for tag in node.get("tags", [])}


def load_feature(path: Path) -> list[ScenarioSpec]:
    try:
        document = Parser().parse(TokenScanner(path.read_text(encoding="utf-8")))
    except (CompositeParserException, ParserException) as error:
        raise UsageError(f"{path}: {error}") from None
    feature = document.get("feature")
    if feature is None:
        return []
    specs: list[ScenarioSpec] = []
    feature_tags = _tags(feature)
    for child in feature["children"]:
        scenarios, inherited = [], set(feature_tags)
        if "rule" in child:
            inherited |= _tags(child["rule"])
            scenarios = [c["scenario"] for c in child["rule"]["children"] if "scenario" in c]
        elif "scenario" in child:
            scenarios = [child["scenario"]]
        for scenario in scenarios:
            tags = inherited | _tags(scenario)
            base = dict(path=path, feature=feature["name"], name=scenario["name"])
            if not scenario["examples"]:
                specs.append(
                    ScenarioSpec(line=scenario["location"]["line"], tags=frozenset(tags), **base)
                )
            for examples in scenario["examples"]:
                specs.append(
                    ScenarioSpec(
                        line=examples["location"]["line"],
                        tags=frozenset(tags | _tags(examples)),
                        examples=examples["name"]
                        or f"examples at line {examples['location']['line']}",
                        rows=len(examples.get("tableBody", [])),
                        **base,
                    )
                )
    return specs


def load_features(directory: Path = FEATURES_DIR) -> list[ScenarioSpec]:
    paths = sorted(directory.glob("*.feature"))
    if not paths:
        raise UsageError(f"{directory}: no .feature files")
    return [spec for path in paths for spec in load_feature(path)]
