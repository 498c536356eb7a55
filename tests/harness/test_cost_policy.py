"""What a target's cost policy leaves out (cost_policy.py), and how a run records it.

The sampling rule on made-up outlines; the selection it makes from the spec's own outlines when
collected as a run against the aws target collects them (no target is made, nothing is reached);
the ``key_specs`` option; and the results: left-out scenarios are not selected, never judged.
"""

from __future__ import annotations

import pytest

from firehose_conformance.catalog import load_catalog
from firehose_conformance.commands.run import left_out_line, render_table
from firehose_conformance.cost_policy import (
    FAMILIES,
    NO_POLICY,
    REPRESENTATIVES,
    Candidate,
    KeySpecs,
    RealAccountPolicy,
    Rule,
    parse_key_specs,
)
from firehose_conformance.expectations import Declaration, Expectation, compare
from firehose_conformance.results import LeftOut, ScenarioResult, build_results, read_results
from firehose_conformance.runner import SuiteError, collect
from firehose_conformance.spec_facts import KEY_SPECS, key_spec_family
from firehose_conformance.targets import target_class
from firehose_conformance.targets.aws import LEFT_OUT_TAGS, AwsTarget
from firehose_conformance.targets.aws_options import parse_options

SLOW = Rule("@slow", "needs a day", "run it elsewhere")


def policy(key_specs: KeySpecs = KeySpecs.FAMILY) -> RealAccountPolicy:
    return RealAccountPolicy(tags={"slow": SLOW}, key_specs=key_specs)


def rows(outline: str, *pairs: tuple[str, str], tags: frozenset[str] = frozenset()) -> list:
    return [Candidate(outline, tags, {"spec": s, "usage": u}) for s, u in pairs]


def kept(candidates: list[Candidate], decision) -> list[tuple[str, str]]:
    return [
        (c.row["spec"], c.row["usage"])
        for i, c in enumerate(candidates)
        if i not in decision.left_out
    ]


# ---- the rule -----------------------------------------------------------------------------------
def test_families_are_read_from_the_snapshot_key_spec_enum() -> None:
    assert {"RSA", "ECC", "HMAC", "ML_DSA", "ML_KEM"} <= set(FAMILIES)
    assert key_spec_family("ECC_NIST_P256") == key_spec_family("ECC_SECG_P256K1") == "ECC"
    assert key_spec_family("ECC_NIST_EDWARDS25519") == "ECC"
    assert key_spec_family("ML_DSA_44") == "ML_DSA" != key_spec_family("ML_KEM_512")
    assert key_spec_family("SYMMETRIC_DEFAULT") is None
    assert key_spec_family("RSA_1024") is None  # not in the enum: never sampled
    for family, (spec, _usage) in REPRESENTATIVES.items():
        assert spec in KEY_SPECS and key_spec_family(spec) == family


def test_one_row_per_family_the_representative_where_the_outline_has_it() -> None:
    start = rows(
        "t::start",
        ("RSA_3072", "SIGN_VERIFY"),
        ("RSA_2048", "SIGN_VERIFY"),
        ("RSA_2048", "ENCRYPT_DECRYPT"),  # the representative, though not first
        ("ECC_NIST_P384", "SIGN_VERIFY"),  # ECC's representative is absent: the first ECC row
        ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"),
        ("ECC_SECG_P256K1", "SIGN_VERIFY"),
        ("SM2", "SIGN_VERIFY"),  # a family with no representative, alone: kept
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),  # never left out
        ("NOT_A_SPEC", "SIGN_VERIFY"),  # not in the enum: never left out
    )
    other = rows("t::other", ("RSA_4096", "SIGN_VERIFY"), ("RSA_3072", "SIGN_VERIFY"))
    plain = [Candidate("t::plain"), Candidate("t::plain2", row={"call": "x"})]
    candidates = start + other + plain
    decision = policy().decide(candidates)
    assert kept(start + other, decision) == [
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("ECC_NIST_P384", "SIGN_VERIFY"),
        ("SM2", "SIGN_VERIFY"),
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
        ("NOT_A_SPEC", "SIGN_VERIFY"),
        ("RSA_4096", "SIGN_VERIFY"),  # each outline keeps its own row per family
    ]
    assert len(candidates) - 2 not in decision.left_out  # rows without a spec column run
    assert set(decision.left_out.values()) == {policy().key_spec_rule}
    assert decision.considered == {"key_specs=family": 9}  # the rows that name a family


