"""Which keys a scenario may share, and what a run creates: resources.py, pool.py, pricing.py.

The classification is checked against the step definitions themselves (a step that changes a
KMS key through the adapter must say so), against the spec's scenarios (no step unmatched; a
key any step changes or whose grants it reads is never pooled), and against what a run of the
aws target really creates on moto_server (the plan's counts, the pool's reuse, grants revoked).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

from firehose_conformance import actions
from firehose_conformance.pricing import PRICES, estimate
from firehose_conformance.resources import (
    SYMMETRIC,
    KeyUse,
    Kind,
    PoolKey,
    definitions,
    demand_of,
    effects_of,
    plan_for,
    runs_on,
    scenario_demand,
)
from firehose_conformance.runner import Collected, Selection, collect, run_suite

# What teardown can undo for a lent key (actions.restore_key): a step declared LEND changes a
# key only with these.
RESTORABLE = frozenset(
    {
        "disable_key",
        "enable_key",
        "schedule_key_deletion",
        "cancel_key_deletion",
        "put_key_policy",
        "revoke_grant",
    }
)
# KMS operations that change a key (or its grants): a step calling one, directly or through
# ``actions``, changes the key it names, which then must be the scenario's own (or lent).
MUTATING = RESTORABLE | {
    "retire_grant",
    "delete_imported_key_material",
    "import_key_material",
    "delete_key_now",
    "update_key_description",
    "tag_resource",
    "untag_resource",
    "enable_key_rotation",
    "disable_key_rotation",
    "rotate_key_on_demand",
    "update_alias",
    "replicate_key",
}
# Adapter calls that create something the plan counts.
CREATING = frozenset(
    {
        "create_key",
        "attempt_key",
        "create_imported_key",
        "create_alias",
        "key_identifier",
        "create_bucket",
        "create_delivery_stream",
        "new_delivery_stream",
        "attempt_delivery_stream",
        "create_data_stream",
        "restricted_caller",
        "key_for",
    }
)


@pytest.fixture(scope="module")
def collected() -> list[Any]:
    """Every scenario of the spec, collected (not run) as ``firehose-conformance run`` does."""
    items = collect().items
    assert items
    return items


def _calls(func: Callable[..., Any], seen: set[int] | None = None) -> set[str]:
    """Names a function calls, and the string constants it passes, followed through the step
    modules' helpers and ``actions`` (not into lambdas: those are teardown's ledger entries)."""
    seen = set() if seen is None else seen
    if id(func) in seen or not inspect.isfunction(func):
        return set()
    seen.add(id(func))
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Call):
            callee = node.func
            if isinstance(callee, ast.Attribute):
                found.add(callee.attr)
                base = callee.value
                if isinstance(base, ast.Name) and base.id == "actions":
                    found.update(_calls(getattr(actions, callee.attr, None), seen))
            elif isinstance(callee, ast.Name):
                found.add(callee.id)
                found.update(_calls(func.__globals__.get(callee.id), seen))
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _step_functions(collected: list[Any]) -> dict[Callable[..., Any], list[str]]:
    functions: dict[Callable[..., Any], list[str]] = {}
    for context in definitions():
        functions.setdefault(context.step_func, []).append(context.parser.name)
    return functions


def _key_fields(pattern: str) -> set[str]:
    """The fields of a step pattern that name a key of the scenario."""
    fields = set()
    for name, kind in _fields(pattern):
        if name == "key" or kind in ("Key",):
            fields.add(name)
        if kind in ("KeyWhileGranted",):
            fields |= {f"{name}.key", f"{name}.granted"}
    return fields


def _fields(pattern: str) -> list[tuple[str, str]]:
    import string

    return [
        (name.split(":")[0], [*name.split(":"), ""][1])
        for _, name, _, _ in string.Formatter().parse(pattern)
        if name
    ]


def test_every_step_that_changes_a_key_says_so(collected: list[Any]) -> None:
    wrong = []
    for func, patterns in _step_functions(collected).items():
        changes = _calls(func) & MUTATING
        if not changes:
            continue
        effects = effects_of(func)
        named = {f for p in patterns for f in _key_fields(p)}
        declared = dict(effects.keys) if effects else {}
        for field in named:
            use = declared.get(field)
            if use not in (KeyUse.OWN, KeyUse.MAKE_OWN, KeyUse.LEND):
                wrong.append(f"{func.__name__} ({', '.join(sorted(changes))}) on {field}")
            if use is KeyUse.LEND and not changes <= RESTORABLE:
                wrong.append(f"{func.__name__}: {sorted(changes - RESTORABLE)} not restorable")
    assert not wrong, "steps that change a key without declaring it their own: " + "; ".join(wrong)


def test_every_step_naming_a_key_or_creating_something_declares_it(collected: list[Any]) -> None:
    missing = []
    for func, patterns in _step_functions(collected).items():
        effects = effects_of(func)
        named = {f for p in patterns for f in _key_fields(p)}
        creates = _calls(func) & CREATING
        if effects is None:
            if named or creates:
                missing.append(f"{func.__name__}: {sorted(named | creates)}")
            continue
        undeclared = named - set(effects.keys)
        if undeclared:
            missing.append(f"{func.__name__}: {sorted(undeclared)}")
    assert not missing, "steps without a declaration: " + "; ".join(missing)


def test_the_declarations_catch_a_step_that_changes_a_key(collected: list[Any]) -> None:
    """The check above can fail: a step that disables its key, declared as using it."""

    def sneaky(t: Any, world: Any, key: str) -> None:
        t.kms.disable_key(KeyId=world.key(key).key_id)

    assert "disable_key" in _calls(sneaky) & MUTATING
    assert "schedule_key_deletion" not in _calls(actions.create_key)  # teardown's, in a lambda


def test_every_scenario_step_is_matched_and_changed_keys_are_never_pooled(
    collected: list[Any],
) -> None:
    pooled_uses = 0
    for item in collected:
        steps = [(kind, text) for kind, text in _scenario_steps(item)]
        demand = scenario_demand(item)
        assert not demand.unmatched, (item.nodeid, demand.unmatched)
        for kind, text in steps:
            func, args = _match(kind, text)
            effects = effects_of(func)
            for alias, use in effects.key_uses(args) if effects else []:
                chosen = demand.keys.get(alias)
                if use in (KeyUse.OWN, KeyUse.MAKE_OWN):
                    assert chosen is None, (item.nodeid, text)
                if use is KeyUse.LEND:
                    assert chosen is None or chosen.lent, (item.nodeid, text)
        pooled_uses += sum(1 for key in demand.keys.values() if key is not None and not key.lent)
    assert pooled_uses > 50  # most scenarios only use their keys


def _scenario_steps(item: Any) -> list[tuple[str, str]]:
    from firehose_conformance.resources import scenario_steps

    return scenario_steps(item)


def _match(kind: str, text: str) -> tuple[Callable[..., Any], dict[str, Any]]:
    from firehose_conformance.resources import match

    found = match(kind, text)
    assert found is not None, text
    return found


def test_what_a_scenario_gets(collected: list[Any]) -> None:
    by_name = {item.name: scenario_demand(item) for item in collected}
    grant = by_name["test_enabling_sse_with_a_customer_managed_key_creates_a_grant_on_it"]
    assert grant.keys == {"K": PoolKey(*SYMMETRIC, lent=True)}  # it reads the key's grants
    disabled = next(d for n, d in by_name.items() if "usable_by_firehose" in n and "disabled" in n)
    assert disabled.keys == {"K": PoolKey(*SYMMETRIC, lent=True)}
    assert disabled.counts[Kind.KMS_KEY] == 0
    deleted = next(d for n, d in by_name.items() if "pending_import" in n)
    assert deleted.keys["M"] is None and deleted.counts[Kind.KMS_KEY] == 1  # for good
    rsa = next(
        d for n, d in by_name.items() if "asymmetric_or_hmac_key_spec_usage[RSA_3072-SIGN" in n
    )
    assert rsa.keys == {"A": PoolKey("RSA_3072", "SIGN_VERIFY")}
    assert rsa.counts[Kind.KMS_KEY] == 0 and rsa.counts[Kind.DELIVERY_STREAM] == 1
    made = next(d for n, d in by_name.items() if "describes_each_key_spec" in n)
    assert made.keys == {"A": None}  # its CreateKey is what is checked
    # Two keys a scenario only uses are two distinct pooled keys.
    two = demand_of(
        [
            ("given", 'a symmetric customer managed key "K"'),
            ("given", 'a symmetric customer managed key "K2"'),
            ("given", 'a DirectPut delivery stream "S"'),
            ("when", 'I start encryption on "S" with key "K"'),
            ("when", 'I start encryption on "S" with key "K2"'),
        ]
    )
    assert two.keys == {"K": PoolKey(*SYMMETRIC, 0), "K2": PoolKey(*SYMMETRIC, 1)}
    # The same scenario reading K2's grants gets K2 of its own.
    three = demand_of(
        [
            ("given", 'a symmetric customer managed key "K"'),
            ("given", 'a symmetric customer managed key "K2"'),
            ("then", 'key "K2" has no grants'),
        ]
    )
    assert three.keys == {"K": PoolKey(*SYMMETRIC, 0), "K2": PoolKey(*SYMMETRIC, 0, lent=True)}


class AwsLike:
    from firehose_conformance.targets.aws import AwsTarget

    capabilities = AwsTarget.capabilities
    pool = True

    def has(self, capability: Any) -> bool:
        return capability in self.capabilities


@pytest.fixture(scope="module")
def aws_selection() -> Collected:
    """What a full run against the aws target selects, with its default cost policy."""
    return collect("aws")


def test_the_plan_of_a_full_aws_run_and_its_estimate(aws_selection: Collected) -> None:
    plan = plan_for(AwsLike(), aws_selection.items)
    keys = plan.total(Kind.KMS_KEY)
    assert keys == len(plan.pool_keys()) + plan.own[Kind.KMS_KEY]
    assert PoolKey(*SYMMETRIC, 0) in plan.pool_keys()
    before = sum(
        len([k for k in scenario_demand(i).keys]) + len(scenario_demand(i).anonymous)
        for i in aws_selection.items
        if runs_on(AwsLike(), i)
    )
    assert keys < before  # what every scenario making its own keys would create
    found = estimate(plan)
    assert found.total > 0 and found.pending_window_usd > 0
    assert all(p.source.startswith("https://aws.amazon.com/") for p in PRICES)


def test_a_full_aws_run_plans_at_most_15_keys_and_says_what_key_specs_all_adds(
    aws_selection: Collected,
) -> None:
    """Issue 16's target: a full aws-target run creates <= 15 KMS keys. The key-spec rows the
    cost policy leaves out are beside the plan, with what running them too adds."""
    plan = plan_for(AwsLike(), *_selection_parts(aws_selection))
    assert plan.total(Kind.KMS_KEY) <= 15
    sampled = {group.rule.name: group for group in plan.left_out}
    assert set(sampled) == {"key_specs=family", "@scale"}
    rows = sampled["key_specs=family"]
    assert 0 < rows.scenarios < rows.considered
    every = plan_for(AwsLike(), *_selection_parts(collect("aws", {"key_specs": "all"})))
    assert [group.rule.name for group in every.left_out] == ["@scale"]
    assert every.scenarios == plan.scenarios + rows.scenarios
    # What the plan says running them too adds is what key_specs=all plans.
    assert rows.with_them.totals() == every.totals()
    assert rows.adds(plan, Kind.KMS_KEY) == every.total(Kind.KMS_KEY) - plan.total(Kind.KMS_KEY)
    assert rows.adds(plan, Kind.KMS_KEY) > 0


def _selection_parts(found: Collected) -> tuple[Any, Any, Any]:
    return found.items, found.left_out, found.considered


# ---- against moto_server standing in for AWS (as test_target_aws.py does) ----------------------
@pytest.fixture
def moto(no_real_aws: None, closed_url: str, moto_url: str, monkeypatch: pytest.MonkeyPatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", closed_url)
    monkeypatch.setenv("https_proxy", closed_url)
    return moto_url


def _options(url: str) -> dict[str, str]:
    fast = {"transition_timeout": "5", "delivery_timeout": "5", "metric_timeout": "5"}
    fast |= {"grant_timeout": "5", "poll_initial": "0.2", "poll_max": "1"}
    return {"endpoint_url": url, "allow_live_aws": "yes", "account_id": "123456789012"} | {
        "region": "eu-west-1",
        **fast,
    }


@pytest.mark.slow
def test_a_run_creates_what_its_plan_says_and_shares_what_it_may(moto: str) -> None:
    """KEY-09 (three asymmetric keys, each with a grant the scenario makes), KEY-06 (six
    scenarios that only use a symmetric key, two of them through new aliases), PUT-03 (a
    caller role): the plan's counts are what the run created, keys are shared, grants gone."""
    import boto3

    run = run_suite("aws", _options(moto), Selection.requirements(["KEY-09", "KEY-06", "PUT-03"]))
    resources = run.results.provenance["target"]["resources"]
    planned, created = resources["planned"], resources["created"]
    assert planned["scenarios"] == len(run.results.scenarios) == 10
    for kind in (Kind.KMS_KEY, Kind.KMS_ALIAS, Kind.S3_BUCKET, Kind.IAM_ROLE):
        assert created.get(kind.value, 0) == planned[kind.value], kind
    assert created[Kind.DELIVERY_STREAM.value] <= planned[Kind.DELIVERY_STREAM.value]
    assert planned["KMS keys shared"] == 4  # 3 asymmetric + 1 symmetric
    assert planned["KMS keys lent"] == 0 and planned["KMS keys own"] == 0
    kms = boto3.client(
        "kms",
        endpoint_url=moto,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    keys = kms.list_keys()["Keys"]
    assert len(keys) == 4  # for 10 scenarios, each of which names a key
    shared = resources["pooled_keys"]
    assert set(shared) == {
        "symmetric #1",
        "RSA_2048/ENCRYPT_DECRYPT #1",
        "ECC_NIST_P256/SIGN_VERIFY #1",
        "HMAC_256/GENERATE_VERIFY_MAC #1",
    }
    assert shared["symmetric #1"]["uses"] == 7  # the six KEY-06 scenarios and PUT-03
    assert {entry["arn"].rsplit("/", 1)[1] for entry in shared.values()} == {
        key["KeyId"] for key in keys
    }
    for key in keys:
        meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        assert meta["KeyState"] == "PendingDeletion"
        assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []  # revoked by teardown


@pytest.mark.slow
def test_the_plan_states_counts_and_cost_before_anything_exists(moto: str) -> None:
    import io

    from firehose_conformance.targets.aws import AwsTarget

    class Watch(io.StringIO):
        keys_at_first_write: int | None = None

        def write(self, text: str) -> int:
            if self.keys_at_first_write is None and text.strip():
                self.keys_at_first_write = len(kms.list_keys()["Keys"])
            return super().write(text)

    import boto3

    kms = boto3.client(
        "kms",
        endpoint_url=moto,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    console = Watch()
    target = AwsTarget(console=console, **_options(moto))
    selected = collect("aws")
    plan = plan_for(target, selected.items, selected.left_out, selected.considered)
    target.expect(plan)
    try:
        target.start_scenario()
        text = console.getvalue()
        assert console.keys_at_first_write == 0
        assert f"counts for the {plan.scenarios} scenario(s)" in text
        shared = sum(1 for key in plan.pool_keys() if not key.lent)
        assert f"KMS keys: {plan.total(Kind.KMS_KEY)} = {shared} shared" in text
        for kind in Kind:
            assert f"{kind.value}: " in text
        assert "estimated cost: $" in text and "https://aws.amazon.com/kms/pricing/" in text
        assert "pending-deletion window" in text
        planned = target.identity()["resources"]["planned"]
        assert planned["KMS keys"] == plan.total(Kind.KMS_KEY) <= 15
        rows = next(g for g in plan.left_out if g.rule.name == "key_specs=family")
        extra = rows.adds(plan, Kind.KMS_KEY)
        assert f"{rows.scenarios} of {rows.considered} key-spec rows (key_specs=family: " in text
        assert f"--target-option key_specs=all runs every row: +{extra} KMS keys, +$" in text
        assert "2 @scale scenario(s) (needs hundreds or thousands of streams" in text
        assert planned["left out"] == {"key_specs=family": rows.scenarios, "@scale": 2}
    finally:
        target.close()
    assert "created: KMS keys 0" in console.getvalue()  # and what the plan said, beside it


@pytest.mark.slow
def test_a_lent_key_is_restored_and_verdicts_are_those_of_keys_of_their_own(moto: str) -> None:
    """KEY-07 and KEY-08 disable keys, schedule their deletion and deny their use (and list
    grants): with the pool one key is lent to each in turn and restored after it, and
    every scenario gets the verdict (and the charged and observed requirements) it gets when
    it makes a key of its own (``pool=no``)."""
    import urllib.request

    quick = {"grant_timeout": "0.5", "transition_timeout": "2", "poll_initial": "0.1"}
    selection = Selection.requirements(["KEY-07", "KEY-08"])
    runs = {}
    for pool in ("yes", "no"):
        reset = urllib.request.Request(f"{moto}/moto-api/reset", method="POST")
        urllib.request.urlopen(reset).close()
        runs[pool] = run_suite("aws", _options(moto) | quick | {"pool": pool}, selection)
    verdicts = {
        pool: [(s.nodeid, s.verdict, s.charged, s.observed) for s in run.results.scenarios]
        for pool, run in runs.items()
    }
    assert verdicts["yes"] == verdicts["no"]
    assert len(verdicts["yes"]) == 13  # one of them names a key that does not exist
    pooled = runs["yes"].results.provenance["target"]["resources"]
    alone = runs["no"].results.provenance["target"]["resources"]
    assert pooled["created"]["KMS keys"] == pooled["planned"]["KMS keys"] == 1
    assert alone["created"]["KMS keys"] == alone["planned"]["KMS keys"] == 11
    lent = pooled["pooled_keys"]["lent symmetric #1"]
    assert lent["uses"] == 11 and "retired" not in lent


@pytest.mark.slow
def test_a_run_with_workers_makes_the_pool_once_and_records_the_whole_run(
    moto: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """run -n 3 against moto_server: one pool for the run (the four shared keys made once,
    not once per worker), one plan printed, and the results and the run's last line state what
    all workers made together: what a serial run makes and records."""
    import io
    import urllib.request

    from firehose_conformance.targets import aws

    selection = Selection.requirements(["KEY-09", "KEY-06", "PUT-03"])
    found = {}
    for workers in (0, 3):
        urllib.request.urlopen(urllib.request.Request(f"{moto}/moto-api/reset", method="POST"))
        aws._terminal.cache_clear()  # this process's targets write where capfd sees it
        try:
            run = run_suite("aws", _options(moto), selection, workers=workers, output=io.StringIO())
        finally:
            aws._terminal.cache_clear()
        resources = run.results.provenance["target"]["resources"]
        uses = {name: entry["uses"] for name, entry in resources["pooled_keys"].items()}
        states = sorted(_keys_in(moto).values())
        found[workers] = (resources["planned"], resources["created"], uses, states)
        err = capfd.readouterr().err  # what the run said (its workers' and the controller's)
        assert err.count("about to create:") == 1  # the plan, once: not once per worker
        assert err.count("created: KMS keys 4,") == 1
        assert err.count("removed everything it created") == 1
    serial, parallel = found[0], found[3]
    assert parallel == serial
    planned, created, uses, keys = parallel
    assert created[Kind.KMS_KEY.value] == planned[Kind.KMS_KEY.value] == len(keys) == 4
    assert uses["symmetric #1"] == 7 and created[Kind.IAM_ROLE.value] == 2
    assert set(keys) == {"PendingDeletion"}
    assert "run -n 3: one run and one pool for all workers" in err  # the parallel run's plan


def _keys_in(url: str) -> dict[str, str]:
    import boto3

    kms = boto3.client(
        "kms",
        endpoint_url=url,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return {
        key["KeyId"]: kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"]
        for key in kms.list_keys()["Keys"]
    }
