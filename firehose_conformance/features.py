"""The one reader of the feature files, on the maintained Gherkin parser (gherkin-official).

Each file is parsed once into ``ScenarioText``: a scenario (or outline) as written, with its tags,
its Background and its Examples blocks, cut from the file by line so that comments with their
AMB notes stay. Reports and the rendered spec quote those texts; coverage checks and listings
use ``ScenarioSpec``, the runnable units (a scenario, or one Examples block of an outline, which
may carry tags of its own), derived from the same walk.

Text is cut using the parser's locations: a block starts at its keyword line, or above it at the
tags and comment lines directly attached to it, and ends where the next block starts.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gherkin.errors import CompositeParserException, ParserException
from gherkin.parser import Parser
from gherkin.token_scanner import TokenScanner

from firehose_conformance.capabilities import CAPABILITY_TAGS
from firehose_conformance.errors import UsageError
from firehose_conformance.locations import SPEC_PACKAGE, package_dir
from firehose_conformance.spec_facts import requirement_ids

FEATURES_DIR = package_dir(SPEC_PACKAGE)  # features/, or firehose_conformance/spec/ in a wheel


@dataclass(frozen=True)
class ScenarioSpec:
    """One runnable unit: a scenario, or one Examples block of an outline."""

    path: Path
    line: int
    feature: str
    name: str
    tags: frozenset[str]
    examples: str = ""
    rows: int = 1

    @property
    def requirements(self) -> list[str]:
        return requirement_ids(self.tags)

    @property
    def capabilities(self) -> list[str]:
        return sorted(t for t in self.tags if t in CAPABILITY_TAGS)

    @property
    def label(self) -> str:
        suffix = f" [{self.examples}]" if self.examples else ""
        return f"{self.feature}: {self.name}{suffix}"


@dataclass(frozen=True)
class ExamplesText:
    """One Examples block of an outline: its own tags, its size and its source lines."""

    name: str
    line: int
    tags: frozenset[str]
    rows: int
    text: str


@dataclass(frozen=True)
class ScenarioText:
    """One scenario (or outline) as written, with the Background of its feature."""

    path: Path
    line: int
    feature: str
    name: str
    tags: frozenset[str]  # the scenario's own, plus those of its feature and rule
    head: str  # leading comments, tags, the Scenario line and its steps, as indented in the file
    examples: tuple[ExamplesText, ...]
    background: str

    @property
    def file(self) -> str:
        return self.path.name

    def requirements(self) -> set[str]:
        """Every requirement the scenario checks, in any of its Examples blocks."""
        return set(requirement_ids(self.tags.union(*(e.tags for e in self.examples))))

    def checks(self, rid: str) -> bool:
        return rid in self.requirements()

    def text_for(self, rid: str | None = None) -> str:
        """The scenario as a self-contained snippet: Feature line, Background, the scenario.

        For an outline whose Examples blocks carry requirement tags of their own, only the
        blocks that check ``rid`` are kept (all of them when the scenario itself is tagged).
        """
        blocks = [e.text for e in self.examples if rid is None or rid in self.tags or rid in e.tags]
        parts = [f"Feature: {self.feature}"]
        if self.background:
            parts.append(_indent(textwrap.dedent(self.background)))
        parts.append(_indent(textwrap.dedent("\n\n".join([self.head, *blocks]))))
        return "\n\n".join(parts)

    def specs(self) -> list[ScenarioSpec]:
        """The runnable units: the scenario itself, or one per Examples block."""
        base = dict(path=self.path, feature=self.feature, name=self.name)
        if not self.examples:
            return [ScenarioSpec(line=self.line, tags=self.tags, **base)]
        return [
            ScenarioSpec(
                line=e.line,
                tags=self.tags | e.tags,
                examples=e.name or f"examples at line {e.line}",
                rows=e.rows,
                **base,
            )
            for e in self.examples
        ]


def _indent(text: str) -> str:
    return textwrap.indent(text, "  ", lambda line: bool(line.strip()))


def _tags(node: dict[str, Any]) -> frozenset[str]:
    return frozenset(tag["name"].lstrip("@") for tag in node.get("tags", []))


class _Lines:
    """The file's lines, cut into blocks at keyword lines (1-based line numbers)."""

    def __init__(self, text: str, keyword_lines: Iterable[int]) -> None:
        self.lines = text.splitlines()
        self.starts = sorted(self._start(line) for line in keyword_lines)

    def _start(self, keyword_line: int) -> int:
        start = keyword_line
        while start > 1 and self.lines[start - 2].strip().startswith(("@", "#")):
            start -= 1
        return start

    def block(self, keyword_line: int, stop_line: int | None = None) -> str:
        """From the block's start to the next block's start (or ``stop_line``), trimmed.

        Trailing comments go with what follows them, so they are trimmed too.
        """
        start = self._start(keyword_line)
        end = next((s for s in self.starts if s > start), len(self.lines) + 1)
        if stop_line is not None:
            end = min(end, self._start(stop_line))
        chunk = self.lines[start - 1 : end - 1]
        while chunk and (not chunk[-1].strip() or chunk[-1].strip().startswith("#")):
            chunk.pop()
        return "\n".join(chunk)


