"""Tests for firehose_conformance.catalog: the real catalog and the loader's error reporting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from firehose_conformance.catalog import (
    AREAS,
    DEFAULT_CATALOG,
    CatalogError,
    CheckKind,
    Level,
    Requirement,
    load_catalog,
    load_spec,
)
from reference_impl.aws_models import SNAPSHOT


def _ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{n:02d}" for n in range(1, count + 1)]


EXPECTED_IDS: list[str] = [
    *_ids("SRC", 11),
    *_ids("SSE", 19),
    *_ids("PUT", 4),
    *_ids("KEY", 10),
    *_ids("GRT", 5),
    *_ids("RET", 5),
    *_ids("MET", 9),
    *_ids("API", 13),
]

# The snapshot's AWSKMSKeyARNForSSE: key ARNs only (botocore 1.43.29 and later).
KEY_ARN_PATTERN = r"arn:.*:kms:[a-zA-Z0-9\-]+:\d{12}:key/[a-zA-Z_0-9+=,.@\-_/]+"


@pytest.fixture(scope="module")
def catalog() -> dict[str, Requirement]:
    return load_catalog()


# ---- the real catalog ------------------------------------------------------------------------


def test_default_catalog_path_points_into_features() -> None:
    assert DEFAULT_CATALOG.name == "requirements.toml"
    assert DEFAULT_CATALOG.parent.name == "features"
    assert DEFAULT_CATALOG.is_file()


def test_catalog_has_the_76_ids_in_order(catalog: dict[str, Requirement]) -> None:
    """API-13 (2.1.0) is new: a new requirement takes the next ID at the end of its area."""
    assert len(EXPECTED_IDS) == 76
    assert list(catalog) == EXPECTED_IDS


def test_every_level_and_check_is_valid(catalog: dict[str, Requirement]) -> None:
    for req in catalog.values():
        assert isinstance(req.level, Level), req.id
        assert isinstance(req.check, CheckKind), req.id
        assert req.area in AREAS, req.id
        assert req.sentence, req.id
        assert req.source, req.id
        assert not req.accept or req.level is Level.MAY, req.id


def test_areas_follow_catalog_order(catalog: dict[str, Requirement]) -> None:
    seen = list(dict.fromkeys(req.area for req in catalog.values()))
    assert seen == list(AREAS)


def test_key06_keeps_the_exact_arn_pattern(catalog: dict[str, Requirement]) -> None:
    req = catalog["KEY-06"]
    assert KEY_ARN_PATTERN in req.sentence or KEY_ARN_PATTERN in req.quote
    assert "alias ARNs do not" in req.sentence
    assert "firehose:DeliveryStreamEncryptionConfigurationInput.KeyARN.pattern" in req.model_facts


def test_sse05_is_must(catalog: dict[str, Requirement]) -> None:
    req = catalog["SSE-05"]
    assert req.level is Level.MUST
    assert not req.accept
    assert req.qualifier == "MAY→accept; MUST"
    assert req.mandatory


def test_src09_is_may_accept_and_mandatory(catalog: dict[str, Requirement]) -> None:
    req = catalog["SRC-09"]
    assert req.level is Level.MAY
    assert req.accept
    assert req.mandatory
    assert req.display_level == "MAY (service must accept)"


def test_grt04_is_should_not_and_optional(catalog: dict[str, Requirement]) -> None:
    req = catalog["GRT-04"]
    assert req.level is Level.SHOULD_NOT
    assert req.qualifier == "client"
    assert not req.mandatory
    assert req.display_level == "SHOULD NOT"


def test_plain_may_is_not_mandatory(catalog: dict[str, Requirement]) -> None:
    req = catalog["API-12"]
    assert req.level is Level.MAY
    assert not req.accept
    assert not req.mandatory
    assert req.source == ("DG-CLOUDTRAIL",)


def test_sample_rows(catalog: dict[str, Requirement]) -> None:
    assert catalog["SRC-03"].check is CheckKind.BB
    assert catalog["SRC-03"].check_note == "KDS side"
    assert catalog["SRC-10"].source == ("EV-CLI7010", "BC-FH")
    assert catalog["SRC-11"].check is CheckKind.WB
    assert catalog["SRC-11"].check_note == ""  # the TLS part is not checked
    assert catalog["SRC-08"].ambiguities == ("AMB-03", "AMB-04")
    assert catalog["API-13"].level is Level.SHOULD and not catalog["API-13"].mandatory
    assert "AMB-09" in catalog["SSE-04"].stance and catalog["SSE-01"].stance == ""
    assert catalog["KEY-01"].level is Level.MUST_NOT
    assert catalog["GRT-02"].check is CheckKind.BB_EVENTUAL
    assert catalog["API-02"].check is CheckKind.BB_SCALE
    assert catalog["RET-01"].check is CheckKind.BB_SLOW


# ---- bad input ---------------------------------------------------------------------------------

_VALID_ROW: dict[str, str] = {
    "id": '"SSE-03"',
    "level": '"MUST"',
    "accept": "false",
    "qualifier": '""',
    "sentence": '"If the enable attempt fails, the status becomes ENABLING_FAILED."',
    "source": '["BC-FH"]',
    "quote": '"If the operation fails"',
    "observable": '"EncCfg .Status = ENABLING_FAILED"',
    "check": '"BB"',
    "check_note": '""',
    "ambiguities": '["AMB-11"]',
    "model_facts": '["firehose:DeliveryStreamEncryptionStatus.enum"]',
}


def _row(**overrides: str | None) -> str:
    """One [[requirement]] table as TOML text; an override of None drops the key."""
    fields = {**_VALID_ROW, **overrides}
    body = "".join(f"{key} = {value}\n" for key, value in fields.items() if value is not None)
    return "[[requirement]]\n" + body + "\n"


SPEC_TABLE = f'[spec]\nversion = "9.9.9"\nmodel_snapshot = "{SNAPSHOT.name}"\n\n'


def _write(tmp_path: Path, text: str, *, spec: str = SPEC_TABLE) -> Path:
    path = tmp_path / "requirements.toml"
    path.write_text(spec + text, encoding="utf-8")
    return path


def test_valid_minimal_file_loads(tmp_path: Path) -> None:
    path = _write(tmp_path, _row() + _row(id='"SSE-04"'))
    assert list(load_catalog(path)) == ["SSE-03", "SSE-04"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="not found"):
        load_catalog(tmp_path / "absent.toml")


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, _row() + "[[requirement]]\nid = SSE-04\n")
    with pytest.raises(CatalogError, match=r"invalid TOML: .*\(at line 20, column 6\)") as info:
        load_catalog(path)
    assert str(path) in str(info.value)


def test_missing_key(tmp_path: Path) -> None:
    path = _write(tmp_path, _row(observable=None))
    with pytest.raises(
        CatalogError, match=r"requirement SSE-03 \(#1\): missing key\(s\): observable"
    ):
        load_catalog(path)


def test_unknown_key(tmp_path: Path) -> None:
    path = _write(tmp_path, _row(priority='"high"'))
    with pytest.raises(CatalogError, match=r"SSE-03.*unknown key\(s\): priority"):
        load_catalog(path)


def test_wrong_type(tmp_path: Path) -> None:
    path = _write(tmp_path, _row(accept='"yes"'))
    with pytest.raises(CatalogError, match=r"key 'accept' must be bool, got str"):
        load_catalog(path)


def test_duplicate_id(tmp_path: Path) -> None:
    path = _write(tmp_path, _row() + _row(id='"SSE-04"') + _row())
    with pytest.raises(CatalogError, match=r"SSE-03 \(#3\): duplicate id.*#1"):
        load_catalog(path)


def test_bad_level(tmp_path: Path) -> None:
    path = _write(tmp_path, _row(level='"MUST (KDS)"'))
    with pytest.raises(CatalogError, match=r"SSE-03.*bad level 'MUST \(KDS\)'"):
        load_catalog(path)


def test_bad_check(tmp_path: Path) -> None:
    path = _write(tmp_path, _row(check='"BB (timing)"'))
    with pytest.raises(CatalogError, match=r"bad check 'BB \(timing\)'"):
        load_catalog(path)


@pytest.mark.parametrize("bad_id", ["SSE-3", "sse-03", "SSE03", "SSEX-03", "SSE-003", ""])
def test_bad_id_form(tmp_path: Path, bad_id: str) -> None:
    path = _write(tmp_path, _row(id=f'"{bad_id}"'))
    expected = (
        rf"requirement (?:{re.escape(bad_id)} \()?#1\)?: id '{re.escape(bad_id)}' does not match"
    )
    with pytest.raises(CatalogError, match=expected):
        load_catalog(path)


def test_accept_on_must(tmp_path: Path) -> None:
    path = _write(tmp_path, _row(accept="true"))
    with pytest.raises(CatalogError, match=r"SSE-03.*accept = true is only allowed with level MAY"):
        load_catalog(path)


def test_bad_ambiguity_id(tmp_path: Path) -> None:
    path = _write(tmp_path, _row(ambiguities='["AMB-1"]'))
    with pytest.raises(CatalogError, match=r"ambiguity id 'AMB-1' does not match"):
        load_catalog(path)


def test_model_facts_load_as_a_tuple(tmp_path: Path) -> None:
    requirement = load_catalog(_write(tmp_path, _row()))["SSE-03"]
    assert requirement.model_facts == ("firehose:DeliveryStreamEncryptionStatus.enum",)
    empty = load_catalog(_write(tmp_path, _row(model_facts="[]  # no model fact")))
    assert empty["SSE-03"].model_facts == ()


@pytest.mark.parametrize(
    ("facts", "problem"),
    [
        ('["DeliveryStreamEncryptionStatus.enum"]', r"is not <service>:<Name>\[\.<Member>\]"),
        ('["firehose:KeyType.colour"]', r"unknown property 'colour'"),
        ('["firehose:A.B.C.enum"]', r"is not <service>:<Name>"),
        ('["firehose:KeyType.enum", "firehose:KeyType.enum"]', r"names a fact twice"),
        ('"firehose:KeyType.enum"', r"key 'model_facts' must be list"),
    ],
)
def test_bad_model_facts_are_refused(tmp_path: Path, facts: str, problem: str) -> None:
    with pytest.raises(CatalogError, match=rf"SSE-03.*{problem}"):
        load_catalog(_write(tmp_path, _row(model_facts=facts)))


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"no \[\[requirement\]\] tables"):
        load_catalog(_write(tmp_path, "# nothing here\n"))


def test_spec_table_gives_version_and_snapshot(tmp_path: Path) -> None:
    spec = load_spec(_write(tmp_path, _row()))
    assert (spec.version, spec.model_snapshot) == ("9.9.9", SNAPSHOT.name)


def test_real_catalog_cites_the_vendored_snapshot() -> None:
    assert load_spec().model_snapshot == SNAPSHOT.name


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("", r"\[spec\]: missing table"),
        ('[spec]\nversion = "1"\n\n', r"keys must be version and model_snapshot"),
        ('[spec]\nversion = ""\nmodel_snapshot = "x"\n\n', r"non-empty strings"),
        (
            '[spec]\nversion = "1"\nmodel_snapshot = "botocore-0.0.1"\n\n',
            r"'botocore-0.0.1' is not the vendored snapshot .*drift",
        ),
    ],
)
def test_bad_spec_table_is_refused(tmp_path: Path, spec: str, problem: str) -> None:
    path = _write(tmp_path, _row(), spec=spec)
    with pytest.raises(CatalogError, match=problem):
        load_catalog(path)
