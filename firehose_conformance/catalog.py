"""Load the requirement catalog (features/requirements.toml) into typed, validated records.

The TOML file is the authority for the requirements: their texts, their sources and the model
facts they cite (paths into the vendored AWS model snapshot, see model_facts.py). Scenarios tag
themselves with requirement IDs, and reports group results by area and level, so the loader is
strict: a typo in the catalog should fail loudly here rather than silently drop a requirement
from coverage. Whether each cited fact exists and agrees with the text is checked by the
catalog's tests (tests/harness/test_catalog.py), not at load time.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from firehose_conformance.locations import SPEC_PACKAGE, package_dir
from firehose_conformance.model_facts import FactError, parse_fact_path
from firehose_conformance.spec_facts import AMBIGUITY_ID, REQUIREMENT_ID
from reference_impl.aws_models import SNAPSHOT

__all__ = [
    "AMBIGUITIES",
    "AREAS",
    "DEFAULT_CATALOG",
    "SOURCES",
    "Ambiguity",
    "CatalogError",
    "CheckKind",
    "Level",
    "Requirement",
    "Source",
    "Spec",
    "load_ambiguities",
    "load_catalog",
    "load_sources",
    "load_spec",
]


class Level(StrEnum):
    """Requirement level, judged from the source wording (catalog section 0.3).

    A StrEnum, so members compare equal to the plain strings used in the TOML file.
    """

    MUST = "MUST"
    MUST_NOT = "MUST NOT"
    SHOULD = "SHOULD"
    SHOULD_NOT = "SHOULD NOT"
    MAY = "MAY"


class CheckKind(StrEnum):
    """How a test can verify a requirement; decides which runs can cover it."""

    BB = "BB"
    BB_SLOW = "BB-slow"
    BB_SCALE = "BB-scale"
    BB_EVENTUAL = "BB-eventual"
    WB = "WB"


AREAS: dict[str, str] = {
    "SRC": "Storage at rest by source",
    "SSE": "SSE lifecycle and encryption status",
    "PUT": "The Encrypted flag and ingest",
    "KEY": "Key types and key identifiers",
    "GRT": "KMS grants",
    "RET": "KMS failures, 24-hour retention and discard",
    "MET": "The four KMSKey* CloudWatch metrics",
    "API": "API validation, errors and limits",
}
"""Human titles of the requirement areas, keyed by ID prefix, in catalog order."""


@dataclass(frozen=True)
class Requirement:
    """One catalog row. Field meanings are documented in the header of requirements.toml."""

    id: str
    level: Level
    accept: bool
    qualifier: str
    sentence: str
    source: tuple[str, ...]
    quote: str
    observable: str
    check: CheckKind
    check_note: str
    ambiguities: tuple[str, ...]
    model_facts: tuple[str, ...]
    # What the scenarios take as expected where no document states it (AMB items, inferences);
    # "" where every expectation of its scenarios is stated by a document.
    stance: str = ""

    @property
    def area(self) -> str:
        """The ID prefix, e.g. "SRC" for "SRC-01"; keys into AREAS."""
        return self.id.split("-", 1)[0]

    @property
    def text(self) -> str:
        """Sentence, quote and observable together: the text its model facts must agree with."""
        return " ".join((self.sentence, self.quote, self.observable))

    @property
    def mandatory(self) -> bool:
        """Whether a conformant service is obliged to behave this way.

        "MAY→accept" rows count: the client may do it, so the service must accept it.
        """
        if self.level in (Level.MUST, Level.MUST_NOT):
            return True
        return self.level is Level.MAY and self.accept

    @property
    def display_level(self) -> str:
        """The level as shown in reports, spelling out what a "MAY→accept" row obliges."""
        if self.accept:
            return "MAY (service must accept)"
        return self.level.value


@dataclass(frozen=True)
class Spec:
    """The catalog's ``[spec]`` table: the spec's version and the model snapshot it cites."""

    version: str
    model_snapshot: str


class CatalogError(Exception):
    """The catalog file is missing, is not valid TOML, or breaks the schema."""


# features/ of the repository, or firehose_conformance/spec/ of an installed wheel (locations.py).
FEATURES: Path = package_dir(SPEC_PACKAGE)
DEFAULT_CATALOG: Path = FEATURES / "requirements.toml"
AMBIGUITIES: Path = FEATURES / "ambiguities.toml"
SOURCES: Path = FEATURES / "sources.toml"

# Key -> expected TOML type. Lists are lists of strings.
_FIELDS: dict[str, type] = {
    "id": str,
    "level": str,
    "accept": bool,
    "qualifier": str,
    "sentence": str,
    "source": list,
    "quote": str,
    "observable": str,
    "check": str,
    "check_note": str,
    "ambiguities": list,
    "model_facts": list,
}
_OPTIONAL: dict[str, type] = {"stance": str}


def _type_name(value: Any) -> str:
    return type(value).__name__


class _Fail:
    """Build a CatalogError naming the file and the requirement being validated."""

    def __init__(self, path: Path, where: str) -> None:
        self.path = path
        self.where = where

    def __call__(self, problem: str) -> CatalogError:
        return CatalogError(f"{self.path}: {self.where}: {problem}")


def _check_fields(table: dict[str, Any], fail: _Fail) -> None:
    """Reject missing, unknown and wrongly typed keys before any value is interpreted."""
    missing = [key for key in _FIELDS if key not in table]
    if missing:
        raise fail(f"missing key(s): {', '.join(missing)}")
    unknown = sorted(key for key in table if key not in _FIELDS and key not in _OPTIONAL)
    if unknown:
        raise fail(f"unknown key(s): {', '.join(unknown)}")
    for key, expected in {**_FIELDS, **_OPTIONAL}.items():
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, expected):
            raise fail(f"key {key!r} must be {expected.__name__}, got {_type_name(value)}")
        if expected is list:
            bad = [item for item in value if not isinstance(item, str)]
            if bad:
                raise fail(f"key {key!r} must be a list of strings, got item {bad[0]!r}")


def _parse_requirement(table: Any, index: int, path: Path) -> Requirement:
    """Validate one [[requirement]] table (1-based index for messages) and build the record."""
    fail = _Fail(path, f"requirement #{index}")
    if not isinstance(table, dict):
        raise fail(f"must be a table, got {_type_name(table)}")
    rid = table.get("id")
    if isinstance(rid, str) and rid:
        fail.where = f"requirement {rid} (#{index})"
    _check_fields(table, fail)

    if not REQUIREMENT_ID.fullmatch(rid):
        raise fail(f"id {rid!r} does not match AAA-NN (e.g. SSE-03)")
    try:
        level = Level(table["level"])
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in Level)
        raise fail(f"bad level {table['level']!r}; expected one of {allowed}") from None
    try:
        check = CheckKind(table["check"])
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in CheckKind)
        raise fail(f"bad check {table['check']!r}; expected one of {allowed}") from None
    if table["accept"] and level is not Level.MAY:
        raise fail(f"accept = true is only allowed with level MAY, not {level.value}")
    if not table["sentence"].strip():
        raise fail("sentence is empty")
    if not table["source"]:
        raise fail("source must name at least one document tag")
    for amb in table["ambiguities"]:
        if not AMBIGUITY_ID.fullmatch(amb):
            raise fail(f"ambiguity id {amb!r} does not match AMB-NN")
    for path in table["model_facts"]:
        try:
            parse_fact_path(path)
        except FactError as error:
            raise fail(str(error)) from None
    if len(set(table["model_facts"])) != len(table["model_facts"]):
        raise fail("model_facts names a fact twice")

    return Requirement(
        id=rid,
        level=level,
        accept=table["accept"],
        qualifier=table["qualifier"],
        sentence=table["sentence"],
        source=tuple(table["source"]),
        quote=table["quote"],
        observable=table["observable"],
        check=check,
        check_note=table["check_note"],
        ambiguities=tuple(table["ambiguities"]),
        model_facts=tuple(table["model_facts"]),
        stance=table.get("stance", "").strip(),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"{path}: catalog file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read catalog: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message already ends with "(at line N, column M)".
        raise CatalogError(f"{path}: invalid TOML: {exc}") from exc
    unknown = sorted(key for key in data if key not in ("spec", "requirement"))
    if unknown:
        raise CatalogError(f"{path}: unknown top-level key(s): {', '.join(unknown)}")
    return data


def load_spec(path: Path = DEFAULT_CATALOG) -> Spec:
    """The ``[spec]`` table, checked against the vendored model snapshot.

    A catalog written for another snapshot is refused: its model facts were not reviewed
    against the models the reference and the clients now use.
    """
    path = Path(path)
    return _parse_spec(_read(path), path)


def _parse_spec(data: dict[str, Any], path: Path) -> Spec:
    table = data.get("spec")
    fail = _Fail(path, "[spec]")
    if not isinstance(table, dict):
        raise fail("missing table (version, model_snapshot)")
    if sorted(table) != ["model_snapshot", "version"]:
        raise fail(f"keys must be version and model_snapshot, got {', '.join(sorted(table))}")
    if not all(isinstance(value, str) and value for value in table.values()):
        raise fail("version and model_snapshot must be non-empty strings")
    if table["model_snapshot"] != SNAPSHOT.name:
        raise fail(
            f"model_snapshot {table['model_snapshot']!r} is not the vendored snapshot "
            f"{SNAPSHOT.name!r}; review the catalog with `firehose-conformance drift` first"
        )
    return Spec(version=table["version"], model_snapshot=table["model_snapshot"])


def load_catalog(path: Path = DEFAULT_CATALOG) -> dict[str, Requirement]:
    """Load and validate the catalog; return requirements by id, in file order.

    Raises CatalogError (never a bare TOML or KeyError) so callers can report one clear line.
    """
    path = Path(path)
    data = _read(path)
    _parse_spec(data, path)
    tables = data.get("requirement")
    if not isinstance(tables, list) or not tables:
        raise CatalogError(f"{path}: no [[requirement]] tables found")

    catalog: dict[str, Requirement] = {}
    first_index: dict[str, int] = {}
    for index, table in enumerate(tables, start=1):
        req = _parse_requirement(table, index, path)
        if req.id in catalog:
            raise CatalogError(
                f"{path}: requirement {req.id} (#{index}): duplicate id "
                f"(first defined at requirement #{first_index[req.id]})"
            )
        catalog[req.id] = req
        first_index[req.id] = index
    return catalog


# ---- The ambiguities and the sources the catalog cites -------------------------------------------
@dataclass(frozen=True)
class Ambiguity:
    """AMB-xx: what the documents leave open, and the stance the project's scenarios take."""

    id: str
    title: str
    what_is_open: str
    stance: str
    why: str


