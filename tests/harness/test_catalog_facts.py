"""The catalog's model facts: each exists in the vendored snapshot and agrees with its row's text.

The rendering rules are those of firehose_conformance/fact_agreement.py (and the catalog header).
The inverse guard: a row whose source names a model cites at least one fact, or its
``model_facts = []`` line carries a comment saying why not.
"""

from __future__ import annotations

import re

import pytest

from firehose_conformance.catalog import DEFAULT_CATALOG, load_catalog
from firehose_conformance.fact_agreement import disagreement
from firehose_conformance.model_facts import FactError, parse_fact_path, resolve
from reference_impl.aws_models import SNAPSHOT, raw_model

MODEL_SOURCES = frozenset({"BC-FH", "BC-KMS", "BC-KDS", "BC-CW"})
CATALOG = load_catalog()
CITED = [(rid, fact) for rid, req in CATALOG.items() for fact in req.model_facts]


def _why_no_fact(rid: str) -> str | None:
    """The comment on the row's ``model_facts = []`` line in the catalog file, if any."""
    text = DEFAULT_CATALOG.read_text(encoding="utf-8")
    block = text.split(f'id = "{rid}"\n', 1)[1].split("[[requirement]]", 1)[0]
    match = re.search(r"^model_facts = \[\]\s*#\s*(\S.*)$", block, re.M)
    return match[1] if match else None


def test_the_catalog_cites_facts() -> None:
    assert len(CITED) >= 100
    assert {parse_fact_path(fact).service for _, fact in CITED} <= set(SNAPSHOT.services)


@pytest.mark.parametrize(("rid", "fact"), CITED, ids=[f"{r}:{f}" for r, f in CITED])
def test_each_cited_fact_exists_and_agrees_with_the_text(rid: str, fact: str) -> None:
    path = parse_fact_path(fact)
    try:
        value = resolve(path, raw_model(path.service))
    except FactError as error:
        pytest.fail(f"{rid}: {error} (in snapshot {SNAPSHOT.name})")
    requirement = CATALOG[rid]
    problem = disagreement(path, value, requirement.text, requirement.quote)
    assert problem is None, f"{rid} cites {fact}: {problem}"


def test_rows_resting_on_a_model_cite_a_fact_or_say_why_not() -> None:
    silent = []
    excused = {}
    for rid, requirement in CATALOG.items():
        if not MODEL_SOURCES & set(requirement.source) or requirement.model_facts:
            continue
        why = _why_no_fact(rid)
        if why is None:
            silent.append(rid)
        else:
            excused[rid] = why
    assert not silent, f"cite a model fact, or say why not on the model_facts line: {silent}"
    assert len(excused) <= 3, f"exceptions should be few: {sorted(excused)}"


def test_the_key_arn_facts_are_those_of_the_key_only_shape() -> None:
    facts = CATALOG["KEY-06"].model_facts
    shape = "firehose:DeliveryStreamEncryptionConfigurationInput.KeyARN.shape"
    assert shape in facts
    assert resolve(shape, raw_model("firehose")) == "AWSKMSKeyARNForSSE"