def _keyword_lines(feature: dict[str, Any]) -> list[int]:
    lines = []
    for child in feature["children"]:
        node = child.get("background") or child.get("scenario") or child.get("rule")
        lines.append(node["location"]["line"])
        if "rule" in child:
            lines += _keyword_lines(child["rule"])
        for examples in node.get("examples", []):
            lines.append(examples["location"]["line"])
    return lines


def load_scenario_texts(path: Path) -> list[ScenarioText]:
    """The scenarios of one feature file, in file order."""
    source = path.read_text(encoding="utf-8")
    try:
        document = Parser().parse(TokenScanner(source))
    except (CompositeParserException, ParserException) as error:
        raise UsageError(f"{path}: {error}") from None
    feature = document.get("feature")
    if feature is None:
        return []
    reader = _Reader(path, feature["name"], _Lines(source, _keyword_lines(feature)))
    reader.collect(feature["children"], _tags(feature), "")
    return reader.found


@dataclass
class _Reader:
    """Walks a feature's children (rules included) into ``ScenarioText``s."""

    path: Path
    feature: str
    lines: _Lines
    found: list[ScenarioText] = field(default_factory=list)

    def collect(self, children: list[dict[str, Any]], inherited: frozenset[str], bg: str) -> None:
        for child in children:
            if "background" in child:
                bg = self.lines.block(child["background"]["location"]["line"])
            elif "rule" in child:
                rule = child["rule"]
                self.collect(rule["children"], inherited | _tags(rule), bg)
            elif "scenario" in child:
                self.found.append(self._scenario(child["scenario"], inherited, bg))

    def _scenario(
        self, scenario: dict[str, Any], inherited: frozenset[str], bg: str
    ) -> ScenarioText:
        line = scenario["location"]["line"]
        examples = scenario["examples"]
        first = examples[0]["location"]["line"] if examples else None
        return ScenarioText(
            path=self.path,
            line=line,
            feature=self.feature,
            name=scenario["name"],
            tags=inherited | _tags(scenario),
            head=self.lines.block(line, first),
            examples=tuple(
                ExamplesText(
                    name=e["name"],
                    line=e["location"]["line"],
                    tags=_tags(e),
                    rows=len(e.get("tableBody", [])),
                    text=self.lines.block(e["location"]["line"]),
                )
                for e in examples
            ),
            background=bg,
        )


def _feature_paths(directory: Path) -> list[Path]:
    paths = sorted(directory.glob("*.feature"))
    if not paths:
        raise UsageError(f"{directory}: no .feature files")
    return paths


def load_all_scenario_texts(directory: Path = FEATURES_DIR) -> list[ScenarioText]:
    """Every scenario of every feature file, files in name order."""
    return [text for path in _feature_paths(directory) for text in load_scenario_texts(path)]


def load_feature(path: Path) -> list[ScenarioSpec]:
    """The runnable units of one feature file, in file order."""
    return [spec for text in load_scenario_texts(path) for spec in text.specs()]


def load_features(directory: Path = FEATURES_DIR) -> list[ScenarioSpec]:
    """The runnable units of every feature file, files in name order."""
    return [spec for path in _feature_paths(directory) for spec in load_feature(path)]


def scenarios_by_requirement(texts: Iterable[ScenarioText]) -> dict[str, list[ScenarioText]]:
    """Requirement ID -> the scenarios that check it, in file order."""
    found: dict[str, list[ScenarioText]] = {}
    for text in texts:
        for rid in sorted(text.requirements()):
            found.setdefault(rid, []).append(text)
    return found


# ---- What a step checks --------------------------------------------------------------------------
CHECKS_COMMENT = "# checks:"
_STEP_KEYWORDS = ("Given ", "When ", "Then ", "And ", "But ", "* ")


def step_checks(path: Path) -> dict[int, tuple[str, ...]]:
    """Line of a step -> the requirement IDs a ``# checks: SSE-04`` comment right above it names.

    A step without one checks every requirement its scenario is tagged with; a failure in it is
    charged to what it checks (plugin.py), so a scenario tagged with several requirements says
    which of its steps checks which.
    """
    found: dict[int, tuple[str, ...]] = {}
    pending: tuple[str, ...] = ()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.strip()
        if text.startswith(CHECKS_COMMENT):
            rest = text[len(CHECKS_COMMENT) :].split("(", 1)[0]
            pending = tuple(r.strip() for r in rest.replace(",", " ").split() if r.strip())
            continue
        if not text:
            pending = ()
            continue
        if text.startswith("#"):
            continue
        if pending and text.startswith(_STEP_KEYWORDS):
            found[number] = pending
        pending = ()
    return found