@dataclass(frozen=True)
class Source:
    """A document tag (SEED, BC-FH, EV-...): normative, or third-party evidence."""

    tag: str
    kind: str  # "normative" or "evidence"
    document: str
    where: str


def _tables(path: Path, key: str, fields: dict[str, type]) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path}: not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read: {exc}") from exc
    if sorted(data) != [key]:
        raise CatalogError(f"{path}: expected only [[{key}]] tables")
    tables = data[key]
    for index, table in enumerate(tables, start=1):
        fail = _Fail(path, f"{key} #{index}")
        if sorted(table) != sorted(fields):
            raise fail(f"keys must be {', '.join(fields)}; got {', '.join(sorted(table))}")
        for name, kind in fields.items():
            if not isinstance(table[name], kind):
                raise fail(f"key {name!r} must be {kind.__name__}")
    return tables


def load_ambiguities(path: Path = AMBIGUITIES) -> dict[str, Ambiguity]:
    """AMB-01 ... by id, in file order; each with a stance and why."""
    fields = {"id": str, "title": str, "what_is_open": str, "stance": str, "why": str}
    found: dict[str, Ambiguity] = {}
    for table in _tables(Path(path), "ambiguity", fields):
        if not AMBIGUITY_ID.fullmatch(table["id"]) or table["id"] in found:
            raise CatalogError(f"{path}: bad or duplicate ambiguity id {table['id']!r}")
        if not table["stance"].strip():
            raise CatalogError(f"{path}: {table['id']} has no stance")
        found[table["id"]] = Ambiguity(**{k: v.strip() for k, v in table.items()})
    return found


def load_sources(path: Path = SOURCES) -> dict[str, Source]:
    """The document tags by tag, in file order."""
    fields = {"tag": str, "kind": str, "document": str, "where": str}
    found: dict[str, Source] = {}
    for table in _tables(Path(path), "source", fields):
        if table["kind"] not in ("normative", "evidence") or table["tag"] in found:
            raise CatalogError(f"{path}: bad kind or duplicate tag {table['tag']!r}")
        found[table["tag"]] = Source(**{k: v.strip() for k, v in table.items()})
    return found