def test_key_specs_all_runs_every_row_and_tags_are_left_out_either_way() -> None:
    candidates = rows("t::a", ("RSA_2048", "ENCRYPT_DECRYPT"), ("RSA_3072", "SIGN_VERIFY"))
    candidates += rows("t::b", ("RSA_2048", "ENCRYPT_DECRYPT"), tags=frozenset({"slow", "X-01"}))
    candidates.append(Candidate("t::c", frozenset({"slow", "needs-clock"}), runnable=False))
    for key_specs in KeySpecs:
        decision = policy(key_specs).decide(candidates)
        sampled = {1} if key_specs is KeySpecs.FAMILY else set()
        assert set(decision.left_out) == {2} | sampled
        assert decision.left_out[2] == SLOW  # the tag's rule, not the sampling's
    # A scenario needing a capability the target lacks is not applicable there: never left out.
    assert 3 not in policy().decide(candidates).left_out
    assert NO_POLICY.decide(candidates).left_out == {}


def test_the_key_specs_option_and_a_bad_value() -> None:
    assert parse_key_specs("family") is KeySpecs.FAMILY and parse_key_specs("ALL") is KeySpecs.ALL
    with pytest.raises(ValueError, match=r"^key_specs must be family or all, got 'some'$"):
        parse_key_specs("some")
    base = {"allow_live_aws": "yes", "account_id": "123456789012", "region": "eu-west-1"}
    assert parse_options(base).key_specs is KeySpecs.FAMILY  # the default on a real account
    assert parse_options({**base, "key_specs": "all"}).key_specs is KeySpecs.ALL
    with pytest.raises(ValueError, match="key_specs must be family or all"):
        parse_options({**base, "key_specs": "some"})
    assert AwsTarget.cost_policy({}).key_specs is KeySpecs.FAMILY
    assert AwsTarget.cost_policy({"key_specs": "all"}).rules() == tuple(LEFT_OUT_TAGS.values())
    for name in ("reference", "moto", "endpoint"):  # waiting and keys cost nothing there
        assert target_class(name).cost_policy({"key_specs": "all"}) is NO_POLICY


# ---- the spec's outlines, collected as a run against the aws target collects them -----------
def _names(found) -> tuple[list[str], dict[str, list[str]]]:
    from firehose_conformance.plugin import _identity

    left: dict[str, list[str]] = {}
    for item, rule in found.left_out:
        left.setdefault(rule.name, []).append(_identity(item)["name"])
    return [_identity(item)["name"] for item in found.items], left


def test_the_aws_selection_of_the_key_spec_outlines() -> None:
    selected, left = _names(collect("aws", {"key_specs": "family"}, _key_types()))
    start = sorted(n for n in selected if n.startswith("Start never enables"))
    assert start == [
        f"Start never enables encryption with an asymmetric or HMAC key ({s}, {u})"
        for s, u in sorted(REPRESENTATIVES.values())
    ]
    create = sorted(n for n in selected if n.startswith("Create never yields"))
    assert [n.rsplit("(", 1)[1].rstrip(")") for n in create] == sorted(
        s for s, _ in REPRESENTATIVES.values()
    )
    # KEY-10's outline has RSA's representative, no other: each family's first row there.
    describe = [n.rsplit("(", 1)[1].rstrip(")") for n in selected if "describes each" in n]
    assert describe == ["RSA_2048", "ECC_NIST_P384", "ML_DSA_44", "ML_KEM_1024", "HMAC_384"]
    assert (
        "KMS describes each key spec with its usage (ECC_NIST_EDWARDS25519)"
        in left["key_specs=family"]
    )
    assert (
        "A symmetric encryption key is SYMMETRIC_DEFAULT for ENCRYPT_DECRYPT, and Firehose "
        "takes it" in selected
    )
    every, none = _names(collect("aws", {"key_specs": "all"}, _key_types()))
    assert none == {} and len(every) == len(selected) + len(left["key_specs=family"])


def test_the_policy_weighs_only_what_the_selection_took() -> None:
    """After -m and -k: a row picked by -k runs (the first of its family among those picked)."""
    from firehose_conformance.runner import Selection

    chosen = Selection(keyword="ECC_NIST_P384 or ECC_NIST_P521")
    selected, left = _names(collect("aws", selection=chosen))
    assert selected == [
        "Start never enables encryption with an asymmetric or HMAC key "
        "(ECC_NIST_P384, SIGN_VERIFY)",
        "KMS describes each key spec with its usage (ECC_NIST_P384)",
    ]
    assert left == {
        "key_specs=family": [
            "Start never enables encryption with an asymmetric or HMAC key "
            "(ECC_NIST_P521, SIGN_VERIFY)"
        ]
    }


