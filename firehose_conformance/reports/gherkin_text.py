"""Each scenario's Gherkin source text, with the requirement tags it carries.

Reports and the rendered spec quote the scenarios as written (comments with their AMB notes
included), so a reader sees exactly what is checked. Text is cut from the file by line, using the
parser's locations: a block starts at its keyword line, or above it at the tags and comment lines
directly attached to it, and ends where the next block starts.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gherkin.errors import CompositeParserException, ParserException
from gherkin.parser import Parser
from gherkin.token_scanner import TokenScanner

from firehose_conformance.errors import UsageError
from firehose_conformance.features import FEATURES_DIR, REQUIREMENT_TAG


@dataclass(frozen=True)
class ExamplesText:
    """One Examples block of an outline: its own tags and its source lines."""

    name: str
    tags: frozenset[str]
    text: str


@dataclass(frozen=True)
class ScenarioText:
    """One scenario (or outline) as written, with the Background of its feature."""

    file: str
    line: int
    feature: str
    name: str
    tags: frozenset[str]  # the scenario's own, plus those of its feature and rule
    head: str  # leading comments, tags, the Scenario line and its steps, as indented in the file
    examples: tuple[ExamplesText, ...]
    background: str

    def requirements(self) -> set[str]:
        """Every requirement the scenario checks, in any of its Examples blocks."""
        tags = set(self.tags).union(*(e.tags for e in self.examples))
        return {t for t in tags if REQUIREMENT_TAG.match(t)}

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


def _indent(text: str) -> str:
    return textwrap.indent(text, "  ", lambda line: bool(line.strip()))


def _tags(node: dict[str, Any]) -> set[str]:
    return {tag["name"].lstrip("@") for tag in node.get("tags", [])}


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
    lines = _Lines(source, _keyword_lines(feature))
    texts: list[ScenarioText] = []
    _collect(feature["children"], _tags(feature), "", feature, path, lines, texts)
    return texts


def _collect(
    children: list[dict[str, Any]],
    inherited: set[str],
    background: str,
    feature: dict[str, Any],
    path: Path,
    lines: _Lines,
    out: list[ScenarioText],
) -> None:
    for child in children:
        if "background" in child:
            background = lines.block(child["background"]["location"]["line"])
        elif "rule" in child:
            rule = child["rule"]
            _collect(
                rule["children"], inherited | _tags(rule), background, feature, path, lines, out
            )
        elif "scenario" in child:
            scenario = child["scenario"]
            line = scenario["location"]["line"]
            examples = scenario["examples"]
            first = examples[0]["location"]["line"] if examples else None
            out.append(
                ScenarioText(
                    file=path.name,
                    line=line,
                    feature=feature["name"],
                    name=scenario["name"],
                    tags=frozenset(inherited | _tags(scenario)),
                    head=lines.block(line, first),
                    examples=tuple(
                        ExamplesText(
                            name=e["name"],
                            tags=frozenset(_tags(e)),
                            text=lines.block(e["location"]["line"]),
                        )
                        for e in examples
                    ),
                    background=background,
                )
            )


def load_all_scenario_texts(directory: Path = FEATURES_DIR) -> list[ScenarioText]:
    """Every scenario of every feature file, files in name order."""
    paths = sorted(directory.glob("*.feature"))
    if not paths:
        raise UsageError(f"{directory}: no .feature files")
    return [text for path in paths for text in load_scenario_texts(path)]


def scenarios_by_requirement(texts: Iterable[ScenarioText]) -> dict[str, list[ScenarioText]]:
    """Requirement ID -> the scenarios that check it, in file order."""
    found: dict[str, list[ScenarioText]] = {}
    for text in texts:
        for rid in sorted(text.requirements()):
            found.setdefault(rid, []).append(text)
    return found