def test_only_the_aws_target_leaves_anything_out_and_tags_go_by_their_rule() -> None:
    chosen = _requirements("API-02", "SRC-07", "KEY-10")
    reference = collect("reference", selection=chosen)
    assert reference.left_out == [] and reference.considered == {}
    selected, left = _names(collect("aws", selection=chosen))
    assert left["@scale"] == ["A customer managed key encrypts at most 500 delivery streams"]
    assert len(left["key_specs=family"]) == 1  # KEY-10's ECC_NIST_EDWARDS25519 row
    # SRC-07 is @slow but also @needs-clock: not applicable on aws (no clock) whatever it
    # costs, so it stays selected and its verdict says why it cannot run.
    assert "@slow" not in left
    assert any("beyond 24 hours" in name for name in selected)


def test_a_bad_key_specs_value_stops_collection_with_exit_2() -> None:
    with pytest.raises(SuiteError, match="exit code 2"):
        collect("aws", {"key_specs": "some"})


def _key_types():
    from firehose_conformance.runner import Selection

    return Selection(markers="KEY-01 or KEY-02 or KEY-10")


def _requirements(*ids: str):
    from firehose_conformance.runner import Selection

    return Selection.requirements(list(ids))


# ---- the results --------------------------------------------------------------------------------
def _left_out() -> list[LeftOut]:
    return [
        LeftOut("@scale", "needs streams", "elsewhere", 1, ["Quota"], {"API-11": 1}),
        LeftOut(
            "key_specs=family", "one per family", "key_specs=all", 3, ["R2", "R3"], {"KEY-10": 2}
        ),
    ]


def _results(tmp_path=None):
    scenario = ScenarioResult("x::r1", "F", "R1", ["KEY-10"], [], "passed", "", 0.1, ["KEY-10"])
    return build_results(
        target="aws",
        started_at="now",
        duration_s=1.0,
        scenarios=[scenario],
        catalog=load_catalog(),
        deselected={"API-11": 1, "KEY-10": 2},
        left_out=_left_out(),
    )


def test_a_requirement_the_policy_left_out_entirely_is_not_selected_with_the_rule() -> None:
    results = _results()
    by_id = {r.id: r for r in results.requirements}
    quota = by_id["API-11"]
    assert quota.verdict == "not_selected" and quota.left_out == 1
    assert quota.reason == (
        "left out by the target's cost policy: @scale (1 scenario): needs streams; elsewhere"
    )
    # One that kept a row is judged on it, and says how many rows were left out.
    assert by_id["KEY-10"].verdict == "passed" and by_id["KEY-10"].left_out == 2
    assert by_id["SSE-02"].left_out == 0 and by_id["SSE-02"].verdict == "untested"
    line = left_out_line(results)
    assert line.startswith("left out by the aws target's cost policy (not selected): 3 scenarios")
    assert "2 by key_specs=family (one per family; key_specs=all)" in line
    assert "API-11" in render_table(results)  # among the requirements not selected


def test_the_record_survives_the_file_and_expectations_skip_left_out_scenarios(tmp_path) -> None:
    from firehose_conformance.results import write_results

    results = _results()
    write_results(results, tmp_path / "r.json")
    again = read_results(tmp_path / "r.json")
    assert again.left_out == results.left_out
    assert [r.left_out for r in again.requirements] == [r.left_out for r in results.requirements]
    declared = Declaration(
        implementation="x",
        targets=("aws",),
        versions="",
        expectations=(Expectation("scenario", "R2", "failed", "known", ""),),
    )
    assert [m for m in compare(results, declared) if m.subject == "R2"] == []


def test_a_selection_the_policy_leaves_entirely_out_says_so() -> None:
    """Nothing left to run is exit 5 as for any empty selection, naming the rule and how to
    run it rather than suggesting a typo (no target is made: nothing was selected)."""
    from firehose_conformance.runner import NothingSelected, run_suite

    with pytest.raises(NothingSelected) as stopped:
        run_suite("aws", {"key_specs": "family"}, _requirements("API-11"))
    assert str(stopped.value) == (
        "no scenario selected by -m API-11 that the aws target's cost policy keeps: 1 left out "
        f"by @scale ({LEFT_OUT_TAGS['scale'].reason}; {LEFT_OUT_TAGS['scale'].include})"
    )
